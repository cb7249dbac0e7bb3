// customer_scores and events have no foreign key to customers (the checks cost the nightly job
// a third of its first-run writing): erasure deletes a customer's scores, score history and
// events explicitly, and waits for a running scoring of the shop so nothing it wrote survives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultScoringSettings } from "../../../core/scoring/schema";
import { holdShopAgainstErasure } from "../../../jobs/scoring/erasure-lock";
import { rescoreCustomer } from "../../../jobs/scoring/rescore-customer";
import { scoreShop } from "../../../jobs/scoring/score-shop";
import { createTestDatabase } from "../../helpers/db";

const db = await createTestDatabase("erase");
const { redactCustomer, redactShop } = await import("../../../app/models/privacy.server");
const NOW = new Date("2024-11-01T12:00:00Z");
const DAY = 86_400_000;

async function shopWithCustomers(domain: string, n: number): Promise<{ shopId: number; ids: string[] }> {
  const shop = await db.pool.query(
    `insert into shops (domain, platform, timezone, updated_at) values ($1, 'shopify', 'Europe/Berlin', now()) returning id`, [domain]);
  const shopId = shop.rows[0].id as number;
  const c = await db.pool.query(
    `insert into customers (shop_id, email, updated_at) select $1, 'c' || g || '@' || $2, now() from generate_series(1, $3::int) g returning id::text`,
    [shopId, domain, n],
  );
  const ids = c.rows.map((r) => r.id as string);
  await db.pool.query(
    `insert into customer_identities (shop_id, customer_id, source, external_id, email)
     select $1, id, 'shopify', 'ext-' || id, email from customers where shop_id = $1`, [shopId]);
  // Two to four orders each, some weeks apart, so everyone gets scores, history and a stage event.
  await db.pool.query(
    `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total, refunded, discounts, updated_at)
     select $1, 'shopify', 'o-' || c.id || '-' || k, c.id, $2::timestamptz - ((k * 40 + c.id % 30) * interval '1 day'), 'EUR', 1000 + k * 250, 0, 0, now()
     from customers c cross join generate_series(1, 2 + (c.id % 3)::int) k where c.shop_id = $1`,
    [shopId, NOW],
  );
  return { shopId, ids };
}

async function rowsOf(shopId: number, customerIds?: string[]) {
  const filter = customerIds ? `and customer_id = any($2::bigint[])` : "";
  const args = customerIds ? [shopId, customerIds] : [shopId];
  const count = async (table: string) =>
    Number((await db.pool.query(`select count(*) from ${table} where shop_id = $1 ${filter}`, args)).rows[0].count);
  return { scores: await count("customer_scores"), history: await count("customer_score_history"), events: await count("events") };
}

/** Rows of these tables whose customer no longer exists, in any shop. */
async function orphans() {
  const r = await db.pool.query(`
    select (select count(*) from customer_scores s where not exists (select 1 from customers c where c.shop_id = s.shop_id and c.id = s.customer_id))
         + (select count(*) from customer_score_history h where not exists (select 1 from customers c where c.shop_id = h.shop_id and c.id = h.customer_id))
         + (select count(*) from events e where e.customer_id is not null
              and not exists (select 1 from customers c where c.shop_id = e.shop_id and c.id = e.customer_id)) as n`);
  return Number(r.rows[0].n);
}

let kept: { shopId: number; ids: string[] };
let doomed: { shopId: number; ids: string[] };

beforeAll(async () => {
  kept = await shopWithCustomers("kept.example", 30);
  doomed = await shopWithCustomers("doomed.example", 20);
  for (const s of [kept, doomed]) {
    const r = await scoreShop(db.pool, s.shopId, NOW, defaultScoringSettings());
    expect(r.ok && r.value.customers).toBe(s.ids.length);
    // A second night: a second history row each.
    await scoreShop(db.pool, s.shopId, new Date(NOW.getTime() + DAY), defaultScoringSettings());
  }
});

afterAll(async () => db.drop());

