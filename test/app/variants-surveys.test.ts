// Message variants and surveys end to end on real PostgreSQL and the demo's local SMTP server:
// a variant test's send records its sticky variant and renders it; results per variant come
// from SQL; a significant winner is adopted (with an audit entry) and then sent to everyone.
// A survey email delivered to smtp-server carries signed score links; a forged link records
// nothing; a good one records survey_answered once; a segment on the score selects the right
// customers.
import { afterAll, describe, expect, it } from "vitest";
import { surveyScoreCondition } from "../../core/content/survey";
import { compileSegment } from "../../core/segments/compile";
import { processDueRechecks, refreshSegment } from "../../jobs/segments/membership";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const DOMAIN = "variants-surveys.myshopify.com";
const db: TestDatabase = await createTestDatabase();
configureAppEnv(db, { SHOPIFY_APP_URL: "https://winback.test" });
const { startDemoChannels } = await import("../../scripts/sims/demo-channels");
const { journeyChannelRegistry } = await import("../../app/models/channels.server");
const survey = await import("../../app/routes/t.s.$token");
const variants = await import("../../app/models/content-variants.server");
const { setStoreConsentWriter } = await import("../../app/models/consent.server");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues, queues } = await import("../../jobs/queues");
const { processSegmentJob, SEGMENTS_QUEUE } = await import("../../jobs/segments/worker");
type SegmentJob = import("../../jobs/segments/worker").SegmentJob;
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

type Fn = (args: { request: Request; params: Record<string, string>; context: {} }) => Promise<Response>;
let n = 0;

async function customer(email: string): Promise<string> {
  const c = await db.pool.query<{ id: string }>(
    `insert into customers (shop_id, email, first_name, email_consent, updated_at) values ($1, $2, 'Zoë', 'subscribed', now()) returning id::text`, [shopId, email],
  );
  return c.rows[0].id;
}

async function queued(customerId: string, email: string, contentKey: string) {
  const key = `e${++n}:n1:${customerId}`;
  const m = await db.pool.query<{ id: string }>(
    `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, recipient, status) values ($1, $2, $3, 'email', 'informational', $4, 'sending') returning id::text`,
    [shopId, key, customerId, email],
  );
  return { msg: { shopId, messageId: m.rows[0].id, customerId, channel: "email" as const, purpose: "informational" as const, contentId: contentKey, recipient: email, journeyId: null, nodeId: "n1", variant: null }, key };
}

async function saveContent(templateKey: string, body: unknown): Promise<string> {
  const r = await db.pool.query<{ id: string }>(
    `insert into message_contents (shop_id, name, channel, purpose, body, template_key) values ($1, $2, 'email', 'informational', $3, $2) returning id::text`,
    [shopId, templateKey, JSON.stringify(body)],
  );
  return r.rows[0].id;
}

const MJML = `<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ customer.first_name }}</mj-text></mj-column></mj-section>[[survey]]</mj-body></mjml>`;

