// The content library on real PostgreSQL: saving rejects unknown Liquid variables with line
// and name, saving writes a new version that leaves journeys on the old row untouched,
// preview renders a real customer's data with fallbacks, and "Send test" delivers through
// the shop's SMTP provider to a real smtp-server (the demo's sink, which fills the Outbox),
// and an SMS test through the Twilio simulator.
import { afterAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const DOMAIN = "content-lib.myshopify.com";
const db: TestDatabase = await createTestDatabase("content");
configureAppEnv(db, { WINBACK_DEMO_SHOP: DOMAIN, NODE_ENV: "development" });
const m = await import("../../app/models/content.server");
const { startDemoChannels } = await import("../../scripts/sims/demo-channels");
const { journeyChannelRegistry } = await import("../../app/models/channels.server");
const newRoute = await import("../../app/routes/app.content.new");
const editRoute = await import("../../app/routes/app.content.$id");
const previewRoute = await import("../../app/routes/app.content.preview");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues } = await import("../../jobs/queues");

const shopId = await insertShop(db.pool, DOMAIN);
const otherShop = await insertShop(db.pool, "other-content.myshopify.com");
await db.pool.query(`update shops set name = 'Bean There', settings = jsonb_build_object('email', 'owner@bean-there.example') where id = $1`, [shopId]);

async function customer(shop: number, email: string, firstName: string | null): Promise<string> {
  const r = await db.pool.query<{ id: string }>(
    `insert into customers (shop_id, email, first_name, email_consent, updated_at) values ($1, $2, $3, 'subscribed', now()) returning id::text`,
    [shop, email, firstName],
  );
  return r.rows[0].id;
}
async function order(shop: number, customerId: string, name: string, total: number, title: string) {
  const o = await db.pool.query<{ id: string }>(
    `insert into orders (shop_id, source, external_id, customer_id, name, processed_at, currency, total, updated_at)
     values ($1, 'shopify', $2, $3, $4, now() - interval '20 days', 'USD', $5, now()) returning id::text`,
    [shop, `o-${name}`, customerId, name, total],
  );
  await db.pool.query(`insert into order_lines (shop_id, order_id, title, quantity, price) values ($1, $2, $3, 1, $4)`, [shop, o.rows[0].id, title, total]);
}

const zoe = await customer(shopId, "zoe@example.com", "Zoë");
await order(shopId, zoe, "#1001", 4250, "Ethiopia Guji");
const anon = await customer(shopId, "nobody@example.com", null);
const buyer = await customer(shopId, "buyer@example.com", "Sam");
await order(shopId, buyer, "#1002", 1800, "Colombia Huila");
const stranger = await customer(otherShop, "zoe.other@example.com", "Zoë");

const demo = await startDemoChannels(db.pool, DOMAIN, { autoStatusMs: 60_000 });