describe("erasure without foreign keys on scores and events", () => {
  it("the foreign keys are gone, and scoring wrote scores, history and stage events", async () => {
    const fks = await db.pool.query(
      `select conrelid::regclass::text as t from pg_constraint where contype = 'f' and confrelid = 'customers'::regclass order by 1`);
    expect(fks.rows.map((r) => r.t)).toEqual(["customer_identities", "orders"]);
    expect(await rowsOf(kept.shopId, [kept.ids[0]])).toEqual({ scores: 1, history: 2, events: 1 });
  });

  it("customers/redact leaves no score, history or event row of the customer, and the others' alone", async () => {
    const before = await rowsOf(kept.shopId);
    const gone = kept.ids.slice(0, 3);
    const r = await redactCustomer(db.pool, kept.shopId, { email: `c1@kept.example` }, []);
    expect(r.customers).toBe(1);
    await redactCustomer(db.pool, kept.shopId, { externalId: `ext-${gone[1]}` }, []);
    await redactCustomer(db.pool, kept.shopId, { email: `c3@kept.example` }, []);
    expect(await rowsOf(kept.shopId, gone)).toEqual({ scores: 0, history: 0, events: 0 });
    expect(await rowsOf(kept.shopId)).toEqual({ scores: before.scores - 3, history: before.history - 6, events: before.events - 3 });
    expect(await orphans()).toBe(0);
    // The next night scores the rest as before, and the erased stay erased.
    const again = await scoreShop(db.pool, kept.shopId, new Date(NOW.getTime() + 2 * DAY), defaultScoringSettings());
    expect(again.ok && again.value.customers).toBe(kept.ids.length - 3);
    expect(await orphans()).toBe(0);
  });

  it("a redact arriving while scoring runs waits for it, then erases what it wrote", async () => {
    const victim = kept.ids[5];
    // A scoring transaction that staged the customer before the redact and writes after it.
    const scoring = await db.pool.connect();
    let redact: Promise<{ customers: number }>;
    let done = false;
    try {
      await scoring.query("begin");
      await holdShopAgainstErasure(scoring, kept.shopId);
      redact = redactCustomer(db.pool, kept.shopId, { externalId: `ext-${victim}` }, []).then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      await scoring.query(`update customer_scores set order_count = order_count + 1 where shop_id = $1 and customer_id = $2`, [kept.shopId, victim]);
      await scoring.query(
        `insert into events (shop_id, customer_id, name, occurred_at, dedupe_key) values ($1, $2, 'stage_changed', now(), $3)`,
        [kept.shopId, victim, `late-${victim}`]);
      await scoring.query("commit");
    } finally {
      await scoring.query("rollback").catch(() => {});
      scoring.release();
    }
    expect((await redact).customers).toBe(1);
    expect(await rowsOf(kept.shopId, [victim])).toEqual({ scores: 0, history: 0, events: 0 });
    expect(await orphans()).toBe(0);
  });

  it("single-customer rescoring writes nothing for a customer erased since", async () => {
    const victim = kept.ids[6];
    await redactCustomer(db.pool, kept.shopId, { externalId: `ext-${victim}` }, []);
    const r = await rescoreCustomer(db.pool, kept.shopId, victim, new Date(NOW.getTime() + 2 * DAY));
    expect(r.ok).toBe(false);
    expect(await rowsOf(kept.shopId, [victim])).toEqual({ scores: 0, history: 0, events: 0 });
    expect(await orphans()).toBe(0);
  });

  it("shop/redact leaves no score, history or event row of the shop, and the other shop's alone", async () => {
    const other = await rowsOf(kept.shopId);
    expect(await rowsOf(doomed.shopId)).toMatchObject({ scores: doomed.ids.length });
    await redactShop(db.pool, doomed.shopId, "doomed.example");
    expect(await rowsOf(doomed.shopId)).toEqual({ scores: 0, history: 0, events: 0 });
    const customers = await db.pool.query(`select count(*)::int as n from customers where shop_id = $1`, [doomed.shopId]);
    expect(customers.rows[0].n).toBe(0);
    expect(await rowsOf(kept.shopId)).toEqual(other);
    expect(await orphans()).toBe(0);
  });
});