describe("surveys", () => {
  it("a delivered email carries one signed link per score; forged links record nothing; a good one records once", async () => {
    const contentId = await saveContent("survey-nps", {
      channel: "email", purpose: "informational", subject: "One quick question", preheader: "", mjml: MJML,
      survey: { kind: "nps", question: "How likely are you to recommend Bean There to a friend?" },
    });
    const cust = await customer("ada@example.com");
    const { msg, key } = await queued(cust, "ada@example.com", "survey-nps");
    await db.pool.query(`update messages set content_id = $3 where shop_id = $1 and id = $2`, [shopId, msg.messageId, contentId]);
    const r = await registry.email!.send(msg, key);
    expect(r.ok).toBe(true);
    const mail = demo.smtp.received.at(-1)!;
    expect(mail.recipients).toEqual(["ada@example.com"]);
    expect(mail.html).toContain("How likely are you to recommend Bean There to a friend?");
    const links = [...mail.html!.matchAll(/href="(https:\/\/winback\.test\/t\/s\/([^"]+))"/g)].map((m) => m[2]);
    expect(links).toHaveLength(11); // 0..10, not rewritten into click-tracking links

    const events = () => db.pool.query(`select customer_id::text, properties from events where shop_id = $1 and name = 'survey_answered' and message_id = $2`, [shopId, msg.messageId]);
    const post = (token: string) => (survey.action as unknown as Fn)({ request: new Request(`https://winback.test/t/s/${token}`, { method: "POST" }), params: { token }, context: {} });

    // Forged: score 9's payload with score 10's... any edit breaks the signature.
    const [p9, s9] = links[9].split(".");
    const [p10] = links[10].split(".");
    expect((await post(`${p10}.${s9}`)).status).toBe(403);
    expect((await post(`${p9}x.${s9}`)).status).toBe(403);
    expect((await post("garbage")).status).toBe(400);
    // A GET (what link scanners prefetch) records nothing either.
    const get = await (survey.loader as unknown as Fn)({ request: new Request(`https://winback.test/t/s/${links[9]}`), params: { token: links[9] }, context: {} });
    expect(get.status).toBe(200);
    expect(await get.text()).toContain("Your answer: 9 out of 10");
    expect((await events()).rows).toEqual([]);

    const ok = await post(links[9]);
    expect(ok.status).toBe(200);
    const page = await ok.text();
    expect(page).toContain("Bean There received your answer: 9 out of 10");
    expect(page).toContain('<html lang="en">');
    // A second click (another score) is ignored: the first answer stands.
    const again = await post(links[3]);
    expect(await again.text()).toContain("already has your answer to this email (9 out of 10)");
    expect((await events()).rows).toEqual([{ customer_id: cust, properties: { survey: "nps", score: 9, message_id: msg.messageId, question: "How likely are you to recommend Bean There to a friend?" } }]);
  });

  it('segment "NPS score >= 8 in the last 30 days" selects the right customers', async () => {
    const now = new Date();
    const ago = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const answer = async (email: string, kind: string, score: number | string, at: Date) => {
      const id = await customer(email);
      await db.pool.query(`insert into events (shop_id, customer_id, name, occurred_at, properties) values ($1, $2, 'survey_answered', $3, $4)`, [shopId, id, at, JSON.stringify({ survey: kind, score, message_id: "1", question: "q" })]);
      return id;
    };
    const promoter = await answer("p1@example.com", "nps", 8, ago(2));
    const promoter10 = await answer("p2@example.com", "nps", 10, ago(29));
    await answer("passive@example.com", "nps", 7, ago(1));
    await answer("old@example.com", "nps", 9, ago(31));
    await answer("csat@example.com", "csat", 5, ago(1)); // a different survey's scale
    await answer("text@example.com", "nps", "9", ago(1)); // not a number: never matches
    const q = compileSegment(surveyScoreCondition("nps", 8, 30), { shopId, now, timezone: "UTC" });
    const got = (await db.pool.query(q)).rows.map((r) => String(r.id));
    // Ada (9, answered through the link in the previous test) is in too.
    const ada = (await db.pool.query(`select id::text from customers where shop_id = $1 and email = 'ada@example.com'`, [shopId])).rows[0].id;
    expect(got.sort()).toEqual([ada, promoter, promoter10].sort());
  });

  it("an answer (a behaviour event) puts the customer into a segment on it at once through the queue, the recheck as safety net, without a full refresh", async () => {
    const contentId = await saveContent("survey-nps-live", {
      channel: "email", purpose: "informational", subject: "One quick question", preheader: "", mjml: MJML,
      survey: { kind: "nps", question: "Would you recommend us?" },
    });
    const cust = await customer("bo@example.com");
    const seg = await db.pool.query<{ id: string }>(
      `insert into segments (shop_id, name, definition) values ($1, 'Promoters', $2) returning id::text`, [shopId, JSON.stringify(surveyScoreCondition("nps", 9, 30))],
    );
    const segmentId = seg.rows[0].id;
    await refreshSegment(db.pool, shopId, segmentId, new Date()); // the only full evaluation
    const stored = () => db.pool.query(`select member_count, refreshed_at from segments where shop_id = $1 and id = $2`, [shopId, segmentId]);
    const before = (await stored()).rows[0];
    const isMember = async () => (await db.pool.query(`select 1 from segment_memberships where shop_id = $1 and segment_id = $2 and customer_id = $3`, [shopId, segmentId, cust])).rowCount === 1;
    expect(await isMember()).toBe(false);

    const { msg, key } = await queued(cust, "bo@example.com", "survey-nps-live");
    await db.pool.query(`update messages set content_id = $3 where shop_id = $1 and id = $2`, [shopId, msg.messageId, contentId]);
    expect((await registry.email!.send(msg, key)).ok).toBe(true);
    const links = [...demo.smtp.received.at(-1)!.html!.matchAll(/href="https:\/\/winback\.test\/t\/s\/([^"]+)"/g)].map((m) => m[1]);
    const answered = await (survey.action as unknown as Fn)({ request: new Request(`https://winback.test/t/s/${links[10]}`, { method: "POST" }), params: { token: links[10] }, context: {} });
    expect(answered.status).toBe(200);
    expect(await isMember()).toBe(false); // not yet: the re-evaluation is queued

    // At once: a job for this customer is on the segments queue; processing it takes them in.
    const waiting = await queues().queue<SegmentJob>(SEGMENTS_QUEUE).getJobs(["waiting", "prioritized", "delayed"]);
    const job = waiting.map((j) => j.data).find((d) => d.kind === "customer" && d.customerId === String(cust));
    expect(job).toEqual({ kind: "customer", shopId, customerId: String(cust) });
    await processSegmentJob(db.pool, job!, new Date());
    expect(await isMember()).toBe(true);
    // The durable recheck (the safety net should the queue lose the job) finds nothing new.
    expect(await processDueRechecks(db.pool, new Date())).toMatchObject({ events: 0 });
    const entered = await db.pool.query(`select properties->>'segmentId' as segment from events where shop_id = $1 and customer_id = $2 and name = 'segment_entered'`, [shopId, cust]);
    expect(entered.rows).toEqual([{ segment: segmentId }]);
    // Incremental: the segment's full refresh did not run again.
    expect((await stored()).rows[0]).toEqual(before);
  });
});

