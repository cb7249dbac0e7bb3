// Category mix in real PostgreSQL: the shares staged by stage-summaries.ts on a hand-checked
// shop, shops without categories left as before, and a full run whose clusters split
// customers by what they buy and say so.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng as seededRng } from "../../../core/random";
import { defaultScoringSettings } from "../../../core/scoring/schema";
import { scoreShop } from "../../../jobs/scoring/score-shop";
import { COL, pageQuery, stageCategoryMix, stageSummaries } from "../../../jobs/scoring/stage-summaries";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";

let db: TestDatabase;
const NOW = new Date("2025-01-01T12:00:00Z");
const DAY = 86_400_000;
const settings = { ...defaultScoringSettings(), period: "week" as const };

beforeAll(async () => {
  db = await createTestDatabase("catmix");
});
afterAll(async () => db?.drop());

type Line = [productId: string | null, price: number, quantity: number, discount?: number];
interface OrderSpec {
  customer: number;
  at: Date;
  lines: Line[];
  refunded?: "all";
  cancelled?: boolean;
}

let shops = 0;
async function makeShop(products: [externalId: string, type: string | null, source?: string][], customers: number): Promise<{ shopId: number; ids: string[] }> {
  const shop = await db.pool.query<{ id: number }>(
    `insert into shops (domain, platform, timezone, updated_at) values ($1, 'shopify', 'UTC', now()) returning id`,
    [`catmix-${++shops}.example`],
  );
  const shopId = shop.rows[0].id;
  const ids = (await db.pool.query<{ id: string }>(
    `insert into customers (shop_id, email, updated_at) select $1, 'c' || g || '@example.com', now() from generate_series(1, $2::int) g order by g returning id::text`,
    [shopId, customers],
  )).rows.map((r) => r.id);
  await db.pool.query(
    `insert into products (shop_id, source, external_id, title, product_type)
     select $1, coalesce(s, 'shopify')::"Platform", e, e, t from unnest($2::text[], $3::text[], $4::text[]) as u(e, t, s)`,
    [shopId, products.map((p) => p[0]), products.map((p) => p[1]), products.map((p) => p[2] ?? null)],
  );
  return { shopId, ids };
}

async function addOrders(shopId: number, ids: string[], orders: OrderSpec[]): Promise<void> {
  for (const [n, o] of orders.entries()) {
    const total = o.lines.reduce((s, [, price, q, d = 0]) => s + price * q - d, 0) || 1000;
    const r = await db.pool.query<{ id: string }>(
      `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total, refunded, cancelled_at, updated_at)
       values ($1, 'shopify', $2, $3, $4, 'USD', $5, $6, $7, now()) returning id::text`,
      [shopId, `o${n}`, ids[o.customer], o.at, total, o.refunded ? total : 0, o.cancelled ? o.at : null],
    );
    await db.pool.query(
      `insert into order_lines (shop_id, order_id, product_id, title, quantity, price, discount)
       select $1, $2, p, 'line', q, price, d from unnest($3::text[], $4::bigint[], $5::int[], $6::bigint[]) as u(p, price, q, d)`,
      [shopId, r.rows[0].id, o.lines.map((l) => l[0]), o.lines.map((l) => l[1]), o.lines.map((l) => l[2]), o.lines.map((l) => l[3] ?? 0)],
    );
  }
}

/** Stages the shop in a transaction (rolled back) and returns its categories and each customer's shares (null without categories). */
async function staged(shopId: number): Promise<{ categories: string[]; shares: Map<string, number[] | null> }> {
  const client = await db.pool.connect();
  try {
    await client.query("begin");
    const { timezone } = (await stageSummaries(client, shopId, NOW))!;
    const categories = await stageCategoryMix(client, shopId, NOW);
    // Read as the job's pages read them.
    const rows = await client.query<unknown[]>({ text: pageQuery(categories.length), values: ["0", 1000, shopId, timezone], rowMode: "array" });
    const shares = rows.rows.map((r) => [r[COL.id] as string, categories.length ? (r.slice(COL.firstShare) as number[]) : null] as const);
    expect(rows.rows.every((r) => r.length === COL.firstShare + categories.length)).toBe(true);
    return { categories, shares: new Map(shares) };
  } finally {
    await client.query("rollback");
    client.release();
  }
}

const at = (day: number) => new Date(Date.parse("2024-06-01T12:00:00Z") + day * DAY);

