// Adopting an A/B winner (app/models/journey-ab.server.ts and the Results page's action) on real
// PostgreSQL: journey A's split has a clear winner (b: 120/400 vs a: 40/400); journey B's split
// has no difference at all (0/100 each), so it can only be adopted by forcing it.
import { afterAll, describe, expect, it } from "vitest";
import type { JourneyInput } from "../../core/journeys/schema";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertCustomers, journeyShop } from "../jobs/journeys/fixtures";

const DEMO = "journey-ab.myshopify.com";
const db: TestDatabase = await createTestDatabase("jab");
configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
const { adoptAbWinner, liveSplits } = await import("../../app/models/journey-ab.server");
const { createJourney, publishJourney } = await import("../../app/models/journeys.server");
const { journeyAuditTrail } = await import("../../app/models/journey-list.server");
const resultsRoute = await import("../../app/routes/app.results");
const { closeDatabase } = await import("../../app/db.server");

afterAll(async () => {
  await closeDatabase();
  await db.drop();
});

const definition = (name: string): JourneyInput => ({
  id: "draft", version: 1, name, trigger: { kind: "custom_event", name: "go" }, startNodeId: "h",
  nodes: [
    { id: "h", type: "holdout", controlPercent: 5, next: "first" },
    { id: "first", type: "send", channel: "email", contentId: "first", purpose: "promotional", next: "split" },
    { id: "split", type: "ab_split", variants: [{ key: "a", weight: 1, next: "send-a" }, { key: "b", weight: 1, next: "send-b" }] },
    { id: "send-a", type: "send", channel: "email", contentId: "a", purpose: "promotional", next: "end" },
    { id: "send-b", type: "send", channel: "email", contentId: "b", purpose: "promotional", next: "wait" },
    { id: "wait", type: "wait", duration: { amount: 2, unit: "days" }, next: "follow" },
    { id: "follow", type: "send", channel: "email", contentId: "follow", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
});

async function published(name: string): Promise<string> {
  const id = await createJourney(db.pool, shopId, { name, draft: definition(name) });
  const r = await publishJourney(db.pool, shopId, id, "test");
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return id;
}

async function assign(journeyId: string, customers: string[], variant: string) {
  await db.pool.query(
    `insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
     select $1, $2, 'split', c, 'ab_split', $3, c, now() - interval '10 days' from unnest($4::bigint[]) c`,
    [shopId, journeyId, variant, customers],
  );
}

async function order(customers: string[]) {
  await db.pool.query(
    `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total)
     select $1, 'shopify', 'ab-' || c, c, now() - interval '5 days', 'USD', 4000 from unnest($2::bigint[]) c`,
    [shopId, customers],
  );
}

const shopId = await journeyShop(db.pool, DEMO);
const customers = await insertCustomers(db.pool, shopId, 1000);
const journeyA = await published("Clear winner");
const journeyB = await published("Too close to call");
await assign(journeyA, customers.slice(0, 400), "a");
await assign(journeyA, customers.slice(400, 800), "b");
await order([...customers.slice(0, 40), ...customers.slice(400, 520)]);
await assign(journeyB, customers.slice(800, 900), "a");
await assign(journeyB, customers.slice(900, 1000), "b");
// Customers already inside journey A, on version 1 in the branch that is about to lose.
await db.pool.query(
  `insert into enrollments (shop_id, journey_id, journey_version, customer_id, status, state, entered_at)
   select $1, $2, 1, c, 'waiting', jsonb_build_object('currentNodeId', 'send-a'), now() - interval '1 day' from unnest($3::bigint[]) c`,
  [shopId, journeyA, customers.slice(0, 5)],
);

const q = async <T,>(text: string, values: unknown[]) => (await db.pool.query(text, values)).rows as T[];
const adoptAudits = (journeyId: string) =>
  q<{ actor: string; before: Record<string, unknown>; after: Record<string, unknown> }>(
    `select actor, before, after from audit_log where shop_id = $1 and action = 'journey.adopt_variant' and entity = 'journey' and entity_id = $2 order by id`,
    [shopId, journeyId],
  );
const liveVersion = async (journeyId: string) => (await q<{ v: number }>(`select live_version as v from journeys where shop_id = $1 and id = $2`, [shopId, journeyId]))[0].v;

type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
const postResults = (fields: Record<string, string>) =>
  (resultsRoute.action as Handler)({ request: new Request("http://localhost/app/results", { method: "POST", body: new URLSearchParams(fields) }), params: {}, context: {} });

describe("adoptAbWinner", () => {
  it("refuses a variant that is not the significant winner, and changes nothing", async () => {
    const r = await adoptAbWinner(db.pool, shopId, journeyA, "split", "a", "alice");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("not_winner");
    expect(r.error.message).toMatch(/Variant "a" is not the significant winner of split "split": b is most likely best/);
    expect(await liveVersion(journeyA)).toBe(1);
    expect(await adoptAudits(journeyA)).toEqual([]);
  });

  it("publishes the winner's branch as a new version, records it, and leaves customers inside on their version", async () => {
    const enrolledBefore = await q(`select id, journey_version, state from enrollments where shop_id = $1 and journey_id = $2 order by id`, [shopId, journeyA]);
    expect(await liveSplits(db.pool, shopId)).toContain(`${journeyA}:split`);

    const r = await adoptAbWinner(db.pool, shopId, journeyA, "split", "b", "alice");
    expect(r).toEqual({ ok: true, value: { version: 2, forced: false } });

    const [v2] = await q<{ definition: { startNodeId: string; version: number; nodes: { id: string; next?: string }[] }; published_by: string }>(
      `select definition, published_by from journey_versions where shop_id = $1 and journey_id = $2 and version = 2`, [shopId, journeyA],
    );
    expect(v2.published_by).toBe("alice");
    expect(v2.definition.version).toBe(2);
    expect(v2.definition.startNodeId).toBe("h");
    // The split and the losing branch's own step are gone; "first" now leads straight to b.
    expect(v2.definition.nodes.map((n) => n.id)).toEqual(["h", "first", "send-b", "wait", "follow", "end"]);
    expect(v2.definition.nodes[1].next).toBe("send-b");
    expect(await liveVersion(journeyA)).toBe(2);
    const [j] = await q<{ draft: { nodes: { id: string }[] } }>(`select draft from journeys where shop_id = $1 and id = $2`, [shopId, journeyA]);
    expect(j.draft.nodes.map((n) => n.id)).toEqual(["h", "first", "send-b", "wait", "follow", "end"]);
    // Version 1 is untouched history.
    const [v1] = await q<{ definition: { nodes: { id: string }[] } }>(`select definition from journey_versions where shop_id = $1 and journey_id = $2 and version = 1`, [shopId, journeyA]);
    expect(v1.definition.nodes.map((n) => n.id)).toContain("split");

    const audits = await adoptAudits(journeyA);
    expect(audits).toHaveLength(1);
    expect(audits[0].actor).toBe("alice");
    expect(audits[0].before).toMatchObject({ liveVersion: 1, node: "split", split: { id: "split", type: "ab_split" } });
    expect(audits[0].after).toMatchObject({ liveVersion: 2, node: "split", variant: "b", forced: false, verdict: "significant" });
    const stats = audits[0].after.stats as { id: string; customers: number; converters: number; probabilityBest: number; significant: boolean | null }[];
    expect(stats.map((s) => [s.id, s.customers, s.converters, s.significant])).toEqual([["a", 400, 40, null], ["b", 400, 120, true]]);
    expect(stats[1].probabilityBest).toBeGreaterThan(0.99);
    // The journey's history shows the adoption.
    expect((await journeyAuditTrail(db.pool, shopId, journeyA)).map((a) => a.action)).toContain("journey.adopt_variant");

    const enrolledAfter = await q(`select id, journey_version, state from enrollments where shop_id = $1 and journey_id = $2 order by id`, [shopId, journeyA]);
    expect(enrolledAfter).toEqual(enrolledBefore);
    expect(enrolledAfter).toHaveLength(5);
    expect(enrolledAfter.every((e) => (e as { journey_version: number }).journey_version === 1)).toBe(true);
    expect(await liveSplits(db.pool, shopId)).not.toContain(`${journeyA}:split`);
  });

  it("cannot adopt a split that is no longer in the live version", async () => {
    const r = await adoptAbWinner(db.pool, shopId, journeyA, "split", "b", "alice");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ kind: "adopt", error: { kind: "unknown_node" } });
    expect(await liveVersion(journeyA)).toBe(2);
  });

  it("refuses unknown journeys and variants by name", async () => {
    const missing = await adoptAbWinner(db.pool, shopId, "999999", "split", "b", "alice");
    expect(missing).toMatchObject({ ok: false, error: { kind: "not_found" } });
    const variant = await adoptAbWinner(db.pool, shopId, journeyB, "split", "z", "alice", { force: true });
    expect(variant).toMatchObject({ ok: false, error: { kind: "adopt", message: expect.stringMatching(/no variant "z"/) } });
  });
});

