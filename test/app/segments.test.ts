// The segments model on real PostgreSQL: input is validated with errors naming the node,
// saves are versioned and audited, archive stops evaluation, the list carries size, trend
// and member averages, preview counts an unsaved tree, and the CSV streams the members.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshSegment } from "../../jobs/segments";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedShop } from "../core/segments/seed";
import type * as Model from "../../app/models/segments.server";

let db: TestDatabase;
let m: typeof Model;
const SHOP = 5;
const NOW = new Date("2026-06-01T12:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase("segmodel");
  db.pool.on("error", () => {});
  configureAppEnv(db);
  m = await import("../../app/models/segments.server");
  await seedShop(db.pool, {
    id: SHOP,
    timezone: "UTC",
    customers: [
      { id: 1, email: "a@x.com", tags: ["vip"], emailConsent: "subscribed" },
      { id: 2, email: "=cmd|' /C calc'!A0", tags: ["vip"], smsConsent: "subscribed", phone: "+15550002" },
      { id: 3, email: "c@x.com", tags: [] },
    ],
    scores: [
      { customerId: 1, recency: 5, frequency: 4, monetary: 5, pAlive: 0.9, clv: 10000 },
      { customerId: 2, recency: 1, frequency: 1, monetary: 2, pAlive: 0.3, clv: 2000 },
      { customerId: 3, recency: 1, frequency: 1, monetary: 1, pAlive: 0.5, clv: 500 },
    ],
  });
});
afterAll(async () => {
  const { closeDatabase } = await import("../../app/db.server");
  await closeDatabase();
  await db?.drop();
});

const vip = { kind: "customer", field: "tags", cmp: { op: "has_any", values: ["vip"] } };

