// Publishing, restoring and templates (app/models/journeys.server.ts) and journey analytics
// (app/models/journey-analytics.server.ts) on real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { journeyAnalytics } from "../../app/models/journey-analytics.server";
import { createJourney, installJourneyTemplates, publishJourney, restoreJourneyVersion, updateJourneyDraft } from "../../app/models/journeys.server";
import type { JourneyInput } from "../../core/journeys/schema";
import { JOURNEY_TEMPLATES } from "../../core/journeys/templates";
import { handleJourneyEvent } from "../../jobs/journeys/events";
import type { JourneyChannel } from "../../jobs/journeys/types";
import { createQueueSystem, type QueueSystem } from "../../jobs/queues";
import { ok } from "../../core/result";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertCustomersInGroup, insertEvents, insertTreatedCustomers, journeyShop } from "../jobs/journeys/fixtures";

let db: TestDatabase;
let qs: QueueSystem;
beforeAll(async () => {
  db = await createTestDatabase("japp");
  qs = createQueueSystem({ databaseUrl: db.url });
});
afterAll(async () => {
  await qs.close();
  await db.drop();
});

const abJourney: JourneyInput = {
  id: "draft", version: 1, name: "A/B", trigger: { kind: "custom_event", name: "go" }, startNodeId: "h",
  nodes: [
    { id: "h", type: "holdout", controlPercent: 5, next: "ok" },
    { id: "ok", type: "condition", conditionId: "email_consented", yes: "split", no: "end" },
    { id: "split", type: "ab_split", variants: [{ key: "a", weight: 1, next: "send-a" }, { key: "b", weight: 1, next: "send-b" }] },
    { id: "send-a", type: "send", channel: "email", contentId: "a", purpose: "promotional", next: "wait" },
    { id: "send-b", type: "send", channel: "email", contentId: "b", purpose: "promotional", next: "wait" },
    { id: "wait", type: "wait", duration: { amount: 1, unit: "days" }, next: "last" },
    { id: "last", type: "send", channel: "email", contentId: "last", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
};

describe("publishing", () => {
  it("validates, writes immutable versions with an audit entry, and restores an earlier one", async () => {
    const shopId = await journeyShop(db.pool, "pub.myshopify.com");
    const id = await createJourney(db.pool, shopId, { name: "A/B", draft: { ...abJourney, startNodeId: "missing" } });
    const bad = await publishJourney(db.pool, shopId, id, "alice");
    expect(bad.ok).toBe(false);
    if (!bad.ok && bad.error.kind === "invalid") expect(bad.error.errors.some((e) => e.nodeId === "missing")).toBe(true);

    await updateJourneyDraft(db.pool, shopId, id, abJourney, "dave");
    expect(await publishJourney(db.pool, shopId, id, "alice")).toEqual(ok({ version: 1 }));
    await updateJourneyDraft(db.pool, shopId, id, { ...abJourney, name: "A/B v2" }, "dave");
    expect(await publishJourney(db.pool, shopId, id, "bob")).toEqual(ok({ version: 2 }));
    expect(await restoreJourneyVersion(db.pool, shopId, id, 1, "carol")).toEqual(ok({ version: 3 }));

    const versions = (await db.pool.query(`select version, definition->>'name' as name, definition->>'id' as def_id from journey_versions where shop_id = $1 and journey_id = $2 order by version`, [shopId, id])).rows;
    expect(versions).toEqual([{ version: 1, name: "A/B", def_id: id }, { version: 2, name: "A/B v2", def_id: id }, { version: 3, name: "A/B", def_id: id }]);
    const j = (await db.pool.query(`select status::text, live_version from journeys where shop_id = $1 and id = $2`, [shopId, id])).rows[0];
    expect(j).toEqual({ status: "published", live_version: 3 });
    const audit = (await db.pool.query(`select actor, action from audit_log where shop_id = $1 and entity = 'journey' order by id`, [shopId])).rows;
    expect(audit).toEqual([
      { actor: "dave", action: "save_draft" }, { actor: "alice", action: "publish" },
      { actor: "dave", action: "save_draft" }, { actor: "bob", action: "publish" }, { actor: "carol", action: "restore" },
    ]);
  });

  it("audits each draft save: who, when, the draft before and what changed; a save that changes nothing writes nothing", async () => {
    const shopId = await journeyShop(db.pool, "drafts.myshopify.com");
    const otherShop = await journeyShop(db.pool, "drafts-other.myshopify.com");
    const id = await createJourney(db.pool, shopId, { name: "A/B", draft: abJourney });
    const edited = {
      ...abJourney, name: "A/B edited", goal: undefined,
      nodes: [
        ...abJourney.nodes.filter((n) => n.id !== "last").map((n) => (n.id === "wait" ? { ...n, duration: { amount: 2, unit: "days" }, next: "end" } : n)),
        { id: "hook", type: "webhook", url: "https://example.com/h", fields: [] },
      ],
    };
    const before = new Date();
    expect(await updateJourneyDraft(db.pool, shopId, id, edited, "erin@example.com")).toBe(true);
    // Same content with keys in another order: nothing changed, nothing audited.
    const reordered = Object.fromEntries(Object.entries(edited).reverse().map(([k, v]) => [k, k === "nodes" ? edited.nodes.map((n) => Object.fromEntries(Object.entries(n).reverse())) : v]));
    expect(Object.keys(reordered)[0]).not.toBe(Object.keys(edited)[0]);
    expect(await updateJourneyDraft(db.pool, shopId, id, reordered, "erin@example.com")).toBe(true);
    // Another shop cannot save over it, and nothing is written for it.
    expect(await updateJourneyDraft(db.pool, otherShop, id, abJourney, "mallory")).toBe(false);

    const rows = (await db.pool.query<{ shop_id: number; actor: string; action: string; entity_id: string; before: { draft: unknown }; after: unknown; at: Date }>(
      `select shop_id, actor, action, entity_id, before, after, at from audit_log where entity = 'journey' and action = 'save_draft' and entity_id = $1`, [id])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ shop_id: shopId, actor: "erin@example.com", entity_id: id });
    expect(rows[0].at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(rows[0].before.draft).toEqual(JSON.parse(JSON.stringify(abJourney)));
    expect(rows[0].after).toEqual({ changes: { fields: ["goal", "name"], nodesAdded: ["hook"], nodesRemoved: ["last"], nodesChanged: ["wait"] } });
    const stored = (await db.pool.query(`select draft->>'name' as name from journeys where id = $1`, [id])).rows[0];
    expect(stored.name).toBe("A/B edited");
  });

  it("installs the ready-made templates once", async () => {
    const shopId = await journeyShop(db.pool, "tpl.myshopify.com");
    expect(await installJourneyTemplates(db.pool, shopId)).toBe(JOURNEY_TEMPLATES.length);
    expect(await installJourneyTemplates(db.pool, shopId)).toBe(0);
    const rows = (await db.pool.query(`select template_key, status::text from journeys where shop_id = $1 order by template_key`, [shopId])).rows;
    expect(rows.map((r) => r.template_key).sort()).toEqual(JOURNEY_TEMPLATES.map((t) => t.id).sort());
    // Every template publishes as it stands.
    const first = (await db.pool.query(`select id::text from journeys where shop_id = $1 and template_key = 'tpl-win-back'`, [shopId])).rows[0].id;
    expect((await publishJourney(db.pool, shopId, first, "alice")).ok).toBe(true);
  });
});

describe("analytics", () => {
  it("counts entered, waiting, passed, exited, converted and suppressed per node, and conversion by variant", async () => {
    const shopId = await journeyShop(db.pool, "ana.myshopify.com");
    const id = await createJourney(db.pool, shopId, { name: "A/B", draft: abJourney });
    await publishJourney(db.pool, shopId, id, "alice");
    // 45 customers the holdout treats, and 2 consented ones it holds out: they must get nothing.
    const consented = await insertTreatedCustomers(db.pool, shopId, id, 40);
    const refused = await insertTreatedCustomers(db.pool, shopId, id, 5, { emailConsent: "unsubscribed" });
    const held = await insertCustomersInGroup(db.pool, shopId, id, "control", 2);
    const channel: JourneyChannel = { provider: "mem", send: async (_m, key) => ok({ providerMessageId: `mem-${key}` }) };
    const deps = { db: db.pool, qs, channels: { email: channel } };
    // Three consented customers are on the suppression list: their sends are suppressed (consent).
    await db.pool.query(
      `insert into suppressions (shop_id, channel, address, reason, source)
       select shop_id, 'email', lower(email), 'unsubscribe', 'test' from customers where shop_id = $1 and id = any($2::bigint[])`,
      [shopId, consented.slice(37)],
    );
    for (const e of await insertEvents(db.pool, shopId, [...consented, ...refused, ...held], "go")) await handleJourneyEvent(deps, shopId, e);
    // Ten consented customers order: converted while waiting.
    for (const e of await insertEvents(db.pool, shopId, consented.slice(0, 10), "order_placed")) await handleJourneyEvent(deps, shopId, e);
    // Customers without consent take the condition's "no" branch and complete at once.
    const a = await journeyAnalytics(db.pool, shopId, id);
    expect(a.totals).toEqual({ enrolled: 47, active: 0, waiting: 30, completed: 5, converted: 10, exited: 2 });
    const node = (n: string) => a.nodes.find((x) => x.nodeId === n)!;
    expect(node("h")).toMatchObject({ entered: 47, exited: 2 });
    expect((await db.pool.query(`select count(*)::int as n from messages where shop_id = $1 and customer_id = any($2::bigint[])`, [shopId, held])).rows[0].n).toBe(0);
    expect(node("ok")).toMatchObject({ entered: 45, passed: 45 });
    expect(node("send-a").entered + node("send-b").entered).toBe(40);
    expect(node("wait")).toMatchObject({ entered: 40, waiting: 30, passed: 10, converted: 10 });
    expect(node("end")).toMatchObject({ entered: 5, passed: 5 });
    expect(a.variants.map((v) => v.variant)).toEqual(["a", "b"]);
    expect(a.variants.reduce((s, v) => s + v.enrolled, 0)).toBe(40);
    expect(a.variants.reduce((s, v) => s + v.converted, 0)).toBe(10);
    for (const v of a.variants) expect(v.conversionRate).toBeCloseTo(v.converted / v.enrolled, 4);
    expect((node("send-a").suppressed.consent ?? 0) + (node("send-b").suppressed.consent ?? 0)).toBe(3);
    expect(node("send-a").held).toEqual({});

    // Messages held right now are counted apart from suppressed ones, by why (quiet hours defer, never suppress).
    const waiting = consented.slice(10, 13);
    await db.pool.query(
      `insert into messages (shop_id, idempotency_key, customer_id, journey_id, node_id, channel, purpose, status, reason, deferred_until, queued_at)
       select $1, 'held-' || c, c, $2, 'last', 'sms', 'promotional', 'deferred', r::jsonb, now() + interval '8 hours', now()
       from unnest($3::bigint[], $4::text[]) as t(c, r)`,
      [shopId, id, waiting, [JSON.stringify({ kind: "quiet_hours", regions: ["US"] }), JSON.stringify({ kind: "quiet_hours", regions: ["US-FL"] }),
        JSON.stringify({ kind: "cap", scope: "channel", channel: "sms", max: 1, windowMs: 604_800_000 })]],
    );
    await db.pool.query(`insert into journey_steps (shop_id, enrollment_id, node_id, visit, entered_at)
      select e.shop_id, e.id, 'last', 1, now() from enrollments e where e.shop_id = $1 and e.journey_id = $2 and e.customer_id = any($3::bigint[])`, [shopId, id, waiting]);
    const after = await journeyAnalytics(db.pool, shopId, id);
    const last = after.nodes.find((x) => x.nodeId === "last")!;
    expect(last.held).toEqual({ quiet_hours: 2, cap: 1 });
    expect(last.suppressed).toEqual({});
  });
});
