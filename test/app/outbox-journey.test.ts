// A journey's message through the provider registry (jobs/journeys ChannelRegistry) into the
// demo's local providers: rendered for the customer, tracked links and open pixel in, a
// signed one-click unsubscribe header out, captured in the Outbox; then the customer's click
// on the captured email goes through the real click route and is recorded.
import { afterAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const DOMAIN = "journey-outbox.myshopify.com";
const db: TestDatabase = await createTestDatabase();
configureAppEnv(db, { SHOPIFY_APP_URL: "https://winback.test" });
const { startDemoChannels } = await import("../../scripts/sims/demo-channels");
const { journeyChannelRegistry } = await import("../../app/models/channels.server");
const { loader: click } = await import("../../app/routes/t.c.$token");
const unsubscribe = await import("../../app/routes/t.u.$token");
const { setStoreConsentWriter } = await import("../../app/models/consent.server");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues } = await import("../../jobs/queues");
setStoreConsentWriter(null);

const shopId = await insertShop(db.pool, DOMAIN);
await db.pool.query(`update shops set name = 'Bean There' where id = $1`, [shopId]);
const demo = await startDemoChannels(db.pool, DOMAIN, { autoStatusMs: 60_000 });
const registry = journeyChannelRegistry();

afterAll(async () => {
  await demo.close();
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

async function queuedMessage(channel: "email" | "sms", recipient: string, contentId: string | null) {
  const c = await db.pool.query<{ id: string }>(
    `insert into customers (shop_id, email, phone, first_name, email_consent, sms_consent, updated_at) values ($1, $2, $3, 'Zoë', 'subscribed', 'subscribed', now()) returning id::text`,
    [shopId, channel === "email" ? recipient : null, channel === "sms" ? recipient : null],
  );
  const m = await db.pool.query<{ id: string }>(
    `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, recipient, status) values ($1, $2, $3, $4::"MessageChannel", 'promotional', $5, 'sending') returning id::text`,
    [shopId, `e1:n1:${c.rows[0].id}`, c.rows[0].id, channel, recipient],
  );
  return {
    msg: { shopId, messageId: m.rows[0].id, customerId: c.rows[0].id, channel, purpose: "promotional" as const, contentId, recipient, journeyId: null, nodeId: "n1", variant: null },
    key: `e1:n1:${c.rows[0].id}`,
  };
}

type Fn = (args: { request: Request; params: Record<string, string>; context: {} }) => Promise<Response>;

describe("journey sends through the registry", () => {
  it("email: library content rendered, links tracked, one-click header signed, captured; a click on it is recorded", async () => {
    await db.pool.query(
      `insert into message_contents (shop_id, name, channel, purpose, body, template_key) values ($1, 'Miss you', 'email', 'promotional', $2, 'vip-offer')`,
      [shopId, JSON.stringify({ channel: "email", purpose: "promotional", subject: "{{ customer.first_name }}, your beans are waiting", preheader: "", mjml: `<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ customer.first_name }}</mj-text><mj-button href="https://bean-there.example/collections/new">Shop new roasts</mj-button></mj-column></mj-section></mj-body></mjml>` })],
    );
    const { msg, key } = await queuedMessage("email", "zoe@example.com", "vip-offer");
    const r = await registry.email!.send(msg, key);
    expect(r.ok).toBe(true);
    const mail = demo.smtp.received.at(-1)!;
    expect(mail.subject).toBe("Zoë, your beans are waiting");
    expect(mail.html).toContain("Hi Zoë");
    expect(mail.html).not.toContain('href="https://bean-there.example/collections/new"');
    expect(mail.html).toMatch(/https:\/\/winback\.test\/t\/o\/[\w-]+\.[\w-]+/);
    expect(mail.html).toContain("1 Roastery Lane");
    const listUnsub = mail.headers.get("list-unsubscribe") ?? "";
    expect(listUnsub).toMatch(/^<https:\/\/winback\.test\/t\/u\/[\w-]+\.[\w-]+>$/);

    const outbox = await db.pool.query(`select channel::text, recipient, subject, customer_id::text from outbox where shop_id = $1 and provider_message_id = $2`, [shopId, r.ok ? r.value.providerMessageId : ""]);
    // Tied to the customer, so customers/redact erases the captured copy with the rest.
    expect(outbox.rows).toEqual([{ channel: "email", recipient: "zoe@example.com", subject: "Zoë, your beans are waiting", customer_id: msg.customerId }]);

    // The customer clicks the button in the mail as delivered.
    const href = /href="(https:\/\/winback\.test\/t\/c\/([^"]+))"/.exec(mail.html!)!;
    const res = await (click as unknown as Fn)({ request: new Request(href[1]), params: { token: href[2] }, context: {} });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://bean-there.example/collections/new");
    const ev = await db.pool.query(`select properties from events where shop_id = $1 and message_id = $2 and name = 'message_clicked'`, [shopId, msg.messageId]);
    expect(ev.rows).toEqual([{ properties: { channel: "email", url: "https://bean-there.example/collections/new" } }]);

    // And the mailbox provider's one-click POST to the header's URL unsubscribes.
    const unsubUrl = listUnsub.slice(1, -1);
    const token = unsubUrl.split("/t/u/")[1];
    const post = new Request(unsubUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect((await (unsubscribe.action as unknown as Fn)({ request: post, params: { token }, context: {} })).status).toBe(200);
    const c = await db.pool.query(`select email_consent::text from customers where shop_id = $1 and id = $2`, [shopId, msg.customerId]);
    expect(c.rows[0].email_consent).toBe("unsubscribed");
  });

  it("content not in the library yet falls back to the shop's generic copy", async () => {
    const { msg, key } = await queuedMessage("email", "sam@example.com", "lifecycle-welcome-story");
    const r = await registry.email!.send(msg, key);
    expect(r.ok).toBe(true);
    expect(demo.smtp.received.at(-1)!.subject).toBe("Zoë, we miss you at Bean There");
  });

  it("sms: rendered with the opt-out line, sent to the Twilio simulator with our status callback, captured", async () => {
    const { msg, key } = await queuedMessage("sms", "+12125550142", null);
    const r = await registry.sms!.send(msg, key);
    expect(r.ok).toBe(true);
    const sent = demo.twilio.messages.at(-1)!;
    expect(sent.body).toMatch(/^Bean There: Zoë, we miss you!.*Reply STOP to opt out\.$/);
    expect(sent.status_callback).toBe(`https://winback.test/webhooks/twilio/status?shop=${encodeURIComponent(DOMAIN)}`);
    const outbox = await db.pool.query(`select channel::text, body_text from outbox where shop_id = $1 and provider_message_id = $2`, [shopId, sent.sid]);
    expect(outbox.rows[0].channel).toBe("sms");
  });

  it("the Outbox lists captured items once (with the send's own status) and sends no local provider captured", async () => {
    const { listOutbox } = await import("../../app/models/outbox.server");
    const { msg, key } = await queuedMessage("email", "kim@example.com", null);
    const r = await registry.email!.send(msg, key);
    if (!r.ok) throw new Error(r.error.message);
    // As the engine records it after the provider accepted it.
    await db.pool.query(`update messages set status = 'delivered', provider = 'smtp', provider_message_id = $3, sent_at = now() where shop_id = $1 and id = $2`, [shopId, msg.messageId, r.value.providerMessageId]);
    const other = await queuedMessage("email", "lee@example.com", null);
    await db.pool.query(`update messages set status = 'sent', provider = 'smtp', provider_message_id = '<elsewhere@x>', sent_at = now() + interval '1 minute' where shop_id = $1 and id = $2`, [shopId, other.msg.messageId]);

    const rows = await listOutbox(shopId);
    const captured = rows.filter((x) => x.recipient === "ki***@example.com");
    expect(captured).toHaveLength(1);
    expect(captured[0]).toMatchObject({ status: "delivered", hasHtml: true });
    expect(rows[0]).toMatchObject({ id: `m${other.msg.messageId}`, recipient: "le***@example.com", status: "sent", hasHtml: false });
  });
});
