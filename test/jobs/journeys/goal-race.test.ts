// Goal and exit events against entries that are still in flight or handled late (real
// PostgreSQL, the engine's hook puts the order exactly inside the entry's transaction): an
// order that reaches a journey's goal converts the enrollment whatever the order the two
// events are handled in, so a customer who has ordered is not sent the rest of the journey.
import { describe, expect, it } from "vitest";
import { ok } from "../../../core/result";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import type { JourneyChannel, JourneyDeps } from "../../../jobs/journeys/types";
import { engineTestServices, insertEvents, insertTreatedCustomers, journeyShop, publish, twoSendJourney } from "./fixtures";

const { db, qs } = await engineTestServices("jgoalrace");

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];

/** Resolves once `p` settles or another session waits for an advisory lock. */
async function doneOrWaiting(p: Promise<unknown>): Promise<"done" | "waiting"> {
  let done = false;
  let failed: unknown = null;
  p.then(() => { done = true; }, (e) => { failed = e; });
  for (;;) {
    if (failed) throw failed;
    if (done) return "done";
    const w = await q(`select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
                       where l.locktype = 'advisory' and not l.granted and a.datname = current_database() limit 1`);
    if (w.length > 0) return "waiting";
    await new Promise((r) => setTimeout(r, 5));
  }
}

function memChannel(handed: string[]): JourneyChannel {
  return { provider: "mem", send: async (m, key) => { handed.push(key); return ok({ providerMessageId: `mem-${key}` }); } };
}

const enrollmentsOf = (shopId: number, customer: string) =>
  q<{ status: string; reason: string | null }>(`select status::text, state->'exitReason'->>'kind' as reason from enrollments where shop_id = $1 and customer_id = $2`, [shopId, customer]);

describe("goal events and entries", () => {
  it("an order handled while the customer's entry is still in flight converts the enrollment (batched)", async () => {
    const shopId = await journeyShop(db.pool, "goalrace-inflight.myshopify.com");
    const journeyId = await publish(db.pool, shopId, twoSendJourney("go", 24 * 60)); // send, wait a day, send; goal: order_placed
    const [customer] = await insertTreatedCustomers(db.pool, shopId, journeyId, 1);
    const handed: string[] = [];
    let order: Promise<unknown> | null = null;
    let orderWhileEntering: "done" | "waiting" | null = null;
    const other: JourneyDeps = { db: db.pool, qs, channels: { email: memChannel(handed) }, inline: false };
    const deps: JourneyDeps = {
      db: db.pool, qs, channels: { email: memChannel(handed) }, inline: true,
      hooks: {
        // Inside the entry's transaction (its first send being decided): the customer's order arrives and is handled now.
        async beforeSendCommit() {
          if (order) return;
          const [o] = await insertEvents(db.pool, shopId, [customer], "order_placed");
          order = handleJourneyEvent(other, shopId, o);
          orderWhileEntering = await doneOrWaiting(order);
        },
      },
    };
    const [trigger] = await insertEvents(db.pool, shopId, [customer], "go");
    await handleJourneyEvent(deps, shopId, trigger);
    expect(order).not.toBeNull();
    await order;
    expect(await enrollmentsOf(shopId, customer)).toEqual([{ status: "converted", reason: "goal" }]);
    expect(orderWhileEntering).toBe("waiting"); // the order's handling waited for the entry, then saw it
    // The first send was decided before the order was handled; the second never is.
    expect(handed).toHaveLength(1);
    expect(await q(`select node_id from messages where shop_id = $1 and customer_id = $2`, [shopId, customer])).toEqual([{ node_id: "a" }]);
  });

  it.each([
    { path: "batched", batch: undefined },
    { path: "one at a time", batch: false as const },
  ])("a trigger handled after a later order does not start the journey the order already converted ($path)", async ({ path, batch }) => {
    const shopId = await journeyShop(db.pool, `goalrace-late-${path.replace(/ /g, "-")}.myshopify.com`);
    const journeyId = await publish(db.pool, shopId, twoSendJourney("go", 0));
    const [customer, untouched] = await insertTreatedCustomers(db.pool, shopId, journeyId, 2);
    const handed: string[] = [];
    const deps: JourneyDeps = { db: db.pool, qs, channels: { email: memChannel(handed) }, ...(batch === false ? { batch } : {}) };
    // The trigger happened a minute before the order, but the order is handled first.
    const [trigger] = await q<{ id: string }>(
      `insert into events (shop_id, customer_id, name, occurred_at, properties) values ($1, $2, 'go', now() - interval '1 minute', '{}'), ($1, $3, 'go', now() - interval '1 minute', '{}') returning id::text`,
      [shopId, customer, untouched]);
    const [orderEvent] = await insertEvents(db.pool, shopId, [customer], "order_placed");
    await handleJourneyEvent(deps, shopId, orderEvent);
    await handleJourneyEvent(deps, shopId, trigger.id);
    expect(await enrollmentsOf(shopId, customer)).toEqual([]);
    expect(handed).toEqual([]);
    // A customer without a later order enters as usual.
    const [second] = await q<{ id: string }>(`select id::text from events where shop_id = $1 and customer_id = $2 and name = 'go'`, [shopId, untouched]);
    await handleJourneyEvent(deps, shopId, second.id);
    expect(await enrollmentsOf(shopId, untouched)).toEqual([{ status: "completed", reason: "completed" }]);
    expect(handed).toHaveLength(2);
  });
});