describe("category shares staged in SQL", () => {
  it("takes the shop's top five product types by line spend (each at least 5%), and each customer's share of spend in them", async () => {
    const { shopId, ids } = await makeShop(
      [
        ["P1", "Outerwear"], ["P2", "Outerwear"], ["P3", "Knitwear"], ["P4", "Boots"], ["P5", "Hats"], ["P6", "Scarves"],
        ["P7", "Gloves"], ["P8", "Socks"], ["P9", ""],
        // Another platform's product with the same id: not the shopify order's product.
        ["P1", "Swimwear", "woocommerce"],
      ],
      6,
    );
    await addOrders(shopId, ids, [
      // Customer 0: Outerwear 2 x 1000, Knitwear 1000 less 200 discount, Boots 1500 (another day).
      { customer: 0, at: at(1), lines: [["P1", 1000, 2], ["P3", 1000, 1, 200]] },
      { customer: 0, at: at(5), lines: [["P4", 1500, 1]] },
      // Customer 1: Hats 2 x 500, Scarves 800, Gloves 600, Socks 100.
      { customer: 1, at: at(2), lines: [["P5", 500, 2], ["P6", 800, 1], ["P7", 600, 1], ["P8", 100, 1]] },
      // Customer 2: Outerwear 2000, Knitwear 1200, untyped 300, a product the shop no longer has 200, a line without product 0.
      { customer: 2, at: at(3), lines: [["P2", 2000, 1], ["P3", 1200, 1], ["P9", 300, 1], ["gone", 200, 1], [null, 0, 1]] },
      // Customer 4 merged into 5: Knitwear 400 counts for 5, beside 5's Boots 100.
      { customer: 4, at: at(4), lines: [["P3", 400, 1]] },
      { customer: 5, at: at(6), lines: [["P4", 100, 1]] },
      // Left out like everywhere in scoring: cancelled, refunded in full, after the run's instant.
      { customer: 5, at: at(7), lines: [["P7", 9000, 1]], cancelled: true },
      { customer: 5, at: at(8), lines: [["P8", 9000, 1]], refunded: "all" },
      { customer: 0, at: new Date(NOW.getTime() + DAY), lines: [["P8", 9000, 1]] },
      // Customer 3: an order without lines (a CSV import): shares all 0.
      { customer: 3, at: at(9), lines: [] },
    ]);
    await db.pool.query(`update customers set merged_into_id = $3 where shop_id = $1 and id = $2`, [shopId, ids[4], ids[5]]);
    // Shop line spend 11,000: Outerwear 4000, Knitwear 2400, Boots 1600, Hats 1000, Scarves 800,
    // Gloves 600 (over 5% but sixth), untyped 500, Socks 100 (under 5% = 550).
    const { categories, shares } = await staged(shopId);
    expect(categories).toEqual(["Outerwear", "Knitwear", "Boots", "Hats", "Scarves"]);
    const expected: [customer: number, shares: number[]][] = [
      [0, [2000 / 4300, 800 / 4300, 1500 / 4300, 0, 0]],
      [1, [0, 0, 0, 1000 / 2500, 800 / 2500]],
      [2, [2000 / 3700, 1200 / 3700, 0, 0, 0]],
      [3, [0, 0, 0, 0, 0]],
      [5, [0, 400 / 500, 100 / 500, 0, 0]],
    ];
    expect([...shares.keys()].sort()).toEqual(expected.map(([c]) => ids[c]).sort());
    for (const [c, want] of expected) {
      const got = shares.get(ids[c])!;
      expect(got, `customer ${c}`).toHaveLength(5);
      got.forEach((v, j) => expect(v, `customer ${c}, ${categories[j]}`).toBeCloseTo(want[j], 12));
    }
  });

  it.each([
    ["no products at all", [] as [string, string | null][]],
    ["products without a type", [["P1", null], ["P2", ""]] as [string, string | null][]],
    ["one type, under 5% of spend", [["P1", "Socks"], ["P2", null]] as [string, string | null][]],
  ])("a shop with %s has no categories and no shares", async (_, products) => {
    const { shopId, ids } = await makeShop(products, 2);
    await addOrders(shopId, ids, [
      { customer: 0, at: at(1), lines: [["P1", 100, 1], ["P2", 5000, 1]] },
      { customer: 1, at: at(2), lines: [["P2", 3000, 1]] },
    ]);
    const { categories, shares } = await staged(shopId);
    expect(categories).toEqual([]);
    expect([...shares.values()]).toEqual([null, null]);
  });
});

