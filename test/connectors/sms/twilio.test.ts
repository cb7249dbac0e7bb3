import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwilioChannel, handleInbound, parseStatusCallback, type WebhookRequest } from "../../../connectors/sms/twilio";
import type { SmsMessage } from "../../../core/content/channel";
import type { BreakerState } from "../../../core/content/circuit-breaker";
import { guardChannel } from "../../../core/content/guarded-channel";
import { FCC_REVOCATION, HELP, OPT_IN, TWILIO_OPT_OUT } from "../../../core/tracking/sms-keywords";
import { startTwilioSim, type TwilioSim } from "../../../scripts/sims/twilio-sim";

const accountSid = "AC" + "a".repeat(32);
const authToken = "f".repeat(32);

let sim: TwilioSim;
// The app side: a webhook server that verifies what the sim sends, like the real route will.
let app: http.Server;
let appUrl: string;
const statusResults: Array<ReturnType<typeof parseStatusCallback>> = [];
const inboundCtx = { shopName: "Tea Co", helpContact: "help@tea.example", currentlyOptedOut: false, providerAutoReplies: true };

beforeAll(async () => {
  sim = await startTwilioSim({ accountSid, authToken });
  app = http.createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    const request: WebhookRequest = {
      url: `${appUrl}${req.url}`,
      signature: req.headers["x-twilio-signature"] as string | undefined,
      params: Object.fromEntries(new URLSearchParams(body)),
    };
    if (req.url?.startsWith("/twilio/status")) {
      const r = parseStatusCallback(authToken, request);
      statusResults.push(r);
      res.writeHead(r.ok ? 204 : 403).end();
      return;
    }
    const r = handleInbound(authToken, request, inboundCtx);
    if (!r.ok) return void res.writeHead(403).end();
    res.writeHead(200, { "content-type": "text/xml", "x-consent": r.value.consent?.action ?? "none", "x-class": r.value.classification.kind });
    res.end(r.value.twiml);
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sim.close();
  await new Promise<void>((resolve) => app.close(() => resolve()));
});

const sms = (to: string, body = "Tea Co: 10% off with BACK10. Reply STOP to opt out"): SmsMessage => ({
  purpose: "promotional",
  to,
  from: "+15005550006",
  body,
  statusCallbackUrl: `${appUrl}/twilio/status?shop=1`,
});

describe("Twilio provider through the sim", () => {
  it("sends with the official client and gets a Twilio message SID", async () => {
    const channel = createTwilioChannel({ accountSid, authToken, baseUrl: sim.baseUrl });
    const r = await channel.send(sms("+447700900123"), "k1");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const recorded = sim.messages.find((m) => m.sid === r.value.providerMessageId);
    expect(recorded).toMatchObject({ to: "+447700900123", from: "+15005550006", body: expect.stringContaining("BACK10"), status_callback: `${appUrl}/twilio/status?shop=1` });
  });

  it("uses a Messaging Service SID when the sender is one", async () => {
    const channel = createTwilioChannel({ accountSid, authToken, baseUrl: sim.baseUrl });
    const r = await channel.send({ ...sms("+447700900124"), from: "MG" + "b".repeat(32) }, "k-mg");
    expect(r.ok).toBe(true);
    expect(sim.messages.at(-1)).toMatchObject({ from: null, messaging_service_sid: "MG" + "b".repeat(32) });
  });

  it("maps Twilio errors: opted-out and bad numbers are permanent, bad credentials permanent, outages transient", async () => {
    const channel = createTwilioChannel({ accountSid, authToken, baseUrl: sim.baseUrl });
    sim.optOut("+447700900999");
    expect(await channel.send(sms("+447700900999"), "k2")).toMatchObject({ ok: false, error: { kind: "permanent", code: "21610" } });
    expect(await channel.send(sms("07700 900"), "k3")).toMatchObject({ ok: false, error: { kind: "permanent", code: "21211" } });
    const wrong = createTwilioChannel({ accountSid, authToken: "0".repeat(32), baseUrl: sim.baseUrl });
    expect(await wrong.send(sms("+447700900123"), "k4")).toMatchObject({ ok: false, error: { kind: "permanent", code: "20003" } });
    sim.failNext(1, 503);
    expect(await channel.send(sms("+447700900123"), "k5")).toMatchObject({ ok: false, error: { kind: "transient" } });
  });

  it("a Twilio outage opens the shop's circuit; after the cool-down one trial closes it again", async () => {
    let now = 0;
    const states = new Map<string, BreakerState>();
    const guarded = guardChannel({
      channel: createTwilioChannel({ accountSid, authToken, baseUrl: sim.baseUrl }),
      provider: "twilio",
      shopOf: () => 1,
      config: { failureThreshold: 3, coolDownMs: 30_000 },
      now: () => now,
      states,
    });
    sim.failNext(3, 500);
    for (let i = 0; i < 3; i++) expect((await guarded.send(sms("+447700900126"), `o${i}`)).ok).toBe(false);
    const before = sim.messages.length;
    expect(await guarded.send(sms("+447700900126"), "o3")).toMatchObject({ ok: false, error: { code: "circuit_open" } });
    expect(states.get("1:twilio")).toMatchObject({ kind: "open" });
    now = 30_000;
    expect((await guarded.send(sms("+447700900126"), "o4")).ok).toBe(true);
    expect(sim.messages.length).toBe(before + 1);
    expect(states.get("1:twilio")).toEqual({ kind: "closed", consecutiveFailures: 0 });
  });

  it("counts segments like Twilio: a long UCS-2 body is several segments", async () => {
    const channel = createTwilioChannel({ accountSid, authToken, baseUrl: sim.baseUrl });
    const r = await channel.send(sms("+447700900127", "Zoë’s picks 🌸 ".repeat(10)), "k-seg");
    expect(r.ok).toBe(true);
    expect(sim.messages.at(-1)?.num_segments).toBe("3");
  });

  it("accepts status callbacks with a good signature and rejects forged ones", async () => {
    const channel = createTwilioChannel({ accountSid, authToken, baseUrl: sim.baseUrl });
    const r = await channel.send(sms("+447700900125"), "k6");
    if (!r.ok) throw new Error(r.error.message);
    statusResults.length = 0;
    expect(await sim.sendStatusCallback(r.value.providerMessageId, "delivered")).toBe(204);
    expect(statusResults[0]).toEqual({ ok: true, value: { providerMessageId: r.value.providerMessageId, status: "delivered", providerStatus: "delivered" } });
    expect(await sim.sendStatusCallback(r.value.providerMessageId, "undelivered", { extra: { ErrorCode: "30005" } })).toBe(204);
    expect(statusResults[1]).toMatchObject({ ok: true, value: { status: "failed", errorCode: "30005" } });
    expect(await sim.sendStatusCallback(r.value.providerMessageId, "delivered", { signWith: "not-the-token" })).toBe(403);
    expect(statusResults[2]).toEqual({ ok: false, error: "bad signature" });
  });
});

