// A local stand-in for Twilio's Programmable Messaging REST API, following its documented
// contract closely enough for the official client: POST
// /2010-04-01/Accounts/{AccountSid}/Messages.json with a form body, HTTP Basic auth
// (account SID + auth token), JSON message resources, and Twilio's error shape
// {code, message, more_info, status}. It records messages, honours opt-outs with error
// 21610, can simulate outages, and sends status callbacks and inbound messages signed with
// X-Twilio-Signature (HMAC-SHA1 over URL + sorted params, base64).
import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { countSegments } from "../../core/content/sms-segments";

export type SimMessage = {
  sid: string;
  account_sid: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  status_callback: string | null;
  num_segments: string;
  date_created: string;
};

export type TwilioSim = {
  baseUrl: string;
  messages: SimMessage[];
  /** Later sends to this number fail with 21610, as after a STOP. */
  optOut(number: string): void;
  /** The next n requests get this HTTP status (an outage) instead of being processed. */
  failNext(n: number, status: number): void;
  /** POSTs a signed status callback for a recorded message to its StatusCallback URL. */
  sendStatusCallback(sid: string, status: string, opts?: { signWith?: string; extra?: Record<string, string> }): Promise<number>;
  /** POSTs a signed inbound message webhook, as Twilio does for replies. */
  sendInbound(url: string, msg: { from: string; to: string; body: string }, opts?: { signWith?: string }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
};

export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

const rfc2822 = (d: Date) => d.toUTCString().replace("GMT", "+0000");

function twilioError(res: http.ServerResponse, status: number, code: number, message: string) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function postForm(url: string, params: Record<string, string>, signature: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

export async function startTwilioSim(opts: {
  accountSid: string;
  authToken: string;
  port?: number;
  /** Called for every accepted message (the demo stores it in its Outbox). */
  onMessage?: (msg: SimMessage) => void | Promise<void>;
  /** Play Twilio's lifecycle: signed "sent" then "delivered" callbacks this long after each send. */
  autoStatus?: { delayMs: number };
}): Promise<TwilioSim> {
  const messages: SimMessage[] = [];
  const optedOut = new Set<string>();
  let failures = { remaining: 0, status: 503 };

  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    if (failures.remaining > 0) {
      failures.remaining--;
      return twilioError(res, failures.status, 20500, "Service unavailable (simulated outage)");
    }
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url?.split("?")[0] ?? "");
    if (!m) return twilioError(res, 404, 20404, "The requested resource was not found");
    const auth = req.headers.authorization ?? "";
    const [user, pass] = Buffer.from(auth.replace(/^Basic /, ""), "base64").toString("utf8").split(":");
    if (!auth.startsWith("Basic ") || user !== opts.accountSid || pass !== opts.authToken) {
      return twilioError(res, 401, 20003, "Authenticate");
    }
    if (m[1] !== opts.accountSid) return twilioError(res, 404, 20404, "The requested resource was not found");
    if (req.method !== "POST") return twilioError(res, 405, 20004, "Method not allowed");

    const form = Object.fromEntries(new URLSearchParams(body));
    if (!form.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(form.To)) return twilioError(res, 400, 21211, `Invalid 'To' Phone Number: ${form.To}`);
    if (!form.From && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
    if (!form.Body) return twilioError(res, 400, 21602, "Message body is required.");
    if (optedOut.has(form.To)) return twilioError(res, 400, 21610, "Attempt to send to unsubscribed recipient");

    const now = new Date();
    const sid = `SM${randomBytes(16).toString("hex")}`;
    const msg: SimMessage = {
      sid,
      account_sid: opts.accountSid,
      to: form.To,
      from: form.From ?? null,
      messaging_service_sid: form.MessagingServiceSid ?? null,
      body: form.Body,
      status: "queued",
      status_callback: form.StatusCallback ?? null,
      num_segments: String(countSegments(form.Body).segments),
      date_created: rfc2822(now),
    };
    messages.push(msg);
    try {
      await opts.onMessage?.(msg);
    } catch {
      // The sim's observer failing must not fail the send (Twilio would have sent it).
    }
    if (opts.autoStatus && msg.status_callback) {
      const delay = opts.autoStatus.delayMs;
      setTimeout(() => {
        void sim.sendStatusCallback(sid, "sent").then(() => new Promise((r) => setTimeout(r, delay))).then(() => sim.sendStatusCallback(sid, "delivered")).catch(() => {});
      }, delay).unref();
    }
    res.writeHead(201, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        ...msg,
        api_version: "2010-04-01",
        date_updated: msg.date_created,
        date_sent: null,
        direction: "outbound-api",
        error_code: null,
        error_message: null,
        num_media: "0",
        price: null,
        price_unit: "USD",
        uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}.json`,
        subresource_uris: { media: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}/Media.json` },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const sim: TwilioSim = {
    baseUrl: `http://127.0.0.1:${port}`,
    messages,
    optOut: (n) => void optedOut.add(n),
    failNext: (n, status) => void (failures = { remaining: n, status }),
    async sendStatusCallback(sid, status, o = {}) {
      const msg = messages.find((x) => x.sid === sid);
      if (!msg?.status_callback) throw new Error(`no status callback for ${sid}`);
      msg.status = status;
      const params: Record<string, string> = {
        AccountSid: opts.accountSid,
        ApiVersion: "2010-04-01",
        From: msg.from ?? "",
        MessageSid: sid,
        MessageStatus: status,
        SmsSid: sid,
        SmsStatus: status,
        To: msg.to,
        ...o.extra,
      };
      const r = await postForm(msg.status_callback, params, twilioSignature(o.signWith ?? opts.authToken, msg.status_callback, params));
      return r.status;
    },
    async sendInbound(url, msg, o = {}) {
      const sid = `SM${randomBytes(16).toString("hex")}`;
      const params = { AccountSid: opts.accountSid, ApiVersion: "2010-04-01", Body: msg.body, From: msg.from, MessageSid: sid, NumMedia: "0", NumSegments: "1", SmsMessageSid: sid, SmsSid: sid, SmsStatus: "received", To: msg.to };
      return postForm(url, params, twilioSignature(o.signWith ?? opts.authToken, url, params));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sim;
}

// `tsx scripts/sims/twilio-sim.ts [port]`: run standalone for local development.
if (import.meta.url === `file://${process.argv[1]}`) {
  const accountSid = process.env.TWILIO_ACCOUNT_SID ?? `AC${"0".repeat(32)}`;
  const authToken = process.env.TWILIO_AUTH_TOKEN ?? "0".repeat(32);
  startTwilioSim({ accountSid, authToken, port: Number(process.argv[2] ?? 4010) }).then((sim) => {
    console.log(`twilio sim on ${sim.baseUrl} (account ${accountSid})`);
  });
}
