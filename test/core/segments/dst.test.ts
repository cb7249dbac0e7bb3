// Relative windows are shop-local calendar days, also on the 23- and 25-hour days of DST.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSegment } from "../../../core/segments/compile";
import { dayOfIsoDate, localDay, startOfLocalDay } from "../../../core/segments/local-day";
import type { TimeWindow } from "../../../core/segments/schema";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { seedShop } from "./seed";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("segdst");
  db.pool.on("error", () => {}); // dropping the database ends idle connections
});
afterAll(() => db?.drop());

const last = (days: number): TimeWindow => ({ kind: "last_days", days });
const ago = (min: number, max: number): TimeWindow => ({ kind: "between_days_ago", min, max });

// Instants written out by hand in UTC. New York: EDT from 2026-03-08 07:00Z, EST from
// 2026-11-01 06:00Z. London: BST from 2026-03-29 01:00Z.
const CASES: { name: string; timezone: string; now: string; window: TimeWindow; orderAt: string; member: boolean }[] = [
  { name: "NY spring, last 7 days, first instant", timezone: "America/New_York", now: "2026-03-09T04:30:00Z", window: last(7), orderAt: "2026-03-03T05:00:00.000Z", member: true },
  { name: "NY spring, last 7 days, just before", timezone: "America/New_York", now: "2026-03-09T04:30:00Z", window: last(7), orderAt: "2026-03-03T04:59:59.999Z", member: false },
  { name: "NY spring, today starts at EDT midnight", timezone: "America/New_York", now: "2026-03-09T04:30:00Z", window: last(1), orderAt: "2026-03-09T04:00:00.000Z", member: true },
  { name: "NY spring, 23:59 EDT yesterday is not today", timezone: "America/New_York", now: "2026-03-09T04:30:00Z", window: last(1), orderAt: "2026-03-09T03:59:59.999Z", member: false },
  { name: "NY spring, 23-hour yesterday, start", timezone: "America/New_York", now: "2026-03-09T04:30:00Z", window: ago(1, 1), orderAt: "2026-03-08T05:00:00.000Z", member: true },
  { name: "NY spring, 23-hour yesterday, end", timezone: "America/New_York", now: "2026-03-09T04:30:00Z", window: ago(1, 1), orderAt: "2026-03-09T03:59:59.999Z", member: true },
  { name: "NY spring, 23-hour yesterday, before", timezone: "America/New_York", now: "2026-03-09T04:30:00Z", window: ago(1, 1), orderAt: "2026-03-08T04:59:59.999Z", member: false },
  { name: "NY fall, 25-hour yesterday, start", timezone: "America/New_York", now: "2026-11-02T05:30:00Z", window: ago(1, 1), orderAt: "2026-11-01T04:00:00.000Z", member: true },
  { name: "NY fall, 25-hour yesterday, last instant", timezone: "America/New_York", now: "2026-11-02T05:30:00Z", window: ago(1, 1), orderAt: "2026-11-02T04:59:59.999Z", member: true },
  { name: "NY fall, today is not yesterday", timezone: "America/New_York", now: "2026-11-02T05:30:00Z", window: ago(1, 1), orderAt: "2026-11-02T05:00:00.000Z", member: false },
  { name: "NY fall, older than 1 day", timezone: "America/New_York", now: "2026-11-02T05:30:00Z", window: { kind: "older_than_days", days: 1 }, orderAt: "2026-11-02T04:59:59.999Z", member: true },
  { name: "NY fall, absolute day is 25 hours", timezone: "America/New_York", now: "2026-11-05T05:30:00Z", window: { kind: "absolute", from: "2026-11-01", to: "2026-11-01" }, orderAt: "2026-11-02T04:59:59.999Z", member: true },
  { name: "London spring, last 2 days from GMT midnight", timezone: "Europe/London", now: "2026-03-30T10:00:00Z", window: last(2), orderAt: "2026-03-29T00:00:00.000Z", member: true },
  { name: "London spring, last 2 days, before", timezone: "Europe/London", now: "2026-03-30T10:00:00Z", window: last(2), orderAt: "2026-03-28T23:59:59.999Z", member: false },
  { name: "London spring, today starts at BST midnight", timezone: "Europe/London", now: "2026-03-30T10:00:00Z", window: last(1), orderAt: "2026-03-29T23:00:00.000Z", member: true },
];

describe("relative windows across DST changes", () => {
  it.each(CASES.map((c, i) => ({ ...c, shopId: 100 + i })))("$name", async ({ shopId, timezone, now, window, orderAt, member }) => {
    await seedShop(db.pool, {
      id: shopId,
      timezone,
      customers: [{ id: 1 }, { id: 2 }],
      orders: [{ id: 1, customerId: 1, at: new Date(orderAt), total: 100 }],
    });
    const q = compileSegment({ kind: "orders", metric: "count", window, cmp: { op: "gte", value: 1 } }, { shopId, now: new Date(now), timezone });
    const ids = (await db.pool.query(q)).rows.map((r) => Number(r.id));
    expect(ids).toEqual(member ? [1] : []);
  });
});

describe("local-day helpers agree with PostgreSQL on every day of 2026", () => {
  const zones = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "Pacific/Chatham", "America/Havana", "UTC"];
  it.each(zones)("%s", async (zone) => {
    const first = dayOfIsoDate("2026-01-01");
    const r = await db.pool.query(
      `SELECT (d::date - date '1970-01-01') AS day, (d::timestamp AT TIME ZONE $1::text) AS start
       FROM generate_series(date '2026-01-01', date '2026-12-31', interval '1 day') d`,
      [zone],
    );
    expect(r.rows).toHaveLength(365);
    for (const row of r.rows) {
      const day = Number(row.day);
      const start = startOfLocalDay(day, zone);
      expect(start.toISOString(), `${zone} day ${day - first}`).toBe((row.start as Date).toISOString());
      expect(localDay(start, zone)).toBe(day);
      // The instant before is the previous day, except after a repeated midnight (Havana).
      if (zone !== "America/Havana") expect(localDay(new Date(start.getTime() - 1), zone)).toBe(day - 1);
    }
  });
});
