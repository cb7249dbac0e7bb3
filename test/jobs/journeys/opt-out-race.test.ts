// An opt-out that arrives while a send to the same customer is being decided (real
// PostgreSQL, the engine's own hook puts the opt-out exactly inside the decision's
// transaction): no send may be decided on consent read before an opt-out that is stored
// before the decision commits. The opt-out then ends every running journey on that channel
// at once, so the journey's next send never happens. Batched and one-at-a-time paths.
import { afterAll, describe, expect, it } from "vitest";
import { ok } from "../../../core/result";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import { processEnrollments } from "../../../jobs/journeys/step-batch";
import type { JourneyChannel, JourneyDeps } from "../../../jobs/journeys/types";
import { configureAppEnv } from "../../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertEvents, insertTreatedCustomers, journeyShop, publish, twoSendJourney } from "./fixtures";

const db: TestDatabase = await createTestDatabase("joptrace");
configureAppEnv(db);
const { changeConsent, setStoreConsentWriter } = await import("../../../app/models/consent.server");
const { closeDatabase } = await import("../../../app/db.server");
const { closeSharedQueues, createQueueSystem } = await import("../../../jobs/queues");
const qs = createQueueSystem({ databaseUrl: db.url });
setStoreConsentWriter(null);

afterAll(async () => {
  await qs.close();
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
const DAY = 86_400_000;

/**
 * Resolves once the customer's opt-out is stored (committed: other sessions read it) or the
 * opt-out's session waits for a customer's advisory lock (queued behind the decision).
 */
async function storedOrWaiting(shopId: number, customer: string, p: Promise<unknown>): Promise<"stored" | "waiting"> {
  let failed: unknown = null;
  p.catch((e) => { failed = e; });
  for (;;) {
    if (failed) throw failed;
    const [c] = await q<{ email_consent: string }>(`select email_consent::text from customers where shop_id = $1 and id = $2`, [shopId, customer]);
    if (c.email_consent === "unsubscribed") return "stored";
    const w = await q(`select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
                       where l.locktype = 'advisory' and not l.granted and a.datname = current_database() limit 1`);
    if (w.length > 0) return "waiting";
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("an opt-out while a send is being decided", () => {
  it.each([
    { path: "batched", batch: undefined },
    { path: "one at a time", batch: false as const },
  ])("never leads to a send decided after the opt-out is stored, and ends the journey ($path)", async ({ path, batch }) => {
    const shopId = await journeyShop(db.pool, `optrace-${path.replace(/ /g, "-")}.myshopify.com`);
    const journeyId = await publish(db.pool, shopId, twoSendJourney("go", 24 * 60)); // send, wait 1 day, send
    const [customer] = await insertTreatedCustomers(db.pool, shopId, journeyId, 1);

    const handed: string[] = [];
    const channel: JourneyChannel = { provider: "mem", send: async (m, key) => { handed.push(m.messageId); return ok({ providerMessageId: `mem-${key}` }); } };
    let optOut: Promise<unknown> | null = null;
    const decidedAfterOptOut = new Set<string>();
    const decidedWhileOptOutWaited = new Set<string>();
    const deps: JourneyDeps = {
      db: db.pool, qs, channels: { email: channel }, retry: { attempts: 1, backoffMs: 1 }, ...(batch === false ? { batch } : {}),
      hooks: {
        // Inside the decision's transaction, before its commit: the customer opts out right now.
        async beforeSendCommit(_shop, ids) {
          if (optOut) return;
          optOut = changeConsent({ shopId, channel: "email", customerId: customer, state: "unsubscribed", reason: "unsubscribe", source: "one_click", at: new Date() });
          const when = await storedOrWaiting(shopId, customer, optOut);
          for (const id of ids) (when === "stored" ? decidedAfterOptOut : decidedWhileOptOutWaited).add(id);
        },
      },
    };

    const [event] = await insertEvents(db.pool, shopId, [customer], "go");
    await handleJourneyEvent(deps, shopId, event);
    expect(optOut).not.toBeNull(); // the first send's decision met the opt-out
    await optOut;

    // Nothing decided on stale consent reached the channel.
    expect(handed.filter((id) => decidedAfterOptOut.has(id))).toEqual([]);
    // The opt-out waited for the decision already under way, which had read consent before it: that one send went.
    expect([...decidedWhileOptOutWaited]).toHaveLength(1);
    const messages = await q<{ node_id: string; status: string }>(`select node_id, status::text from messages where shop_id = $1 and customer_id = $2 order by id`, [shopId, customer]);
    expect(messages).toEqual([{ node_id: "a", status: "sent" }]);
    // The opt-out ended the journey at once (exit reason: unsubscribed on email).
    const [e] = await q<{ id: string; status: string; reason: unknown }>(
      `select id::text, status::text, state->'exitReason' as reason from enrollments where shop_id = $1 and customer_id = $2`, [shopId, customer]);
    expect(e).toMatchObject({ status: "exited", reason: { kind: "exit_criteria", criterion: { kind: "unsubscribed" }, channel: "email" } });

    // The consent_changed event reaches the engine too (idempotent), and a day later the second send never happens.
    const [consentEvent] = await q<{ id: string }>(`select id::text from events where shop_id = $1 and customer_id = $2 and name = 'consent_changed'`, [shopId, customer]);
    await handleJourneyEvent(deps, shopId, consentEvent.id);
    await processEnrollments({ ...deps, now: () => new Date(Date.now() + 2 * DAY) }, shopId, [e.id]);
    expect(await q(`select node_id, status::text from messages where shop_id = $1 and customer_id = $2 order by id`, [shopId, customer])).toEqual(messages);
    expect(handed).toHaveLength(1);
  });

  it("an opt-out stored before the decision suppresses the send (consent)", async () => {
    const shopId = await journeyShop(db.pool, "optrace-before.myshopify.com");
    const journeyId = await publish(db.pool, shopId, twoSendJourney("go", 24 * 60));
    const [customer] = await insertTreatedCustomers(db.pool, shopId, journeyId, 1);
    const handed: string[] = [];
    const channel: JourneyChannel = { provider: "mem", send: async (m, key) => { handed.push(m.messageId); return ok({ providerMessageId: `mem-${key}` }); } };
    const [event] = await insertEvents(db.pool, shopId, [customer], "go");
    await changeConsent({ shopId, channel: "email", customerId: customer, state: "unsubscribed", reason: "unsubscribe", source: "one_click", at: new Date() });
    await handleJourneyEvent({ db: db.pool, qs, channels: { email: channel } }, shopId, event);
    expect(handed).toEqual([]);
    expect(await q(`select status::text, reason->>'kind' as reason from messages where shop_id = $1 and customer_id = $2`, [shopId, customer]))
      .toEqual([{ status: "suppressed", reason: "consent" }]);
  });
});
