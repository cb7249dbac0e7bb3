// Against real PostgreSQL on a simulated clock: moving running customers to a new version on
// the merchant's request, and exit criteria (unsubscribed, entered another stage) ending
// enrollments early through real events.
import { describe, expect, it } from "vitest";
import { publishJourney, runningOnOlderVersions, migrateToLiveVersion, updateJourneyDraft } from "../../../app/models/journeys.server";
import type { JourneyInput } from "../../../core/journeys/schema";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import { processEnrollment } from "../../../jobs/journeys/step";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { sinkChannel } from "../../helpers/journey-sink";
import { engineTestServices, insertCustomers, insertEvents, journeyShop, publish } from "./fixtures";

const { db, qs, sink } = await engineTestServices("jmig");

let clockMs = Date.now();
const deps = (): JourneyDeps => ({ db: db.pool, qs, channels: { email: sinkChannel(sink.url) }, now: () => new Date(clockMs) });
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
async function fire(shopId: number, customers: string[], name: string, props: object = {}) {
  for (const e of await insertEvents(db.pool, shopId, customers, name, props)) await handleJourneyEvent(deps(), shopId, e);
}

const version = (nodes: JourneyInput["nodes"], trigger = "mig"): JourneyInput => ({
  id: "draft", version: 1, name: "Migrating", trigger: { kind: "custom_event", name: trigger }, startNodeId: nodes[0].id, nodes,
});

describe("moving customers to a new version", () => {
  it("moves waiting customers on the merchant's request, keeps their wake time, and the new version's send goes", async () => {
    clockMs = Date.now();
    const shopId = await journeyShop(db.pool, "mig1.myshopify.com");
    const id = await publish(db.pool, shopId, version([
      { id: "w1", type: "wait", duration: { amount: 1, unit: "hours" }, next: "x" },
      { id: "x", type: "exit" },
    ]));
    const old = await insertCustomers(db.pool, shopId, 3);
    await fire(shopId, old, "mig");
    await updateJourneyDraft(db.pool, shopId, id, version([
      { id: "w1", type: "wait", duration: { amount: 5, unit: "hours" }, next: "s2" },
      // Informational: a promotional send would need a holdout before it, which these customers are already past.
      { id: "s2", type: "send", channel: "email", contentId: "reminder", purpose: "informational", next: "x" },
      { id: "x", type: "exit" },
    ]), "test");
    expect((await publishJourney(db.pool, shopId, id, "test")).ok).toBe(true);
    expect(await runningOnOlderVersions(db.pool, shopId, id)).toBe(3);
    const wakeBefore = await q<{ wake_at: Date }>(`select wake_at from enrollments where shop_id = $1 order by id`, [shopId]);

    const r = await migrateToLiveVersion(db.pool, shopId, id, "merchant@example.com");
    expect(r).toEqual({ toVersion: 2, migrated: 3, kept: {} });
    expect(await runningOnOlderVersions(db.pool, shopId, id)).toBe(0);
    expect(await q(`select wake_at from enrollments where shop_id = $1 order by id`, [shopId])).toEqual(wakeBefore);
    expect(await q(`select journey_version from enrollments where shop_id = $1`, [shopId])).toEqual([1, 2, 3].map(() => ({ journey_version: 2 })));
    const audit = await q<{ actor: string; after: Record<string, unknown> }>(`select actor, after from audit_log where shop_id = $1 and action = 'migrate'`, [shopId]);
    expect(audit).toEqual([{ actor: "merchant@example.com", after: { toVersion: 2, migrated: 3, kept: {} } }]);
    // Asking again moves nobody.
    expect(await migrateToLiveVersion(db.pool, shopId, id, "merchant@example.com")).toEqual({ toVersion: 2, migrated: 0, kept: {} });

    clockMs += 3_600_000; // v1's hour, already scheduled
    for (const e of await q<{ id: string }>(`select id::text from enrollments where shop_id = $1`, [shopId])) await processEnrollment(deps(), shopId, e.id);
    const sent = [...sink.bodies.values()].filter((m) => old.includes(m.customerId));
    expect(sent.map((m) => m.contentId)).toEqual(["reminder", "reminder", "reminder"]);
    expect(await q(`select status::text from enrollments where shop_id = $1`, [shopId])).toEqual([1, 2, 3].map(() => ({ status: "completed" })));
  });

  it("leaves customers at a step the new version removed on their version (they finish there)", async () => {
    clockMs = Date.now();
    const shopId = await journeyShop(db.pool, "mig2.myshopify.com");
    const id = await publish(db.pool, shopId, version([
      { id: "w1", type: "wait", duration: { amount: 1, unit: "days" }, next: "x" },
      { id: "x", type: "exit" },
    ], "mig2"));
    const cs = await insertCustomers(db.pool, shopId, 2);
    await fire(shopId, cs, "mig2");
    await updateJourneyDraft(db.pool, shopId, id, version([
      { id: "w2", type: "wait", duration: { amount: 1, unit: "days" }, next: "x" },
      { id: "x", type: "exit" },
    ], "mig2"), "test");
    await publishJourney(db.pool, shopId, id, "test");
    expect(await migrateToLiveVersion(db.pool, shopId, id, "m")).toEqual({ toVersion: 2, migrated: 0, kept: { node_removed: 2 } });
    // With a mapping they move, the old step closed as migrated and the new one opened.
    expect(await migrateToLiveVersion(db.pool, shopId, id, "m", { w1: "w2" })).toEqual({ toVersion: 2, migrated: 2, kept: {} });
    const steps = await q(`select node_id, outcome, completed_at is not null as done from journey_steps where shop_id = $1 order by enrollment_id, node_id`, [shopId]);
    expect(steps).toEqual([1, 2].flatMap(() => [{ node_id: "w1", outcome: "migrated", done: true }, { node_id: "w2", outcome: null, done: false }]));
  });
});

describe("exit criteria through real events", () => {
  it("entering another stage or unsubscribing (any channel) ends the enrollment early; other stages do not", async () => {
    const shopId = await journeyShop(db.pool, "exit1.myshopify.com");
    await publish(db.pool, shopId, {
      ...version([{ id: "w", type: "wait", duration: { amount: 3, unit: "days" }, next: "x" }, { id: "x", type: "exit" }], "ex"),
      exitCriteria: [{ kind: "unsubscribed" }, { kind: "entered_stage", stage: "loyal" }],
    });
    const [a, b, c] = await insertCustomers(db.pool, shopId, 3);
    await fire(shopId, [a, b, c], "ex");
    await fire(shopId, [a], "stage_changed", { from: "at_risk", to: "loyal" });
    await fire(shopId, [b], "consent_changed", { channel: "sms", state: "unsubscribed" });
    await fire(shopId, [c], "stage_changed", { from: "at_risk", to: "lapsed" });
    const rows = await q<{ customer_id: string; status: string; reason: unknown }>(
      `select customer_id::text, status::text, state->'exitReason' as reason from enrollments where shop_id = $1 order by customer_id`, [shopId]);
    expect(rows).toEqual([
      { customer_id: a, status: "exited", reason: { kind: "exit_criteria", criterion: { kind: "entered_stage", stage: "loyal" } } },
      { customer_id: b, status: "exited", reason: { kind: "exit_criteria", criterion: { kind: "unsubscribed" } } },
      { customer_id: c, status: "waiting", reason: null },
    ]);
    const open = await q(`select 1 from journey_steps where shop_id = $1 and completed_at is null`, [shopId]);
    expect(open).toHaveLength(1); // only c's wait is still open
  });
});
