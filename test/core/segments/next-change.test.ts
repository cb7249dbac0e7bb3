import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSegmentForCustomer } from "../../../core/segments/compile";
import { nextMembershipChange, type CustomerTimeFacts } from "../../../core/segments/next-change";
import type { SegmentNode, TimeWindow } from "../../../core/segments/schema";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { seedShop } from "./seed";

const NY = "America/New_York";
const lapsed = (days: number): SegmentNode => ({ kind: "orders", metric: "last_order_at", window: { kind: "all_time" }, cmp: { op: "in_window", window: { kind: "older_than_days", days } } });
const orderedIn = (window: TimeWindow, n = 1): SegmentNode => ({ kind: "orders", metric: "count", window, cmp: { op: "gte", value: n } });
const d = (iso: string) => new Date(iso);

describe("nextMembershipChange, hand-computed instants", () => {
  const cases: { name: string; tree: SegmentNode; facts: CustomerTimeFacts; now: string; at: string | null; complete?: boolean; resolve?: Record<string, SegmentNode> }[] = [
    // Jan 10 + 90 days = Apr 10, local midnight in EDT.
    { name: "lapsed 90 turns true at last order + 90 days, local midnight", tree: lapsed(90), facts: { orders: [d("2026-01-10T15:00:00Z")] }, now: "2026-02-01T00:00:00Z", at: "2026-04-10T04:00:00.000Z" },
    { name: "lapsed 90 already true: no further change by time", tree: lapsed(90), facts: { orders: [d("2026-01-10T15:00:00Z")] }, now: "2026-04-10T04:00:00Z", at: null },
    { name: "no orders: nothing moves", tree: lapsed(90), facts: { orders: [] }, now: "2026-02-01T00:00:00Z", at: null },
    { name: "ordered in last 30 days ends 30 local days later", tree: orderedIn({ kind: "last_days", days: 30 }), facts: { orders: [d("2026-03-01T12:00:00Z")] }, now: "2026-03-05T00:00:00Z", at: "2026-03-31T04:00:00.000Z" },
    { name: "the earliest of several orders' edges", tree: orderedIn({ kind: "last_days", days: 30 }), facts: { orders: [d("2026-03-01T12:00:00Z"), d("2026-02-20T12:00:00Z")] }, now: "2026-03-05T00:00:00Z", at: "2026-03-22T04:00:00.000Z" },
    {
      name: "created 30-60 days ago: enters at +30 days (EST)",
      tree: { kind: "customer", field: "created_at", cmp: { op: "in_window", window: { kind: "between_days_ago", min: 30, max: 60 } } },
      facts: { createdAt: d("2026-01-15T12:00:00Z") },
      now: "2026-01-20T00:00:00Z",
      at: "2026-02-14T05:00:00.000Z",
    },
    {
      name: "created 30-60 days ago: leaves at +61 days (EDT)",
      tree: { kind: "customer", field: "created_at", cmp: { op: "in_window", window: { kind: "between_days_ago", min: 30, max: 60 } } },
      facts: { createdAt: d("2026-01-15T12:00:00Z") },
      now: "2026-02-14T05:00:00Z",
      at: "2026-03-17T04:00:00.000Z",
    },
    {
      name: "expected next order in the next 7 days",
      tree: { kind: "score", field: "expected_next_order_at", cmp: { op: "in_window", window: { kind: "next_days", days: 7 } } },
      facts: { expectedNextOrderAt: d("2026-05-20T15:00:00Z") },
      now: "2026-05-01T00:00:00Z",
      at: "2026-05-14T04:00:00.000Z",
    },
    { name: "absolute windows never move", tree: orderedIn({ kind: "absolute", from: "2026-01-01" }), facts: { orders: [d("2026-03-01T12:00:00Z")] }, now: "2026-03-05T00:00:00Z", at: null },
    {
      name: "and/not: earliest edge of any leaf",
      tree: { kind: "and", children: [lapsed(90), { kind: "not", child: orderedIn({ kind: "last_days", days: 7 }) }] },
      facts: { orders: [d("2026-01-10T15:00:00Z")] },
      now: "2026-01-12T00:00:00Z",
      at: "2026-01-17T05:00:00.000Z",
    },
    {
      name: "engagement window without event facts is incomplete",
      tree: { kind: "engagement", action: "opened", window: { kind: "last_days", days: 7 }, count: { op: "gte", value: 1 } },
      facts: {},
      now: "2026-01-12T00:00:00Z",
      at: null,
      complete: false,
    },
    {
      name: "engagement from event facts, other names ignored",
      tree: { kind: "engagement", action: "opened", window: { kind: "last_days", days: 7 }, count: { op: "gte", value: 1 } },
      facts: { events: [{ name: "message_opened", occurredAt: d("2026-01-11T15:00:00Z") }, { name: "message_sent", occurredAt: d("2026-01-10T15:00:00Z") }] },
      now: "2026-01-12T00:00:00Z",
      at: "2026-01-18T05:00:00.000Z",
    },
    { name: "unresolved segment reference is incomplete", tree: { kind: "in_segment", segment_id: "5", member: true }, facts: {}, now: "2026-01-12T00:00:00Z", at: null, complete: false },
    {
      name: "resolved segment reference is followed",
      tree: { kind: "in_segment", segment_id: "5", member: false },
      resolve: { "5": lapsed(90) },
      facts: { orders: [d("2026-01-10T15:00:00Z")] },
      now: "2026-02-01T00:00:00Z",
      at: "2026-04-10T04:00:00.000Z",
    },
  ];
  it.each(cases)("$name", ({ tree, facts, now, at, complete, resolve }) => {
    const r = nextMembershipChange(tree, facts, { now: d(now), timezone: NY, resolveSegment: resolve ? (id) => resolve[id] : undefined });
    expect(r.at?.toISOString() ?? null).toBe(at);
    expect(r.complete).toBe(complete ?? true);
  });
});