describe("inbound replies through the sim", () => {
  const inbound = (body: string, signWith?: string) => sim.sendInbound(`${appUrl}/twilio/inbound?shop=1`, { from: "+447700900123", to: "+15005550006", body }, { signWith });

  const optOuts = [...new Set([...FCC_REVOCATION.words, ...TWILIO_OPT_OUT.words])];
  it.each(optOuts)("%s revokes consent", async (word) => {
    const r = await inbound(word);
    expect(r.status).toBe(200);
    expect(r.body).toContain("<Response");
    // Twilio answers its own keywords itself; we only add a reply for the ones it does not know.
    if (TWILIO_OPT_OUT.words.includes(word)) expect(r.body).not.toContain("<Message>");
    else expect(r.body).toContain("unsubscribed");
  });

  it.each(OPT_IN.words)("%s grants consent", async (word) => {
    const res = await fetchInbound(word);
    expect(res.headers.get("x-consent")).toBe("grant");
  });

  it.each(HELP.words)("%s is help, no consent change", async (word) => {
    const res = await fetchInbound(word);
    expect(res.headers.get("x-class")).toBe("help");
    expect(res.headers.get("x-consent")).toBe("none");
  });

  it("free-form opt-out gets our confirmation and a revoke; chatter gets nothing", async () => {
    const stop = await fetchInbound("please stop texting me");
    expect(stop.headers.get("x-consent")).toBe("revoke");
    expect(await stop.text()).toContain("<Message>Tea Co: You have successfully been unsubscribed.");
    const chat = await fetchInbound("don't stop the deals");
    expect(chat.headers.get("x-consent")).toBe("none");
    expect(await chat.text()).not.toContain("<Message>");
  });

  it("rejects an inbound webhook with a bad signature", async () => {
    expect((await inbound("STOP", "forged")).status).toBe(403);
  });

  // Like sendInbound, but keeps the response headers the test app sets.
  async function fetchInbound(body: string) {
    const { twilioSignature } = await import("../../../scripts/sims/twilio-sim");
    const url = `${appUrl}/twilio/inbound?shop=1`;
    const params = { AccountSid: accountSid, Body: body, From: "+447700900123", MessageSid: "SM" + "c".repeat(32), To: "+15005550006" };
    return fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(authToken, url, params) }, body: new URLSearchParams(params).toString() });
  }
});