describe("message variants", () => {
  it("each send records its sticky variant and renders it; results in SQL; the significant winner is adopted and then sent to all", async () => {
    const contentId = await saveContent("spring-news", {
      channel: "email", purpose: "informational", subject: "Spring roasts are in", preheader: "", mjml: `<mjml><mj-body><mj-section><mj-column><mj-text>New</mj-text></mj-column></mj-section></mj-body></mjml>`,
      variants: { metric: "clicks", variants: [{ key: "a" }, { key: "b", subject: "{{ customer.first_name }}, spring is here" }] },
    });
    const sent: { messageId: string; variant: string; subject: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const email = `v${i}@example.com`;
      const cust = await customer(email);
      const { msg, key } = await queued(cust, email, "spring-news");
      const r = await registry.email!.send(msg, key);
      expect(r.ok).toBe(true);
      const row = (await db.pool.query(`select content_variant, content_id::text from messages where shop_id = $1 and id = $2`, [shopId, msg.messageId])).rows[0];
      expect(row.content_id).toBe(contentId);
      sent.push({ messageId: msg.messageId, variant: row.content_variant, subject: demo.smtp.received.at(-1)!.subject! });
      // Sticky: the same customer and message always land on the same variant.
      expect(variants.chosenContent(shopId, contentId, "k", { channel: "email", purpose: "informational", subject: "s", preheader: "", mjml: "m", variants: { metric: "clicks", variants: [{ key: "a", weight: 1 }, { key: "b", weight: 1 }] } }, cust).variant).toBe(row.content_variant);
    }
    for (const s of sent) expect(s.subject).toBe(s.variant === "b" ? "Zoë, spring is here" : "Spring roasts are in");
    expect(new Set(sent.map((s) => s.variant)).size).toBe(2);

    // Live traffic at scale, as the engine records it: 400 sends each; b gets far more clicks.
    await db.pool.query(`update messages set status = 'sent' where shop_id = $1 and content_id = $2`, [shopId, contentId]);
    const someone = sent[0];
    const cust = (await db.pool.query(`select customer_id::text from messages where shop_id = $1 and id = $2`, [shopId, someone.messageId])).rows[0].customer_id;
    await db.pool.query(
      `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, status, content_id, content_variant)
       select $1, 'bulk:' || g, $2, 'email', 'informational', 'sent', $3, case when g % 2 = 0 then 'a' else 'b' end from generate_series(1, 800) g`,
      [shopId, cust, contentId],
    );
    const before = await variants.variantTestStatus(db.pool, shopId, contentId);
    expect(before.ok && before.value.decision?.kind).toBe("wait");
    await db.pool.query(
      `insert into events (shop_id, customer_id, name, occurred_at, message_id, properties)
       select m.shop_id, m.customer_id, 'message_clicked', now(), m.id, '{}'::jsonb from messages m
        where m.shop_id = $1 and m.idempotency_key like 'bulk:%'
          and ((m.content_variant = 'a' and substr(m.idempotency_key, 6)::int % 40 = 0) or (m.content_variant = 'b' and substr(m.idempotency_key, 6)::int % 5 = 1))`,
      [shopId],
    );
    // A second click on the same message counts once.
    await db.pool.query(`insert into events (shop_id, customer_id, name, occurred_at, message_id, properties) select shop_id, customer_id, 'message_clicked', now(), id, '{}' from messages where shop_id = $1 and idempotency_key = 'bulk:1'`, [shopId]);
    const status = await variants.variantTestStatus(db.pool, shopId, contentId);
    if (!status.ok) throw new Error(status.error);
    const byKey = Object.fromEntries(status.value.results.map((r) => [r.key, r]));
    expect(byKey.a.sends + byKey.b.sends).toBe(806);
    expect(byKey.a.clicks).toBe(20); // g = 40, 80, ..., 800
    expect(byKey.b.clicks).toBe(80); // g = 1, 11, ..., 791 (odd g with g % 5 = 1)
    expect(status.value.decision?.kind).toBe("adopt");

    // The nightly pass (the maintenance worker's) adopts it, records the figures, and closes the test.
    const { adoptVariantsForInstalledShops } = await import("../../jobs/content/adopt-variants");
    const nightly = await adoptVariantsForInstalledShops(db.pool, new Date());
    expect(nightly.adopted.filter((a) => a.shopId === shopId)).toEqual([{ shopId, contentId, winner: "b" }]);
    expect(nightly.failed).toBe(0);
    const audit = await db.pool.query(`select actor, after from audit_log where shop_id = $1 and action = 'content.adopt_variant' and entity_id = $2`, [shopId, contentId]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor).toBe("system:variant-test");
    expect(audit.rows[0].after.results.find((r: { key: string }) => r.key === "b").clicks).toBe(80);
    expect(await variants.adoptSignificantVariants(db.pool, shopId, new Date())).toEqual([]);
    const manual = await variants.adoptVariant(db.pool, shopId, contentId, "a", "merchant", "user:1", new Date());
    expect(manual).toEqual({ ok: false, error: 'variant "b" was already adopted' });

    // From now on everyone gets b.
    for (let i = 0; i < 4; i++) {
      const email = `w${i}@example.com`;
      const c = await customer(email);
      const { msg, key } = await queued(c, email, "spring-news");
      expect((await registry.email!.send(msg, key)).ok).toBe(true);
      expect(demo.smtp.received.at(-1)!.subject).toBe("Zoë, spring is here");
      expect((await db.pool.query(`select content_variant from messages where shop_id = $1 and id = $2`, [shopId, msg.messageId])).rows[0].content_variant).toBe("b");
    }
  });
});