afterAll(async () => {
  await demo.close();
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

const email = (mjmlText: string, subject = "Hi {{ customer.first_name | default: 'friend' }}") => ({
  channel: "email",
  purpose: "promotional",
  subject,
  preheader: "",
  mjml: `<mjml><mj-body><mj-section><mj-column>\n<mj-text>${mjmlText}</mj-text>\n</mj-column></mj-section></mj-body></mjml>`,
});

type Fn = (args: { request: Request; params: Record<string, string>; context: {} }) => Promise<unknown>;
const post = (url: string, body: unknown) => new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("saving content", () => {
  it("rejects an unknown variable with its line and name, and stores nothing", async () => {
    const body = {
      channel: "email",
      purpose: "promotional",
      subject: "Hello",
      preheader: "",
      mjml: `<mjml><mj-body><mj-section><mj-column>\n<mj-text>Hi {{ customer.first_name }}</mj-text>\n<mj-text>Your size: {{ customer.shoe_size }}</mj-text>\n</mj-column></mj-section></mj-body></mjml>`,
    };
    const r = await m.saveContent(shopId, { name: "Bad", body });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.error).toEqual([expect.objectContaining({ part: "mjml", line: 3, name: "customer.shoe_size" })]);

    // The page's action returns the same issues for the inline errors.
    const res = (await (newRoute.action as unknown as Fn)({ request: post("https://winback.test/app/content/new", { name: "Bad", body: { channel: "sms", purpose: "informational", body: "Hi\n{{ custmer.first_name }}" } }), params: {}, context: {} })) as {
      issues: Array<{ part: string; line: number; name?: string }>;
    };
    expect(res.issues).toEqual([expect.objectContaining({ part: "body", line: 2, name: "custmer" })]);
    expect((await db.pool.query(`select count(*)::int as n from message_contents where shop_id = $1`, [shopId])).rows[0].n).toBe(0);
  });

  it("a save is a new version; journeys naming the old row keep it, journeys naming the key get the newest", async () => {
    // A ready-made message (as journeys templates install them): named by template key.
    const v1 = await db.pool.query<{ id: string }>(
      `insert into message_contents (shop_id, name, channel, purpose, body, template_key) values ($1, 'We miss you', 'email', 'promotional', $2, 'winback-we-miss-you') returning id::text`,
      [shopId, JSON.stringify(email("Version one for {{ customer.first_name }}", "One"))],
    );
    const v1Id = v1.rows[0].id;
    await db.pool.query(
      `insert into journeys (shop_id, id, name, status, draft) values
         ($1, 801, 'Pinned journey', 'draft', $2), ($1, 802, 'Keyed journey', 'draft', $3)`,
      [
        shopId,
        JSON.stringify({ nodes: [{ id: "s", type: "send", channel: "email", contentId: v1Id, purpose: "promotional", next: null }] }),
        JSON.stringify({ nodes: [{ id: "s", type: "send", channel: "email", contentId: "winback-we-miss-you", purpose: "promotional", next: null }] }),
      ],
    );

    const res = (await (editRoute.action as unknown as Fn)({
      request: post(`https://winback.test/app/content/${v1Id}`, { name: "We miss you", body: email("Version two for {{ customer.first_name }}", "Two") }),
      params: { id: v1Id },
      context: {},
    })) as Response;
    expect(res.status).toBe(302);
    const v2Id = res.headers.get("location")!.split("/").at(-1)!;
    expect(v2Id).not.toBe(v1Id);

    const rows = await db.pool.query(`select id::text, version, template_key, body->>'subject' as subject from message_contents where shop_id = $1 and name = 'We miss you' order by version`, [shopId]);
    expect(rows.rows).toEqual([
      { id: v1Id, version: 1, template_key: "winback-we-miss-you", subject: "One" },
      { id: v2Id, version: 2, template_key: "winback-we-miss-you", subject: "Two" },
    ]);

    const list = await m.listContents(shopId);
    const entry = list.find((c) => c.name === "We miss you")!;
    expect(entry).toMatchObject({ id: v2Id, version: 2 });
    expect(entry.usedBy.map((u) => [u.journeyName, u.pinnedVersion])).toEqual([
      ["Keyed journey", null],
      ["Pinned journey", 1],
    ]);

    // What the journey engine's registry sends for each reference.
    const registry = journeyChannelRegistry();
    const send = async (contentId: string, n: number) => {
      const msg = await db.pool.query<{ id: string }>(
        `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, recipient, status) values ($1, $2, $3, 'email', 'promotional', 'zoe@example.com', 'sending') returning id::text`,
        [shopId, `version-test-${n}`, zoe],
      );
      const r = await registry.email!.send(
        { shopId, messageId: msg.rows[0].id, customerId: zoe, channel: "email", purpose: "promotional", contentId, recipient: "zoe@example.com", journeyId: null, nodeId: "s", variant: null },
        `version-test-${n}`,
      );
      expect(r.ok).toBe(true);
      return demo.smtp.received.at(-1)!;
    };
    expect((await send(v1Id, 1)).subject).toBe("One");
    expect((await send("winback-we-miss-you", 2)).subject).toBe("Two");

    // The name is taken by that message; a new message cannot reuse it.
    const dup = await m.saveContent(shopId, { name: "We miss you", body: email("x") });
    expect(dup.ok ? [] : dup.error.map((i) => i.part)).toEqual(["name"]);
  });

  it("blocks: an unknown variable in a block is refused; messages include blocks and unknown blocks are refused", async () => {
    const bad = await m.saveBlock(shopId, { name: "footer", channel: "email", content: `<mj-section><mj-column>\n<mj-text>{{ shop.adress }}</mj-text></mj-column></mj-section>` });
    expect(bad.ok ? [] : bad.error).toEqual([expect.objectContaining({ field: "content", line: 2, name: "shop.adress" })]);
    const good = await m.saveBlock(shopId, { name: "footer", channel: "email", content: `<mj-section><mj-column><mj-text>Sent by {{ shop.name }}</mj-text></mj-column></mj-section>` });
    expect(good.ok).toBe(true);

    const body = { ...email("Hello"), mjml: `<mjml><mj-body>[[block:footer]]</mj-body></mjml>` };
    const p = await m.previewContent(shopId, body, null);
    expect(p.ok && p.value.channel === "email" && p.value.output.html).toContain("Sent by Bean There");
    const missing = await m.saveContent(shopId, { name: "Uses a missing block", body: { ...body, mjml: `<mjml><mj-body>\n[[block:header]]</mj-body></mjml>` } });
    expect(missing.ok ? [] : missing.error).toEqual([expect.objectContaining({ part: "mjml", line: 2, name: "header" })]);
  });
});

describe("preview with a real customer", () => {
  const body = email(
    `Hi {{ customer.first_name | default: "there" }}, your last order {{ last_order.name }} was {{ last_order.total }}: {% for l in last_order.line_items %}{{ l.title }}{% endfor %}.`,
  );

  it("renders the customer's own data", async () => {
    const r = await m.previewContent(shopId, body, zoe);
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.channel !== "email") return;
    expect(r.value.variant).toBe("primary");
    expect(r.value.output.subject).toBe("Hi Zoë");
    expect(r.value.output.text).toContain("Hi Zoë, your last order #1001 was $42.50: Ethiopia Guji.");
    expect(r.value.output.html).toContain("Ethiopia Guji");
  });

  it("falls back per variable, then to the generic copy when the data cannot fill the message", async () => {
    const perVariable = await m.previewContent(shopId, email(`Hi {{ customer.first_name | default: "there" }}!`), anon);
    expect(perVariable.ok && perVariable.value.channel === "email" && perVariable.value.output.text).toContain("Hi there!");
    expect(perVariable.ok && perVariable.value.variant).toBe("primary");

    // No orders: last_order is missing, so the shop's generic copy goes out instead.
    const r = await m.previewContent(shopId, body, anon);
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.channel !== "email") return;
    expect(r.value.variant).toBe("generic");
    expect(r.value.output.subject).toBe("Hello, we miss you at Bean There");
  });

  it("recommends the shop's best sellers the customer has not bought", async () => {
    const r = await m.previewContent(shopId, email(`{% for p in recommended_products %}[{{ p.title }}]{% endfor %}`), zoe);
    const text = r.ok && r.value.channel === "email" ? r.value.output.text : "";
    expect(text).toContain("[Colombia Huila]");
    expect(text).not.toContain("[Ethiopia Guji]");
  });

  it("the customer picker only finds the shop's own customers, by email or name", async () => {
    const byName = await m.searchCustomers(shopId, "zoë");
    expect(byName.map((c) => c.id)).toEqual([zoe]);
    const byEmail = await m.searchCustomers(shopId, "buyer@");
    expect(byEmail.map((c) => c.id)).toEqual([buyer]);
    expect((await m.searchCustomers(shopId, "zoe")).map((c) => c.id)).not.toContain(stranger);
    // A customer id from another shop renders with no customer data.
    const r = await m.previewContent(shopId, email(`Hi {{ customer.first_name | default: "there" }}`), stranger);
    expect(r.ok && r.value.channel === "email" && r.value.output.text).toContain("Hi there");
  });

  it("the preview endpoint returns SMS segments and validation issues", async () => {
    const ok = (await (previewRoute.action as unknown as Fn)({
      request: post("https://winback.test/app/content/preview", { intent: "preview", body: { channel: "sms", purpose: "informational", body: "Hi {{ customer.first_name }} ☕" }, customerId: zoe }),
      params: {},
      context: {},
    })) as Response;
    const json = (await ok.json()) as { ok: boolean; preview: { output: { body: string; segments: { encoding: string; segments: number } } } };
    expect(json.preview.output.body).toBe("Hi Zoë ☕");
    expect(json.preview.output.segments).toMatchObject({ encoding: "UCS-2", segments: 1 });
  });
});

