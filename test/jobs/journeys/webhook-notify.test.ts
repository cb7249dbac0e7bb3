// The webhook and notify-the-merchant nodes against real PostgreSQL, a real local HTTP
// server standing in for the merchant's endpoint and the demo SMTP sink standing in for the
// shop's email provider. The shop's signing secret and the merchant mailer are the app's own.
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { processEffect } from "../../../jobs/journeys/effects/run";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import { processEnrollment } from "../../../jobs/journeys/step";
import { sweepJourneys } from "../../../jobs/journeys/sweeper";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { createQueueSystem } from "../../../jobs/queues";
import { startSmtpSink } from "../../../scripts/sims/smtp-sink";
import { configureAppEnv } from "../../helpers/app-env";
import { createTestDatabase } from "../../helpers/db";
import { insertCustomers, insertEvents, journeyShop, publish } from "./fixtures";

const db = await createTestDatabase("jwh");
configureAppEnv(db, { NODE_ENV: "test" });
const { webhookSecretFor, journeyWebhookOptions, merchantMailer } = await import("../../../app/models/journey-effects.server");
const { saveProviderCredential } = await import("../../../app/models/channels.server");
const { closeDatabase } = await import("../../../app/db.server");
const { redactCustomer } = await import("../../../app/models/privacy.server");
const qs = createQueueSystem({ databaseUrl: db.url });
const smtp = await startSmtpSink();

