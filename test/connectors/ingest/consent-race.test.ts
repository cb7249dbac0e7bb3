// Bulk imports that revoke consent against the journey engine's send decisions (real
// PostgreSQL): an opt-out arriving in an import batch while a send to that customer is being
// decided (the engine's hook puts the import inside the decision's transaction) never lets a
// send decided on stale consent go out, and ends the customer's journeys on that channel. The
// import locks only the customers it revokes: a lock held on anyone else does not stop it.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ingestBatch } from "../../../connectors/ingest/ingest";
import { unmergeCustomer } from "../../../connectors/ingest/unmerge";
import type { JourneyInput } from "../../../core/journeys/schema";
import { ok } from "../../../core/result";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import { processEnrollments } from "../../../jobs/journeys/step-batch";
import type { JourneyChannel, JourneyDeps } from "../../../jobs/journeys/types";
import { engineTestServices, insertCustomers, insertEvents, insertTreatedCustomers, journeyShop, publish, TEST_HOLDOUT } from "../../jobs/journeys/fixtures";

const { db, qs } = await engineTestServices("ingconsent");
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
const DAY = 86_400_000;
const NOON = new Date("2026-11-20T17:00:00Z"); // 12:00 in New York: outside SMS quiet hours
const OLD = "2026-01-01T00:00:00Z";