describe("clusters with category mix, end to end", () => {
  // Customers with the same behaviour distribution; half buy (mostly) Outerwear, half Knitwear.
  async function twoKindsOfBuyer(): Promise<{ shopId: number; ids: string[]; buysOuterwear: (i: number) => boolean }> {
    const { shopId, ids } = await makeShop([["O1", "Outerwear"], ["O2", "Outerwear"], ["K1", "Knitwear"], ["K2", "Knitwear"], ["X", null]], 120);
    const rng = seededRng(7);
    const orders: OrderSpec[] = [];
    const buysOuterwear = (i: number) => i % 2 === 0;
    for (let c = 0; c < 120; c++) {
      const [own, other] = buysOuterwear(c) ? ["O", "K"] : ["K", "O"];
      let day = Math.floor(rng() * 150);
      const count = 1 + Math.floor(rng() * 4);
      for (let k = 0; k < count && day < 200; k++) {
        const lines: Line[] = [[`${own}${1 + Math.floor(rng() * 2)}`, 2000 + Math.floor(rng() * 6000), 1]];
        if (rng() < 0.3) lines.push([`${other}1`, 500, 1]);
        if (rng() < 0.3) lines.push(["X", 700, 1]);
        orders.push({ customer: c, at: at(day), lines });
        day += 10 + Math.floor(rng() * 40);
      }
    }
    await addOrders(shopId, ids, orders);
    return { shopId, ids, buysOuterwear };
  }

  it("puts customers who buy different categories in different clusters, described by the category; without types, as before", async () => {
    const { shopId, ids, buysOuterwear } = await twoKindsOfBuyer();
    const run = await scoreShop(db.pool, shopId, NOW, settings);
    expect(run.ok).toBe(true);
    const fit = (await db.pool.query(`select clusters from shop_model_fits where shop_id = $1`, [shopId])).rows[0].clusters;
    expect(fit.categories).toEqual(expect.arrayContaining(["Outerwear", "Knitwear"]));
    expect(fit.centres[0]).toHaveLength(7 + fit.categories.length);
    const cluster = new Map((await db.pool.query<{ id: string; cluster_id: number }>(
      `select customer_id::text as id, cluster_id from customer_scores where shop_id = $1`, [shopId])).rows.map((r) => [r.id, r.cluster_id]));
    const outerwear = new Set(ids.filter((_, i) => buysOuterwear(i)).map((id) => cluster.get(id)!));
    const knitwear = new Set(ids.filter((_, i) => !buysOuterwear(i)).map((id) => cluster.get(id)!));
    expect([...outerwear].filter((c) => knitwear.has(c))).toEqual([]);
    for (const c of outerwear) expect(fit.descriptions[c]).toMatch(/mostly buys Outerwear$/);
    for (const c of knitwear) expect(fit.descriptions[c]).toMatch(/mostly buys Knitwear$/);

    // The same shop without product types: the behaviour features alone, as before.
    await db.pool.query(`update products set product_type = null where shop_id = $1`, [shopId]);
    expect((await scoreShop(db.pool, shopId, NOW, settings)).ok).toBe(true);
    const plain = (await db.pool.query(`select clusters from shop_model_fits where shop_id = $1`, [shopId])).rows[0].clusters;
    expect(plain).not.toHaveProperty("categories");
    expect(plain.centres[0]).toHaveLength(7);
    expect(plain.descriptions.join(" ")).not.toMatch(/buys (Outerwear|Knitwear)/);
    // And exactly what a shop that never had products gets.
    await db.pool.query(`delete from products where shop_id = $1`, [shopId]);
    expect((await scoreShop(db.pool, shopId, NOW, settings)).ok).toBe(true);
    const none = (await db.pool.query(`select clusters from shop_model_fits where shop_id = $1`, [shopId])).rows[0].clusters;
    expect(none).toEqual(plain);
  });

  it("scores the same whether a writer stages the mix and copies it across or the reader stages it alone", async () => {
    const { shopId } = await twoKindsOfBuyer();
    const scores = async () => (await db.pool.query(
      `select customer_id, cluster_id, stage, rfm_group, p_alive, clv from customer_scores where shop_id = $1 order by customer_id`, [shopId])).rows;
    const fit = async () => (await db.pool.query(`select clusters from shop_model_fits where shop_id = $1`, [shopId])).rows[0].clusters;
    expect((await scoreShop(db.pool, shopId, NOW, settings)).ok).toBe(true);
    const withWriters = { scores: await scores(), fit: await fit() };
    expect(withWriters.fit.categories.length).toBeGreaterThan(0);
    // A pool of one connection: no writer to spare, the reader stages and writes everything.
    const single = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await db.pool.query(`delete from customer_scores where shop_id = $1`, [shopId]);
      expect((await scoreShop(single, shopId, NOW, settings)).ok).toBe(true);
    } finally {
      await single.end();
    }
    expect(await scores()).toEqual(withWriters.scores);
    expect(await fit()).toEqual(withWriters.fit);
  });
});