describe("on a simulated clock, membership changes only at the computed instants", () => {
  const LONDON = "Europe/London"; // BST from 2026-03-29: the walk crosses it
  const orders = [d("2026-02-20T23:30:00Z"), d("2026-03-10T08:00:00Z"), d("2026-03-12T20:00:00Z")];
  const events = [{ name: "message_opened", occurredAt: d("2026-03-15T23:59:00Z") }];
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("segnext");
    db.pool.on("error", () => {}); // dropping the database ends idle connections
    await seedShop(db.pool, {
      id: 1,
      timezone: LONDON,
      customers: [{ id: 7 }],
      orders: orders.map((at, i) => ({ id: i + 1, customerId: 7, at, total: 100 })),
      events: events.map((e) => ({ customerId: 7, name: e.name, at: e.occurredAt, properties: { channel: "email" } })),
    });
  });
  afterAll(() => db?.drop());

  const member = async (tree: SegmentNode, now: Date) =>
    (await db.pool.query(compileSegmentForCustomer(tree, { shopId: 1, now, timezone: LONDON, customerId: 7n }))).rowCount === 1;

  const trees: { name: string; tree: SegmentNode }[] = [
    { name: "lapsed 14", tree: lapsed(14) },
    { name: "2+ orders in last 10 days", tree: orderedIn({ kind: "last_days", days: 10 }, 2) },
    { name: "orders 5-8 days ago", tree: orderedIn({ kind: "between_days_ago", min: 5, max: 8 }) },
    { name: "opened in last 3 days or not ordered in 20", tree: { kind: "or", children: [{ kind: "engagement", action: "opened", window: { kind: "last_days", days: 3 }, count: { op: "gte", value: 1 } }, { kind: "not", child: orderedIn({ kind: "last_days", days: 20 }) }] } },
  ];
  it.each(trees)("$name", async ({ tree }) => {
    let now = d("2026-03-01T12:00:00Z");
    let changes = 0;
    for (let step = 0; step < 20; step++) {
      const next = nextMembershipChange(tree, { orders, events }, { now, timezone: LONDON });
      expect(next.complete).toBe(true);
      const before = await member(tree, now);
      if (!next.at) {
        // Nothing moves any more: a far-future check agrees.
        expect(await member(tree, new Date(now.getTime() + 400 * 86_400_000))).toBe(before);
        break;
      }
      expect(next.at.getTime()).toBeGreaterThan(now.getTime());
      // Constant until the instant (checked at the midpoint and the last millisecond)...
      expect(await member(tree, new Date((now.getTime() + next.at.getTime()) / 2))).toBe(before);
      expect(await member(tree, new Date(next.at.getTime() - 1))).toBe(before);
      if ((await member(tree, next.at)) !== before) changes++;
      now = next.at;
    }
    // ...and it did change at some of them.
    expect(changes).toBeGreaterThan(0);
  });
});