describe("send test", () => {
  it("delivers the rendered email to the merchant through the shop's SMTP provider and the Outbox", async () => {
    const before = demo.smtp.received.length;
    const r = await m.sendContentTest(shopId, DOMAIN, { body: email("Hi {{ customer.first_name }}, test body"), customerId: zoe, to: "" });
    expect(r.ok).toBe(true);
    expect(r.ok && r.value.to).toBe("owner@bean-there.example");
    expect(demo.smtp.received.length).toBe(before + 1);
    const mail = demo.smtp.received.at(-1)!;
    expect(mail.recipients).toEqual(["owner@bean-there.example"]);
    expect(mail.subject).toBe("[Test] Hi Zoë");
    expect(mail.html).toContain("Hi Zoë, test body");
    expect(mail.text).toContain("Hi Zoë, test body");
    const outbox = await db.pool.query(`select recipient, subject from outbox where shop_id = $1 and provider_message_id = $2`, [shopId, r.ok ? r.value.providerMessageId : ""]);
    expect(outbox.rows).toEqual([{ recipient: "owner@bean-there.example", subject: "[Test] Hi Zoë" }]);

    const typed = await m.sendContentTest(shopId, DOMAIN, { body: email("Hello"), customerId: null, to: "me@merchant.example" });
    expect(typed.ok).toBe(true);
    expect(demo.smtp.received.at(-1)!.recipients).toEqual(["me@merchant.example"]);
  });

  it("an SMS test goes to the typed number through the shop's Twilio provider", async () => {
    const r = await m.sendContentTest(shopId, DOMAIN, { body: { channel: "sms", purpose: "promotional", body: "Hi {{ customer.first_name }}, beans are back" }, customerId: zoe, to: "+15550001111" });
    expect(r.ok).toBe(true);
    const sms = demo.twilio.messages.at(-1)!;
    expect(sms.to).toBe("+15550001111");
    expect(sms.body).toBe("Hi Zoë, beans are back Reply STOP to opt out.");
    const bad = await m.sendContentTest(shopId, DOMAIN, { body: { channel: "sms", purpose: "promotional", body: "x" }, customerId: null, to: "555" });
    expect(bad.ok ? "" : bad.error).toMatch(/international format/);
  });

  it("refuses a bad address and a shop without an email provider", async () => {
    expect(await m.sendContentTest(shopId, DOMAIN, { body: email("x"), customerId: null, to: "not-an-address" })).toEqual({ ok: false, error: "Enter an email address to send the test to." });
    const noProvider = await m.sendContentTest(otherShop, "other-content.myshopify.com", { body: email("x"), customerId: null, to: "me@merchant.example" });
    expect(noProvider.ok).toBe(false);
    expect(noProvider.ok ? "" : noProvider.error).toContain("email provider");
  });
});