describe("the Results page action", () => {
  it("refuses to adopt without a significant result, saying so, unless forced; a forced adoption is recorded as forced", async () => {
    const refused = await postResults({ intent: "adopt-variant", journeyId: journeyB, nodeId: "split", variant: "a" });
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/not the significant winner.*No significant difference yet/) });
    expect(await liveVersion(journeyB)).toBe(1);

    const forced = await postResults({ intent: "adopt-variant", journeyId: journeyB, nodeId: "split", variant: "a", force: "1" });
    expect(forced).toMatchObject({ ok: true, message: expect.stringMatching(/Variant a adopted \(without a significant result\): published as version 2/) });
    expect(await liveVersion(journeyB)).toBe(2);
    const audits = await adoptAudits(journeyB);
    expect(audits).toHaveLength(1);
    expect(audits[0].actor).toBe("demo");
    expect(audits[0].after).toMatchObject({ variant: "a", forced: true, verdict: "no_significant_difference" });
    const [v2] = await q<{ definition: { nodes: { id: string }[] } }>(`select definition from journey_versions where shop_id = $1 and journey_id = $2 and version = 2`, [shopId, journeyB]);
    expect(v2.definition.nodes.map((n) => n.id)).toEqual(["h", "first", "send-a", "end"]);
  });

  it("names what is missing in a malformed request", async () => {
    expect(await postResults({ intent: "adopt-variant", journeyId: "x", nodeId: "split", variant: "a" })).toMatchObject({ ok: false, error: expect.stringMatching(/journey id/) });
    expect(await postResults({ intent: "nope" })).toMatchObject({ ok: false, error: 'Unknown action "nope".' });
  });
});