// The merchant's endpoint: records every request; answers from a plan (status or "hang").
interface Received { headers: http.IncomingHttpHeaders; body: string; statusAtCall: unknown }
const received: Received[] = [];
let plan: (n: number) => number | "hang" = () => 200;
let onRequest: (key: string) => Promise<unknown> = async () => null;
const hung: http.ServerResponse[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const statusAtCall = await onRequest(String(req.headers["idempotency-key"] ?? ""));
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), statusAtCall });
    const answer = plan(received.length);
    if (answer === "hang") hung.push(res);
    else res.writeHead(answer).end();
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/winback`;

afterAll(async () => {
  for (const r of hung) r.destroy();
  await new Promise((r) => server.close(r));
  await smtp.close();
  await qs.close();
  await closeDatabase();
  await db.drop();
});

let clockMs = Date.now();
const RETRY = { maxAttempts: 3, baseMs: 1_000, maxMs: 10_000 };
function deps(over: Partial<JourneyDeps> = {}): JourneyDeps {
  return {
    db: db.pool, qs, channels: {}, now: () => new Date(clockMs), merchantMail: merchantMailer(),
    webhooks: { ...journeyWebhookOptions(), timeoutMs: 300, retry: RETRY }, ...over,
  };
}
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
const effect = async (shopId: number) => (await q<{ id: string; status: string; attempts: number; idempotency_key: string; error: string | null; next_attempt_at: Date | null }>(
  `select id::text, status, attempts, idempotency_key, error, next_attempt_at from journey_effects where shop_id = $1 order by id`, [shopId]));

async function fire(d: JourneyDeps, shopId: number, customers: string[], name: string) {
  const ids = await insertEvents(db.pool, shopId, customers, name);
  for (const e of ids) await handleJourneyEvent(d, shopId, e);
  return ids;
}

const webhookJourney = (trigger: string, url = hookUrl, fields: string[] = ["email", "first_name"]): JourneyInput => ({
  id: "draft", version: 1, name: `Hook on ${trigger}`, trigger: { kind: "custom_event", name: trigger }, startNodeId: "hook",
  nodes: [
    { id: "hook", type: "webhook", label: "Tell the CRM", url, fields: fields as never, next: "end" },
    { id: "end", type: "exit" },
  ],
});

function reset(p: typeof plan = () => 200) {
  received.length = 0;
  plan = p;
  onRequest = async () => null;
}

describe("webhook node", () => {
  it("posts once, signed with the shop's secret, keyed, recorded before the call, with only the chosen fields", async () => {
    reset();
    const shopId = await journeyShop(db.pool, "wh1.myshopify.com");
    const [c] = await insertCustomers(db.pool, shopId, 1);
    await db.pool.query(`update customers set first_name = 'Ann', city = 'Boston' where shop_id = $1 and id = $2`, [shopId, c]);
    const journeyId = await publish(db.pool, shopId, webhookJourney("w1"));
    onRequest = async (key) => (await q(`select status, attempts from journey_effects where shop_id = $1 and idempotency_key = $2`, [shopId, key]))[0];
    const d = deps();
    const [eventId] = await fire(d, shopId, [c], "w1");
    await handleJourneyEvent(d, shopId, eventId); // a repeat of the event changes nothing

    expect(received).toHaveLength(1);
    const r = received[0];
    expect(r.statusAtCall).toEqual({ status: "calling", attempts: 1 }); // the key was on record before the call
    const [row] = await effect(shopId);
    expect(r.headers["idempotency-key"]).toBe(row.idempotency_key);
    expect(row).toMatchObject({ status: "succeeded", attempts: 1 });
    const secret = await webhookSecretFor(shopId);
    const [, t, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers["x-winback-signature"]))!;
    expect(mac).toBe(createHmac("sha256", secret).update(`${t}.${r.body}`).digest("hex"));
    expect(r.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(r.body);
    const email = (await q<{ email: string }>(`select email from customers where shop_id = $1 and id = $2`, [shopId, c]))[0].email;
    expect(body).toMatchObject({ type: "journey.webhook", journey: { id: journeyId, version: 1, name: "Hook on w1" }, node: { id: "hook", label: "Tell the CRM" } });
    expect(body.customer).toEqual({ id: c, email, first_name: "Ann" }); // no phone, no city
    expect(r.body).not.toContain("Boston");
    expect(await processEffect(d, shopId, row.id)).toEqual({ kind: "done" });
    expect(received).toHaveLength(1);
    // Another shop signs with another secret.
    const other = await journeyShop(db.pool, "wh1b.myshopify.com");
    expect(await webhookSecretFor(other)).not.toBe(secret);
  });

  it("retries a 5xx and a timeout with backoff under the same key, then succeeds", async () => {
    reset((n) => (n === 1 ? 503 : n === 2 ? "hang" : 200));
    const shopId = await journeyShop(db.pool, "wh2.myshopify.com");
    const [c] = await insertCustomers(db.pool, shopId, 1);
    await publish(db.pool, shopId, webhookJourney("w2"));
    const d = deps();
    await fire(d, shopId, [c], "w2");
    let [row] = await effect(shopId);
    expect(row).toMatchObject({ status: "retrying", attempts: 1, error: "HTTP 503" });
    expect(row.next_attempt_at!.getTime() - clockMs).toBe(1_000);
    expect(await processEffect(d, shopId, row.id)).toEqual({ kind: "not_due" });
    clockMs += 1_000;
    expect((await processEffect(d, shopId, row.id)).kind).toBe("retrying"); // the endpoint hangs: timed out
    [row] = await effect(shopId);
    expect(row).toMatchObject({ status: "retrying", attempts: 2, error: "timed out" });
    expect(row.next_attempt_at!.getTime() - clockMs).toBe(2_000);
    clockMs += 2_000;
    expect(await processEffect(d, shopId, row.id)).toEqual({ kind: "succeeded", status: 200 });
    expect(received.map((r) => r.headers["x-winback-attempt"])).toEqual(["1", "2", "3"]);
    expect(new Set(received.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    expect(new Set(received.map((r) => r.body)).size).toBe(1); // the same bytes each time
  });

  it("gives up after the last retry and raises an alert; a 4xx fails at once", async () => {
    reset(() => 500);
    const shopId = await journeyShop(db.pool, "wh3.myshopify.com");
    const [a, b] = await insertCustomers(db.pool, shopId, 2);
    await publish(db.pool, shopId, webhookJourney("w3"));
    const d = deps();
    await fire(d, shopId, [a], "w3");
    const [row] = await effect(shopId);
    for (let i = 0; i < 5; i++) {
      clockMs += 20_000;
      await processEffect(d, shopId, row.id);
    }
    expect(received).toHaveLength(3);
    expect((await effect(shopId))[0]).toMatchObject({ status: "gave_up", attempts: 3 });
    const alerts = await q<{ kind: string; message: string }>(`select kind, message from alerts where shop_id = $1 and resolved_at is null`, [shopId]);
    expect(alerts).toEqual([{ kind: "webhook_failed", message: "webhook call from node hook gave up after its last retry: HTTP 500" }]);

    reset(() => 400);
    await fire(d, shopId, [b], "w3");
    expect(received).toHaveLength(1);
    expect((await effect(shopId))[1]).toMatchObject({ status: "failed", attempts: 1, error: "HTTP 400" });
    expect(await q(`select 1 from alerts where shop_id = $1 and kind = 'webhook_failed'`, [shopId])).toHaveLength(2);
  });

  it("a crash between record and call is swept; a crash during the call retries under the same key; racing workers call once", async () => {
    reset();
    clockMs = Date.now(); // the sweeper reads the database's clock
    const shopId = await journeyShop(db.pool, "wh4.myshopify.com");
    const [a, b, c] = await insertCustomers(db.pool, shopId, 3);
    await publish(db.pool, shopId, webhookJourney("w4"));
    // inline: false hands the call to the queue, which (here) never runs it: as if lost.
    const queued = deps({ inline: false });
    await fire(queued, shopId, [a], "w4");
    expect((await effect(shopId))[0].status).toBe("queued");
    expect(received).toHaveLength(0);
    const swept = await sweepJourneys(deps(), { graceMs: 0 });
    expect(swept.effects).toBe(1);
    expect(received).toHaveLength(1);
    expect((await effect(shopId))[0].status).toBe("succeeded");

    // Died mid-call: the row says `calling` and no worker holds it.
    await fire(queued, shopId, [b], "w4");
    let row = (await effect(shopId))[1];
    await db.pool.query(`update journey_effects set status = 'calling', attempts = 1 where shop_id = $1 and id = $2`, [shopId, row.id]);
    expect((await processEffect(deps(), shopId, row.id)).kind).toBe("retrying");
    row = (await effect(shopId))[1];
    expect(row).toMatchObject({ status: "retrying", attempts: 1, error: "interrupted during the call (worker stopped)" });
    clockMs += 1_000;
    expect((await processEffect(deps(), shopId, row.id)).kind).toBe("succeeded");
    expect(received[1].headers["idempotency-key"]).toBe(row.idempotency_key);
    expect(received[1].headers["x-winback-attempt"]).toBe("2");

    await fire(queued, shopId, [c], "w4");
    row = (await effect(shopId))[2];
    const outcomes = await Promise.all([0, 1, 2, 3].map(() => processEffect(deps(), shopId, row.id)));
    expect(outcomes.filter((o) => o.kind === "succeeded")).toHaveLength(1);
    expect(received.filter((r) => r.headers["idempotency-key"] === row.idempotency_key)).toHaveLength(1);
  });

  it("refuses, after DNS, a host that resolves to a private or link-local address (no request, an alert)", async () => {
    reset();
    const shopId = await journeyShop(db.pool, "wh5.myshopify.com");
    const [a, b] = await insertCustomers(db.pool, shopId, 2);
    await publish(db.pool, shopId, webhookJourney("w5", "https://hooks.example.com/x"));
    const answers: Record<string, { address: string; family: number }[]> = {
      [a]: [{ address: "169.254.169.254", family: 4 }],
      [b]: [{ address: "93.184.216.34", family: 4 }, { address: "10.0.0.8", family: 4 }], // one bad answer is enough
    };
    for (const c of [a, b]) {
      const d = deps({ webhooks: { ...journeyWebhookOptions(), timeoutMs: 300, retry: RETRY, resolve: async () => answers[c] } });
      await fire(d, shopId, [c], "w5");
    }
    expect(received).toHaveLength(0);
    const rows = await effect(shopId);
    expect(rows.map((r) => r.status)).toEqual(["failed", "failed"]);
    expect(rows[0].error).toBe("hooks.example.com resolves to a link-local address (169.254.169.254)");
    expect(rows[1].error).toBe("hooks.example.com resolves to a private address (10.0.0.8)");
    expect(await q(`select 1 from alerts where shop_id = $1 and kind = 'webhook_failed'`, [shopId])).toHaveLength(2);
  });

  it("publish refuses a URL that may not be called", async () => {
    const shopId = await journeyShop(db.pool, "wh6.myshopify.com");
    await expect(publish(db.pool, shopId, webhookJourney("w6", "http://hooks.example.com/x"))).rejects.toThrow(/webhook url must be https/);
    await expect(publish(db.pool, shopId, webhookJourney("w6", "https://192.168.1.20/x"))).rejects.toThrow(/private address/);
  });
});

describe("notify the merchant", () => {
  const notifyJourney = (trigger: string, email = true): JourneyInput => ({
    id: "draft", version: 1, name: `Notify on ${trigger}`, trigger: { kind: "custom_event", name: trigger }, startNodeId: "tell",
    nodes: [
      { id: "tell", type: "notify_merchant", subject: "VIP back: {{ customer.first_name }}", email,
        message: "{{ customer.first_name }} {{ customer.last_name | default: '' }} ({{ customer.email }}) came back to {{ shop.name }}.", next: "end" },
      { id: "end", type: "exit" },
    ],
  });

  it("emails the shop's contact through the shop's email channel and raises an in-app alert, once", async () => {
    const shopId = await journeyShop(db.pool, "nm1.myshopify.com");
    await db.pool.query(`update shops set name = 'Café Zoë', settings = settings || '{"email": "owner@nm1.example"}' where id = $1`, [shopId]);
    const saved = await saveProviderCredential(shopId, "smtp", { host: smtp.host, port: String(smtp.port), fromAddress: "winback@nm1.example", fromName: "Winback" });
    expect(saved.ok).toBe(true);
    const [c] = await insertCustomers(db.pool, shopId, 1);
    await db.pool.query(`update customers set first_name = 'Ann', last_name = 'Lee' where shop_id = $1 and id = $2`, [shopId, c]);
    const email = (await q<{ email: string }>(`select email from customers where shop_id = $1 and id = $2`, [shopId, c]))[0].email;
    await publish(db.pool, shopId, notifyJourney("n1"));
    const before = smtp.received.length;
    const d = deps();
    const [eventId] = await fire(d, shopId, [c], "n1");
    await handleJourneyEvent(d, shopId, eventId);
    const [row] = await effect(shopId);
    expect(await processEffect(d, shopId, row.id)).toEqual({ kind: "done" });

    const mails = smtp.received.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0].recipients).toEqual(["owner@nm1.example"]);
    expect(mails[0].subject).toBe("VIP back: Ann");
    expect(mails[0].text).toContain(`Ann Lee (${email}) came back to Café Zoë.`);
    expect(row).toMatchObject({ status: "succeeded", attempts: 1 });
    const alerts = await q<{ kind: string; message: string; details: Record<string, unknown> }>(`select kind, message, details from alerts where shop_id = $1`, [shopId]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: "notify_merchant", message: `Ann Lee (${email}) came back to Café Zoë.`, details: { nodeId: "tell", customerId: c } });
    const steps = await q(`select node_id, completed_at is not null as done from journey_steps where shop_id = $1 order by node_id`, [shopId]);
    expect(steps).toEqual([{ node_id: "end", done: true }, { node_id: "tell", done: true }]);
    // Erasing the customer erases the personalised alert and the effect row with them.
    await redactCustomer(db.pool, shopId, { email }, []);
    expect(await q(`select 1 from alerts where shop_id = $1`, [shopId])).toHaveLength(0);
    expect(await q(`select 1 from journey_effects where shop_id = $1`, [shopId])).toHaveLength(0);
  });

  it("without an email channel (or with email off) the in-app alert still tells the merchant", async () => {
    const shopId = await journeyShop(db.pool, "nm2.myshopify.com");
    await db.pool.query(`update shops set settings = settings || '{"email": "owner@nm2.example"}' where id = $1`, [shopId]);
    const [a, b] = await insertCustomers(db.pool, shopId, 2);
    await publish(db.pool, shopId, notifyJourney("n2"));
    await publish(db.pool, shopId, notifyJourney("n2off", false));
    const d = deps();
    await fire(d, shopId, [a], "n2");
    await fire(d, shopId, [b], "n2off");
    const rows = await effect(shopId);
    expect(rows).toHaveLength(1); // email off: no email row at all
    expect(rows[0]).toMatchObject({ status: "failed", error: "no email channel is set up" });
    const alerts = await q<{ kind: string }>(`select kind from alerts where shop_id = $1 order by id`, [shopId]);
    expect(alerts.map((x) => x.kind)).toEqual(["notify_merchant", "notify_merchant"]);
  });

  it("refuses on publish a message naming an unknown variable", async () => {
    const shopId = await journeyShop(db.pool, "nm3.myshopify.com");
    const bad = notifyJourney("n3");
    (bad.nodes[0] as { message: string }).message = "{{ customer.password }}";
    await expect(publish(db.pool, shopId, bad)).rejects.toThrow(/"nodeId":"tell","message":"message: unknown variable .{1,2}customer\.password/);
  });
});

it("an enrollment resumed from a wait carries out its webhook once (processEnrollment replays are no-ops)", async () => {
  reset();
  const shopId = await journeyShop(db.pool, "wh7.myshopify.com");
  const [c] = await insertCustomers(db.pool, shopId, 1);
  await publish(db.pool, shopId, {
    id: "draft", version: 1, name: "Wait then hook", trigger: { kind: "custom_event", name: "w7" }, startNodeId: "w",
    nodes: [
      { id: "w", type: "wait", duration: { amount: 1, unit: "hours" }, next: "hook" },
      { id: "hook", type: "webhook", url: hookUrl, next: "end" },
      { id: "end", type: "exit" },
    ],
  });
  const d = deps();
  await fire(d, shopId, [c], "w7");
  expect(received).toHaveLength(0);
  const [e] = await q<{ id: string }>(`select id::text from enrollments where shop_id = $1`, [shopId]);
  clockMs += 3_600_000;
  await Promise.all([processEnrollment(d, shopId, e.id), processEnrollment(d, shopId, e.id)]);
  await processEnrollment(d, shopId, e.id);
  expect(received).toHaveLength(1);
  expect(JSON.parse(received[0].body).customer).toEqual({ id: c });
});
