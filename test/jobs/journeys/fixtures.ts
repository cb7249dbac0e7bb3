// Shops, customers, journeys and events for the journey engine tests, written set-based.
import type pg from "pg";
import { afterAll } from "vitest";
import { createJourney, publishJourney } from "../../../app/models/journeys.server";
import { holdoutGroup } from "../../../core/journeys/interpret";
import type { JourneyInput } from "../../../core/journeys/schema";
import type { QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertShop } from "../../helpers/fixtures";
import { startJourneySink, type JourneySink } from "../../helpers/journey-sink";

/** Generous caps and no smart sending, so tests see only the rule they exercise. */
export const OPEN_GOVERNANCE = {
  caps: { email: { max: 100, windowMs: 604_800_000 }, sms: { max: 100, windowMs: 604_800_000 }, push: { max: 100, windowMs: 604_800_000 }, total: { max: 300, windowMs: 604_800_000 } },
  smartSendingMs: { email: 0, sms: 0, push: 0 },
  conflicts: { maxConcurrentJourneys: 10 },
};

export async function journeyShop(db: pg.Pool, domain: string, governance: unknown = OPEN_GOVERNANCE): Promise<number> {
  const shopId = await insertShop(db, domain);
  await db.query(`update shops set settings = jsonb_build_object('governance', $2::jsonb) where id = $1`, [shopId, JSON.stringify(governance)]);
  return shopId;
}

export async function insertCustomers(
  db: pg.Pool, shopId: number, n: number,
  opts: { emailConsent?: string; smsConsent?: string; timezone?: string; province?: string; phonePrefix?: string } = {},
): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `insert into customers (shop_id, email, phone, first_name, email_consent, sms_consent, timezone, country, province, updated_at)
     select $1, 'c' || g || '-' || $7 || '@example.com', $8 || lpad(g::text, 7, '0'), 'C', $3::"ConsentState", $4::"ConsentState", $5, 'US', $6, now()
     from generate_series(1, $2) g returning id::text`,
    [shopId, n, opts.emailConsent ?? "subscribed", opts.smsConsent ?? "not_subscribed", opts.timezone ?? "America/New_York",
      opts.province ?? "NY", Math.random().toString(36).slice(2, 8), opts.phonePrefix ?? "+1212"],
  );
  return r.rows.map((x) => x.id);
}

/** The holdout every test journey starts with: node "h", at the 5% floor. */
export const TEST_HOLDOUT = { nodeId: "h", controlPercent: 5 } as const;

/** Splits customers by their sticky group at a journey's holdout (the engine's own assignment). */
export function byHoldoutGroup(
  journeyId: string, customerIds: readonly string[], holdout: { nodeId: string; controlPercent: number } = TEST_HOLDOUT,
): { treated: string[]; control: string[] } {
  const treated: string[] = [];
  const control: string[] = [];
  for (const c of customerIds) (holdoutGroup(journeyId, holdout.nodeId, c, holdout.controlPercent) === "treatment" ? treated : control).push(c);
  return { treated, control };
}

/**
 * Inserts customers and returns n of them that the holdout treats in every given journey
 * (publish first: the group depends on the journey id), so a test that needs customers
 * messaged never relies on luck. Customers that drew control stay in the shop, unused.
 */
export function insertTreatedCustomers(
  db: pg.Pool, shopId: number, journeyIds: string | readonly string[], n: number,
  opts: Parameters<typeof insertCustomers>[3] = {}, holdout: { nodeId: string; controlPercent: number } = TEST_HOLDOUT,
): Promise<string[]> {
  return insertCustomersInGroup(db, shopId, journeyIds, "treatment", n, opts, holdout);
}

/** As insertTreatedCustomers, for either group: "control" gives n customers the holdout keeps out. */
export async function insertCustomersInGroup(
  db: pg.Pool, shopId: number, journeyIds: string | readonly string[], group: "control" | "treatment", n: number,
  opts: Parameters<typeof insertCustomers>[3] = {}, holdout: { nodeId: string; controlPercent: number } = TEST_HOLDOUT,
): Promise<string[]> {
  const journeys = typeof journeyIds === "string" ? [journeyIds] : journeyIds;
  const perHit = group === "treatment" ? 1 : Math.ceil(100 / holdout.controlPercent);
  const found: string[] = [];
  while (found.length < n) {
    const batch = await insertCustomers(db, shopId, (n - found.length) * perHit, opts);
    found.push(...batch.filter((c) => journeys.every((j) => holdoutGroup(j, holdout.nodeId, c, holdout.controlPercent) === group)));
  }
  return found.slice(0, n);
}

export async function publish(db: pg.Pool, shopId: number, draft: JourneyInput): Promise<string> {
  const id = await createJourney(db, shopId, { name: draft.name, draft });
  const p = await publishJourney(db, shopId, id, "test");
  if (!p.ok) throw new Error(`publish failed: ${JSON.stringify(p.error)}`);
  return id;
}

export async function insertEvents(db: pg.Pool, shopId: number, customerIds: readonly string[], name: string, properties: object = {}): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `insert into events (shop_id, customer_id, name, occurred_at, properties)
     select $1, c, $3, now(), $4 from unnest($2::bigint[]) c returning id::text`,
    [shopId, customerIds, name, JSON.stringify(properties)],
  );
  return r.rows.map((x) => x.id);
}

/** trigger -> holdout (5% control) -> send A -> wait (0 min: due at once, still a durable wait) -> send B -> exit */
export const twoSendJourney = (trigger = "kill_test", wait = 0): JourneyInput => ({
  id: "draft", version: 1, name: `Two sends on ${trigger}`,
  trigger: { kind: "custom_event", name: trigger },
  startNodeId: "h",
  nodes: [
    { id: "h", type: "holdout", controlPercent: TEST_HOLDOUT.controlPercent, next: "a" },
    { id: "a", type: "send", channel: "email", contentId: "first", purpose: "promotional", next: "w" },
    { id: "w", type: "wait", duration: { amount: wait, unit: "minutes" }, next: "b" },
    { id: "b", type: "send", channel: "email", contentId: "second", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
});

/**
 * What an engine test file runs on: its own database, a queue on the PostgreSQL backend and a
 * channel that records what it is handed; all closed when the file's tests are done.
 */
export async function engineTestServices(prefix: string): Promise<{ db: TestDatabase; qs: QueueSystem; sink: JourneySink }> {
  const { createQueueSystem } = await import("../../../jobs/queues");
  const db = await createTestDatabase(prefix);
  const qs = createQueueSystem({ databaseUrl: db.url });
  const sink = await startJourneySink();
  afterAll(async () => {
    await qs.close();
    await sink.stop();
    await db.drop();
  });
  return { db, qs, sink };
}
