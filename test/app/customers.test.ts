// The Customers pages' queries: filters, sorting and paging on the server, and never a
// customer of another shop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultScoringSettings } from "../../core/scoring/schema";
import { getCustomerDetail, listCustomers, parseCustomerListQuery, shopClusters } from "../../app/models/customers.server";
import { rfmGrid } from "../../app/models/segments.server";
import { horizonWords } from "../../app/lib/dates";
import { scoreShop } from "../../jobs/scoring/score-shop";
import { seedDemoShop } from "../../scripts/demo-data/seed";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let db: TestDatabase;
let shopA: number;
let shopB: number;
const NOW = new Date("2026-11-01T12:00:00Z");
const q = (s: string) => parseCustomerListQuery(new URLSearchParams(s));

beforeAll(async () => {
  db = await createTestDatabase("customers");
  process.env.NODE_ENV = "test";
  shopA = (await seedDemoShop(db.pool, { now: NOW, customers: 250, domain: "a.myshopify.com", seed: 1 })).shopId;
  shopB = (await seedDemoShop(db.pool, { now: NOW, customers: 120, domain: "b.myshopify.com", seed: 2 })).shopId;
  await scoreShop(db.pool, shopA, NOW, defaultScoringSettings());
  await scoreShop(db.pool, shopB, NOW, defaultScoringSettings());
}, 60_000);

afterAll(async () => db?.drop());