/** trigger -> holdout -> SMS -> wait a day -> SMS -> exit */
const smsJourney = (trigger: string): JourneyInput => ({
  id: "d", version: 1, name: `SMS on ${trigger}`, trigger: { kind: "custom_event", name: trigger }, startNodeId: TEST_HOLDOUT.nodeId,
  nodes: [
    { id: TEST_HOLDOUT.nodeId, type: "holdout", controlPercent: TEST_HOLDOUT.controlPercent, next: "a" },
    { id: "a", type: "send", channel: "sms", contentId: "first", purpose: "promotional", next: "w" },
    { id: "w", type: "wait", duration: { amount: 1, unit: "days" }, next: "b" },
    { id: "b", type: "send", channel: "sms", contentId: "second", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
});

/** Each customer's Shopify identity (external id "x<id>"), last updated long ago, so an import record is newer. */
async function identities(shopId: number, customers: readonly string[]): Promise<Map<string, string>> {
  const r = await q<{ id: string; phone: string }>(
    `insert into customer_identities (shop_id, source, external_id, customer_id, phone, source_updated_at)
     select $1, 'shopify', 'x' || c.id, c.id, c.phone, $3 from customers c where c.shop_id = $1 and c.id = any($2::bigint[])
     returning customer_id::text as id, phone`, [shopId, customers, OLD]);
  return new Map(r.map((x) => [x.id, x.phone]));
}

const record = (id: string, phone: string, sms: string, at: Date) => ({
  source: "shopify", externalId: `x${id}`, phone, sourceUpdatedAt: at.toISOString(),
  smsConsent: { state: sms, at: at.toISOString(), source: "shopify" },
});

/** Resolves once the opt-out is committed, or the import waits for a customer's advisory lock. */
async function storedOrWaiting(shopId: number, customer: string, p: Promise<unknown>): Promise<"stored" | "waiting"> {
  let failed: unknown = null;
  p.catch((e) => { failed = e; });
  for (;;) {
    if (failed) throw failed;
    const [c] = await q<{ sms_consent: string }>(`select sms_consent::text from customers where shop_id = $1 and id = $2`, [shopId, customer]);
    if (c.sms_consent === "unsubscribed") return "stored";
    const w = await q(`select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
                       where l.locktype = 'advisory' and not l.granted and a.datname = current_database() limit 1`);
    if (w.length > 0) return "waiting";
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The backend that waits for an advisory lock, with the bigint keys it holds granted; null when nobody waits. */
async function waiter(): Promise<{ pid: number; held: number } | null> {
  const [w] = await q<{ pid: number; held: number }>(
    `select w.pid, (select count(*)::int from pg_locks g where g.pid = w.pid and g.locktype = 'advisory' and g.granted and g.objsubid = 1) as held
     from pg_locks w join pg_stat_activity a on a.pid = w.pid
     where w.locktype = 'advisory' and not w.granted and a.datname = current_database() limit 1`);
  return w ?? null;
}

describe("a bulk import revoking consent", () => {
  it.each([
    { path: "batched", batch: undefined },
    { path: "one at a time", batch: false as const },
  ])("never lets a send decided before its opt-out go out after it, and ends the SMS journey ($path)", async ({ path, batch }) => {
    const shopId = await journeyShop(db.pool, `ingrace-${path.replace(/ /g, "-")}.myshopify.com`);
    const journeyId = await publish(db.pool, shopId, smsJourney("go"));
    const [customer] = await insertTreatedCustomers(db.pool, shopId, journeyId, 1, { smsConsent: "subscribed" });
    const others = await insertCustomers(db.pool, shopId, 20, { smsConsent: "subscribed" });
    const phones = await identities(shopId, [customer, ...others]);

    const handed: string[] = [];
    const channel: JourneyChannel = { provider: "mem", send: async (m, key) => { handed.push(m.messageId); return ok({ providerMessageId: `mem-${key}` }); } };
    let importing: Promise<unknown> | null = null;
    const decidedAfterOptOut = new Set<string>();
    const decidedWhileImportWaited = new Set<string>();
    const deps: JourneyDeps = {
      db: db.pool, qs, channels: { sms: channel }, retry: { attempts: 1, backoffMs: 1 }, now: () => NOON, ...(batch === false ? { batch } : {}),
      hooks: {
        // Inside the decision's transaction, before its commit: an import batch revokes the customer's SMS consent now.
        async beforeSendCommit(_shop, ids) {
          if (importing) return;
          const at = new Date();
          importing = ingestBatch(db.pool, shopId, {
            customers: [record(customer, phones.get(customer)!, "unsubscribed", at), ...others.map((o) => record(o, phones.get(o)!, "subscribed", at))],
          }, { now: NOON });
          const when = await storedOrWaiting(shopId, customer, importing);
          for (const id of ids) (when === "stored" ? decidedAfterOptOut : decidedWhileImportWaited).add(id);
        },
      },
    };

    const [event] = await insertEvents(db.pool, shopId, [customer], "go");
    await handleJourneyEvent(deps, shopId, event);
    expect(importing).not.toBeNull(); // the first send's decision met the import
    await importing;

    expect(handed.filter((id) => decidedAfterOptOut.has(id))).toEqual([]);
    // The import waited for the decision already under way (it read consent first): that one send went.
    expect([...decidedWhileImportWaited]).toHaveLength(1);
    const messages = await q(`select node_id, status::text from messages where shop_id = $1 and customer_id = $2 order by id`, [shopId, customer]);
    expect(messages).toEqual([{ node_id: "a", status: "sent" }]);
    expect(await q(`select sms_consent::text from customers where shop_id = $1 and id = $2`, [shopId, customer])).toEqual([{ sms_consent: "unsubscribed" }]);
    // The import's opt-out ended the journey at once, as the single opt-out paths do.
    const [e] = await q<{ id: string; status: string; reason: unknown }>(
      `select id::text, status::text, state->'exitReason' as reason from enrollments where shop_id = $1 and customer_id = $2`, [shopId, customer]);
    expect(e).toMatchObject({ status: "exited", reason: { kind: "exit_criteria", criterion: { kind: "unsubscribed" }, channel: "sms" } });
    expect(await q(`select outcome from journey_steps where shop_id = $1 and enrollment_id = $2 and completed_at is null`, [shopId, e.id])).toEqual([]);
    // A day later the second SMS never happens.
    await processEnrollments({ ...deps, hooks: undefined, now: () => new Date(NOON.getTime() + 2 * DAY) }, shopId, [e.id]);
    expect(await q(`select node_id, status::text from messages where shop_id = $1 and customer_id = $2 order by id`, [shopId, customer])).toEqual(messages);
    expect(handed).toHaveLength(1);
  });

  it("locks only the customers it revokes: a lock held on anyone else does not hold it up", async () => {
    const shopId = await journeyShop(db.pool, "ingrace-few.myshopify.com");
    const customers = await insertCustomers(db.pool, shopId, 400, { smsConsent: "subscribed", emailConsent: "not_subscribed" });
    const phones = await identities(shopId, customers);
    const revoking = customers.slice(0, 3);
    const emailOnly = customers[3]; // email not_subscribed -> unsubscribed: nothing to revoke
    const stale = customers[4]; // an older record: not applied, nothing revoked
    const at = new Date("2026-06-01T00:00:00Z");
    const batch = customers.map((c) => {
      if (revoking.includes(c)) return record(c, phones.get(c)!, "unsubscribed", at);
      if (c === stale) return record(c, phones.get(c)!, "unsubscribed", new Date("2025-01-01T00:00:00Z"));
      if (c === emailOnly) return { ...record(c, phones.get(c)!, "subscribed", at), emailConsent: { state: "unsubscribed", at: at.toISOString() } };
      return { ...record(c, phones.get(c)!, "subscribed", at), firstName: "Renamed" };
    });

    // Another session holds the locks of every customer the import does not revoke, in a
    // transaction left open: the import still completes.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query(`select pg_advisory_xact_lock(hashtextextended('cust:' || $1::text || ':' || c, 0)) from unnest($2::text[]) c`,
        [shopId, customers.filter((c) => !revoking.includes(c))]);
      const done = await Promise.race([ingestBatch(db.pool, shopId, { customers: batch }, { now: NOON }), new Promise((r) => setTimeout(() => r("timed out"), 15_000))]);
      expect(done).toMatchObject({ customers: { updated: 399 } }); // all but the stale record
      await holder.query("commit");

      const rows = await q<{ id: string; sms: string; email: string; first_name: string }>(
        `select id::text, sms_consent::text as sms, email_consent::text as email, first_name from customers where shop_id = $1 order by id`, [shopId]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const c of revoking) expect(byId.get(c)).toMatchObject({ sms: "unsubscribed", first_name: "C" });
      expect(byId.get(stale)).toMatchObject({ sms: "subscribed" });
      expect(byId.get(emailOnly)).toMatchObject({ sms: "subscribed", email: "unsubscribed" });
      expect(rows.filter((r) => r.sms === "unsubscribed").map((r) => r.id).sort()).toEqual([...revoking].sort());
      expect(rows.filter((r) => r.first_name === "Renamed")).toHaveLength(400 - 5);
      // Each revocation is recorded as a consent_changed event, as one made in Winback; nobody else gets one.
      const events = await q<{ customer_id: string; properties: Record<string, string>; source: string }>(
        `select customer_id::text, properties, source from events where shop_id = $1 and name = 'consent_changed' order by customer_id`, [shopId]);
      expect(events).toEqual([...revoking].sort((a, b) => Number(a) - Number(b)).map((c) => ({
        customer_id: c, properties: { channel: "sms", state: "unsubscribed", source: "ingest" }, source: "ingest",
      })));

      // A revoking customer's lock held elsewhere does hold the next import up, and it takes no
      // more than the revoking customers' locks meanwhile (here only the one it waits for).
      const again = customers.slice(10, 20);
      await holder.query("begin");
      await holder.query(`select pg_advisory_xact_lock(hashtextextended('cust:' || $1::text || ':' || $2::text, 0))`, [shopId, again[0]]);
      const second = ingestBatch(db.pool, shopId, {
        customers: customers.map((c) => record(c, phones.get(c)!, c === again[0] ? "unsubscribed" : "subscribed", new Date("2026-07-01T00:00:00Z"))),
      }, { now: NOON });
      let failed: unknown = null;
      second.catch((e) => { failed = e; });
      let w: { pid: number; held: number } | null = null;
      for (const until = Date.now() + 10_000; !w && !failed && Date.now() < until; await new Promise((r) => setTimeout(r, 10))) w = await waiter();
      expect(failed).toBeNull();
      expect(w).toMatchObject({ held: 0 });
      expect(await q(`select sms_consent::text from customers where shop_id = $1 and id = $2`, [shopId, again[0]])).toEqual([{ sms_consent: "subscribed" }]);
      await holder.query("commit");
      await second;
      expect(await q(`select sms_consent::text from customers where shop_id = $1 and id = $2`, [shopId, again[0]])).toEqual([{ sms_consent: "unsubscribed" }]);
    } finally {
      await holder.query("rollback").catch(() => {});
      await holder.end();
    }
  });

  it("unmerging takes back consent the merge filled in, and the opt-out ends the survivor's SMS journey", async () => {
    const shopId = await journeyShop(db.pool, "ingrace-unmerge.myshopify.com");
    const journeyId = await publish(db.pool, shopId, smsJourney("go"));
    const [survivor] = await insertTreatedCustomers(db.pool, shopId, journeyId, 1, { smsConsent: "unknown" });
    const phone = (await identities(shopId, [survivor])).get(survivor)!;
    // A CSV record with the same phone attaches to the customer and fills its unknown SMS consent.
    const r = await ingestBatch(db.pool, shopId, { customers: [{ source: "csv", externalId: "csv-1", phone, smsConsent: { state: "subscribed" } }] }, { now: NOON });
    expect(r.customers.attached).toBe(1);
    expect(await q(`select sms_consent::text from customers where shop_id = $1 and id = $2`, [shopId, survivor])).toEqual([{ sms_consent: "subscribed" }]);

    const handed: string[] = [];
    const channel: JourneyChannel = { provider: "mem", send: async (m, key) => { handed.push(m.messageId); return ok({ providerMessageId: `mem-${key}` }); } };
    await handleJourneyEvent({ db: db.pool, qs, channels: { sms: channel }, now: () => NOON }, shopId, (await insertEvents(db.pool, shopId, [survivor], "go"))[0]);
    expect(handed).toHaveLength(1); // the first SMS, on the consent the CSV record brought; now waiting a day

    const u = await unmergeCustomer(db.pool, shopId, { source: "csv", externalId: "csv-1" }, { now: NOON });
    expect(u.ok).toBe(true);
    expect(await q(`select sms_consent::text, sms_consent_at from customers where shop_id = $1 and id = $2`, [shopId, survivor]))
      .toEqual([{ sms_consent: "unknown", sms_consent_at: null }]);
    if (u.ok) expect(await q(`select sms_consent::text from customers where shop_id = $1 and id = $2`, [shopId, u.value.customerId])).toEqual([{ sms_consent: "subscribed" }]);
    expect(await q(`select status::text, state->'exitReason'->>'channel' as channel from enrollments where shop_id = $1 and customer_id = $2`, [shopId, survivor]))
      .toEqual([{ status: "exited", channel: "sms" }]);
  });
});