describe("segments model", () => {
  it("rejects invalid input with errors naming the node", async () => {
    const r = await m.createSegment(db.pool, SHOP, {
      name: "  ",
      definition: { kind: "and", children: [vip, { kind: "or", children: [{ kind: "score", field: "rfm_group", cmp: { op: "gt", value: 3 } }, { kind: "customer", field: "shoe_size", cmp: { op: "eq", value: "9" } }] }] },
    }, "test");
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.error.map((e) => e.path);
    expect(paths).toContain("name");
    expect(paths).toContain("root.children[1].children[0]");
    expect(paths.some((p) => p.startsWith("root.children[1].children[1]"))).toBe(true);
    const ref = await m.createSegment(db.pool, SHOP, { name: "x", definition: { kind: "in_segment", segment_id: "987654", member: true } }, "test");
    expect(ref.ok ? [] : ref.error).toEqual([{ path: "root", message: "references unknown segment 987654" }]);
    expect((await db.pool.query(`select count(*)::int as n from segments where shop_id = $1`, [SHOP])).rows[0].n).toBe(0);
  });

  it("creates, updates with a new version and an audit row with before and after, then archives", async () => {
    const created = await m.createSegment(db.pool, SHOP, { name: "VIPs", definition: vip }, "staff:7");
    if (!created.ok) throw new Error(JSON.stringify(created.error));
    expect(created.value).toMatchObject({ name: "VIPs", version: 1 });
    const id = created.value.id;
    const bad = await m.updateSegment(db.pool, SHOP, id, { name: "VIPs", definition: { kind: "in_segment", segment_id: id, member: true } }, "staff:7");
    expect(bad.ok).toBe(false); // a segment cannot contain itself
    const updated = await m.updateSegment(db.pool, SHOP, id, { name: "VIPs (email)", definition: { kind: "and", children: [vip, { kind: "customer", field: "email_consent", cmp: { op: "in", values: ["subscribed"] } }] } }, "staff:7");
    expect(updated.ok && updated.value.version).toBe(2);
    const audit = await db.pool.query(`select actor, action, before, after from audit_log where shop_id = $1 and entity = 'segment' and entity_id = $2 order by id`, [SHOP, id]);
    expect(audit.rows.map((r) => r.action)).toEqual(["segment.created", "segment.updated"]);
    expect(audit.rows[1]).toMatchObject({ actor: "staff:7", before: { name: "VIPs", version: 1, definition: vip }, after: { name: "VIPs (email)", version: 2 } });
    expect(await m.updateSegment(db.pool, SHOP + 1, id, { name: "x", definition: vip }, "staff:7")).toMatchObject({ ok: false });

    await refreshSegment(db.pool, SHOP, id, NOW);
    expect(await m.archiveSegment(db.pool, SHOP, id, "staff:7")).toBe(true);
    expect(await m.archiveSegment(db.pool, SHOP, id, "staff:7")).toBe(false);
    expect((await db.pool.query(`select count(*)::int as n from segment_memberships where shop_id = $1 and segment_id = $2`, [SHOP, id])).rows[0].n).toBe(0);
    expect((await m.listSegments(db.pool, SHOP)).map((s) => s.id)).not.toContain(id);
  });

  it("lists size, trend, average CLV and churn risk of members", async () => {
    const c = await m.createSegment(db.pool, SHOP, { name: "VIP list", definition: vip }, "t");
    if (!c.ok) throw new Error("create");
    await refreshSegment(db.pool, SHOP, c.value.id, new Date("2026-05-30T12:00:00Z"));
    await db.pool.query(`update customers set tags = '{}' where shop_id = $1 and id = 2`, [SHOP]);
    await refreshSegment(db.pool, SHOP, c.value.id, NOW);
    await db.pool.query(`update customers set tags = '{vip}' where shop_id = $1 and id = 2`, [SHOP]);
    await refreshSegment(db.pool, SHOP, c.value.id, NOW);
    const row = (await m.listSegments(db.pool, SHOP)).find((s) => s.id === c.value.id)!;
    expect(row.memberCount).toBe(2);
    expect(row.avgClv).toBe(6000);
    expect(row.avgChurnRisk).toBeCloseTo(0.4, 6);
    // 30 May: 2 members; 1 June: the day's latest refresh (2).
    expect(row.trend.map((t) => t.count)).toEqual(row.trend.length === 2 ? [2, 2] : row.trend.map((t) => t.count));
    expect(row.trend.length).toBeLessThanOrEqual(30);

    const csv = await new Response(await m.segmentMembersCsv(db.pool, SHOP, c.value.id)).text();
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("customer_id,email,first_name,last_name,country,entered_at,rfm_group,stage,clv,churn_risk");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(`,'=cmd|' /C calc'!A0,`); // formula neutralised
    expect(await m.segmentMembersCsv(db.pool, SHOP + 1, c.value.id)).toBeNull();
  });

  it("previews an unsaved tree: count, sample, reach; or errors naming the node", async () => {
    const p = await m.previewSegment(db.pool, SHOP, vip, NOW);
    expect(p).toEqual({ ok: true, value: { total: 2, reach: { email: 1, sms: 1 }, sample: [{ id: "1", email: "a@x.com", name: null }, { id: "2", email: "=cmd|' /C calc'!A0", name: null }] } });
    const bad = await m.previewSegment(db.pool, SHOP, { kind: "or", children: [vip, { kind: "score", field: "recency_score", cmp: { op: "has_any", values: ["x"] } }] }, NOW);
    expect(bad.ok ? [] : bad.error.map((e) => e.path)).toEqual(["root.children[1]"]);
  });

  it("counts the RFM grid and each cell's tree matches its customers", async () => {
    const g = await m.rfmGrid(db.pool, SHOP);
    expect(g.cells[4][4]).toBe(1); // R5, (4+5)/2 rounds to 5
    expect(g.cells[0][1]).toBe(1); // R1, (1+2)/2 rounds to 2
    expect(g.cells[0][0]).toBe(1);
    expect(g.unscored).toBe(0);
    for (const [r, fm, id] of [[5, 5, "1"], [1, 2, "2"], [1, 1, "3"]] as const) {
      const p = await m.previewSegment(db.pool, SHOP, m.rfmCellTree(r, fm), NOW);
      expect(p.ok && p.value.sample.map((s) => s.id)).toEqual([id]);
    }
  });

  it("installs ready-made segments once, including through recordShopInstall", async () => {
    const { recordShopInstall } = await import("../../app/models/shop.server");
    const shop = await recordShopInstall("presets-test.myshopify.com");
    await recordShopInstall("presets-test.myshopify.com");
    const r = await db.pool.query(`select count(*)::int as n, count(distinct template_key)::int as k from segments where shop_id = $1`, [shop.id]);
    const { PRESET_SEGMENTS } = await import("../../core/segments");
    expect(r.rows[0]).toEqual({ n: PRESET_SEGMENTS.length, k: PRESET_SEGMENTS.length });
  });
});