describe("listCustomers", () => {
  it("pages through every customer of the shop exactly once, and only that shop's", async () => {
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const r = await listCustomers(db.pool, shopA, q(`page=${page}&sort=name&dir=asc`), 40);
      seen.push(...r.rows.map((c) => c.id));
      if (!r.hasNext) break;
    }
    const all = await db.pool.query(`select id::text from customers where shop_id = $1 and merged_into_id is null`, [shopA]);
    expect(seen.sort()).toEqual(all.rows.map((r) => r.id).sort());
    const b = await db.pool.query(`select id::text from customers where shop_id = $1`, [shopB]);
    const bIds = new Set(b.rows.map((r) => r.id));
    expect(seen.some((id) => bIds.has(id))).toBe(false);
  });

  it("filters by stage, RFM group, dormancy, P(alive) and lifetime value", async () => {
    const dormant = await listCustomers(db.pool, shopA, q("stage=dormant"), 500);
    const expected = await db.pool.query(`select count(*)::int as n from customer_scores where shop_id = $1 and stage = 'dormant'`, [shopA]);
    expect(dormant.rows.length).toBe(expected.rows[0].n);
    expect(dormant.rows.length).toBeGreaterThan(0);
    expect(dormant.rows.every((c) => c.stage === "dormant")).toBe(true);

    const group = await listCustomers(db.pool, shopA, q("rfm=champions"), 500);
    expect(group.rows.length).toBeGreaterThan(0);
    expect(group.rows.every((c) => c.rfmGroup === "champions")).toBe(true);

    const flagged = await listCustomers(db.pool, shopA, q("dormant=yes"), 500);
    const flaggedN = await db.pool.query(`select count(*)::int as n from customer_scores where shop_id = $1 and dormant`, [shopA]);
    expect(flagged.rows.length).toBe(flaggedN.rows[0].n);

    const likely = await listCustomers(db.pool, shopA, q("minPAlive=50&maxPAlive=90"), 500);
    expect(likely.rows.length).toBeGreaterThan(0);
    expect(likely.rows.every((c) => c.pAlive! >= 0.5 && c.pAlive! <= 0.9)).toBe(true);

    const valuable = await listCustomers(db.pool, shopA, q("minClv=20"), 500);
    expect(valuable.rows.every((c) => Number(c.clv) >= 2000)).toBe(true);
    // Junk in the URL is ignored, never put into SQL.
    const junk = await listCustomers(db.pool, shopA, q("stage=x'%3Bdrop&sort=id;drop&dir=sideways&minClv=abc"), 10);
    expect(junk.rows.length).toBe(10);
  });

  it("opens an RFM grid cell: exactly the customers the grid counts there, paged", async () => {
    const grid = await rfmGrid(db.pool, shopA);
    let checked = 0;
    for (let r = 1; r <= 5; r++) {
      for (let fm = 1; fm <= 5; fm++) {
        const ids: string[] = [];
        for (let page = 1; ; page++) {
          const list = await listCustomers(db.pool, shopA, q(`r=${r}&fm=${fm}&page=${page}`), 20);
          ids.push(...list.rows.map((c) => c.id));
          if (!list.hasNext) break;
        }
        expect(new Set(ids).size, `cell ${r}-${fm}`).toBe(grid.cells[r - 1][fm - 1]);
        if (ids.length) checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    // Half-way averages round up: F 2 + M 3 is column 3, as in the grid.
    const cell = await listCustomers(db.pool, shopA, q("fm=3"), 1000);
    const scores = await db.pool.query(`select customer_id::text as id, frequency_score f, monetary_score m from customer_scores where shop_id = $1`, [shopA]);
    const byId = new Map(scores.rows.map((x) => [x.id, x]));
    expect(cell.rows.every((c) => [5, 6].includes(byId.get(c.id)!.f + byId.get(c.id)!.m))).toBe(true);
    // Out-of-range cells are ignored, not passed to SQL.
    expect((await listCustomers(db.pool, shopA, q("r=9&fm=x"), 10)).rows.length).toBe(10);
  });

  it("offers the shop's behavioural clusters in words and filters by one", async () => {
    const clusters = await shopClusters(db.pool, shopA);
    const fit = await db.pool.query(`select clusters from shop_model_fits where shop_id = $1`, [shopA]);
    expect(clusters.map((c) => c.description)).toEqual(fit.rows[0].clusters.descriptions);
    expect(clusters.length).toBeGreaterThanOrEqual(2);
    expect(clusters.every((c) => /[a-z]/.test(c.description))).toBe(true);
    const list = await listCustomers(db.pool, shopA, q("cluster=1"), 1000);
    expect(list.clusters).toEqual(clusters);
    const inCluster = await db.pool.query(`select customer_id::text as id from customer_scores where shop_id = $1 and cluster_id = 1`, [shopA]);
    expect(list.rows.map((c) => c.id).sort()).toEqual(inCluster.rows.map((x) => x.id).sort());
    expect(list.rows.length).toBeGreaterThan(0);
    expect(await shopClusters(db.pool, 999_999)).toEqual([]);
  });

  it("says how far the predictions can be trusted, and why, beside the list", async () => {
    const fit = (await db.pool.query(`select confidence, reason from shop_model_fits where shop_id = $1`, [shopA])).rows[0];
    expect((await listCustomers(db.pool, shopA, q(""), 5)).model).toEqual(fit);
    // A tiny shop: the fit is shrunk toward priors and labelled low, with the reason.
    const tiny = (await seedDemoShop(db.pool, { now: NOW, customers: 25, domain: "tiny.myshopify.com", seed: 3 })).shopId;
    expect((await listCustomers(db.pool, tiny, q(""), 5)).model).toBeNull();
    await scoreShop(db.pool, tiny, NOW, defaultScoringSettings());
    const model = (await listCustomers(db.pool, tiny, q(""), 5)).model;
    expect(model?.confidence).toBe("low");
    expect(model?.reason).toMatch(/a reliable fit needs at least/);
  });

  it("sorts on the server by the chosen column and direction", async () => {
    const desc = await listCustomers(db.pool, shopA, q("sort=clv&dir=desc"), 50);
    const clvs = desc.rows.map((c) => Number(c.clv));
    expect(clvs).toEqual([...clvs].sort((x, y) => y - x));
    const top = await db.pool.query(`select max(clv)::text as m from customer_scores where shop_id = $1`, [shopA]);
    expect(desc.rows[0].clv).toBe(top.rows[0].m);
    const asc = await listCustomers(db.pool, shopA, q("sort=orders&dir=asc"), 50);
    const orders = asc.rows.map((c) => c.orders);
    expect(orders).toEqual([...orders].sort((x, y) => x - y));
    // Most overdue first: the column merchants sort by to find who is slipping away.
    const overdue = await listCustomers(db.pool, shopA, q("sort=overdue&dir=desc"), 50);
    const days = overdue.rows.map((c) => c.daysOverdue!);
    expect(days.every((d) => typeof d === "number")).toBe(true);
    expect(days).toEqual([...days].sort((x, y) => y - x));
    const most = await db.pool.query(`select max(days_overdue)::float8 as m from customer_scores where shop_id = $1`, [shopA]);
    expect(days[0]).toBe(most.rows[0].m);
    const p2 = await listCustomers(db.pool, shopA, q("sort=orders&dir=asc&page=2"), 50);
    expect(p2.rows[0].orders).toBeGreaterThanOrEqual(orders[orders.length - 1]);
  });
});

describe("getCustomerDetail", () => {
  it("shows the customer's scores, reason, orders and history, and nothing for another shop's id", async () => {
    const id = (await db.pool.query(`select customer_id::text as id from customer_scores where shop_id = $1 limit 1`, [shopA])).rows[0].id;
    const detail = await getCustomerDetail(db.pool, shopA, id);
    expect(detail?.score?.reason).toMatch(/since the last order/);
    expect(detail!.orders.length).toBeGreaterThanOrEqual(Number(detail!.score!.order_count));
    expect(detail?.history.map((h) => h.day)).toEqual(["2026-11-01"]);
    expect(detail?.model?.confidence).toBeTruthy();
    // The behaviour group in words, not a bare number.
    const descriptions = (await db.pool.query(`select clusters from shop_model_fits where shop_id = $1`, [shopA])).rows[0].clusters.descriptions;
    expect(detail?.cluster).toEqual({ id: Number(detail!.score!.cluster_id), description: descriptions[Number(detail!.score!.cluster_id)] });
    // Predictions are labelled with the horizon the shop's fit used, not a fixed "next year".
    expect(detail?.model?.horizonDays).toBe(365);
    expect(await getCustomerDetail(db.pool, shopB, id)).toBeNull();
    expect(await getCustomerDetail(db.pool, shopA, "not-a-number")).toBeNull();
  });
});

describe("horizonWords", () => {
  it.each([
    [365, "next 12 months"],
    [731, "next 24 months"],
    [30, "next month"],
    [45, "next 45 days"],
    [90, "next 3 months"],
  ])("%d days reads %s", (days, words) => expect(horizonWords(days)).toBe(words));
});
