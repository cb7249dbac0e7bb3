// Settings > Sending rules through its loader and action on real PostgreSQL: the shop's
// governance settings with the product defaults filled in, saved through the one schema the
// engine parses (the rest of the shop's settings untouched), refused with the field named when
// invalid, audited, per shop; and the SMS rules worded as the page shows them.
import { afterAll, describe, expect, it } from "vitest";
import { describeDays } from "../../app/components/governance/rules";
import { SMS_RULES } from "../../core/governance/compliance-rules";
import { DEFAULT_GOVERNANCE, GovernanceSettingsSchema, type GovernanceSettings } from "../../core/governance/schema";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const DEMO = "governance-settings.myshopify.com";
const db: TestDatabase = await createTestDatabase("govsettings");
configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
const route = await import("../../app/routes/app.settings.governance");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues } = await import("../../jobs/queues");

const shopId = await insertShop(db.pool, DEMO);
const otherShop = await insertShop(db.pool, "other-governance.myshopify.com");
await db.pool.query(`update shops set settings = jsonb_build_object('email', 'owner@example.com', 'governance', jsonb_build_object('caps', jsonb_build_object('sms', jsonb_build_object('max', 0, 'windowMs', 86400000)))) where id = $1`, [shopId]);

afterAll(async () => {
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
const load = async () => (await (route.loader as unknown as Handler)({ request: new Request("http://localhost/app/settings/governance"), params: {}, context: {} })) as {
  settings: GovernanceSettings; history: { when: string; actor: string; changed: string[] }[];
};
const save = async (settings: unknown) => (await (route.action as unknown as Handler)({
  request: new Request("http://localhost/app/settings/governance", { method: "POST", body: new URLSearchParams({ settings: typeof settings === "string" ? settings : JSON.stringify(settings) }) }),
  params: {}, context: {},
})) as { ok: true; message: string } | { ok: false; problems: { path: string; message: string }[] };
const storedSettings = async (shop: number) => (await db.pool.query<{ settings: Record<string, unknown> }>(`select settings from shops where id = $1`, [shop])).rows[0].settings;
const audit = async () => (await db.pool.query<{ shop_id: number; actor: string; action: string; before: unknown; after: unknown }>(
  `select shop_id, actor, action, before, after from audit_log where entity = 'governance' order by id`)).rows;

describe("governance settings", () => {
  it("shows what the shop saved with the product defaults for the rest", async () => {
    const { settings } = await load();
    expect(settings.caps.sms).toEqual({ max: 0, windowMs: 86_400_000 });
    expect(settings.caps.email).toEqual(DEFAULT_GOVERNANCE.caps.email);
    expect(settings.quietHours).toEqual(DEFAULT_GOVERNANCE.quietHours);
    expect(settings.smartSendingMs).toEqual({ email: 16 * 3_600_000, sms: 24 * 3_600_000, push: 0 });
  });

  it("saves through the engine's schema, keeps the shop's other settings, and audits who changed what", async () => {
    const before = (await load()).settings;
    const next: GovernanceSettings = {
      ...before,
      caps: { ...before.caps, email: { max: 3, windowMs: 5 * 86_400_000 } },
      quietHours: { sms: ["09:00", "20:00"], applyCallChartStates: false },
      conflicts: { maxConcurrentJourneys: 1, minTimeInStageMs: 48 * 3_600_000 },
    };
    expect(await save(next)).toMatchObject({ ok: true });
    const stored = await storedSettings(shopId);
    expect(stored.email).toBe("owner@example.com");
    // What the engine reads (jobs/journeys/send.ts, admission.ts parse exactly this).
    expect(GovernanceSettingsSchema.parse(stored.governance)).toEqual(next);
    expect((await load()).settings).toEqual(next);
    expect(await audit()).toEqual([{
      shop_id: shopId, actor: "demo", action: "update",
      before: { caps: { sms: { max: 0, windowMs: 86_400_000 } } }, after: JSON.parse(JSON.stringify(next)),
    }]);
    expect((await storedSettings(otherShop))?.governance).toBeUndefined();
    // The page says who changed which sections (smart sending was left as it was).
    const { history } = await load();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ actor: "demo", changed: ["caps", "quietHours", "conflicts"] });
  });

  it.each([
    ["a negative cap", (s: GovernanceSettings) => ({ ...s, caps: { ...s.caps, sms: { max: -1, windowMs: 86_400_000 } } }), "caps.sms.max"],
    ["a zero window", (s: GovernanceSettings) => ({ ...s, caps: { ...s.caps, total: { max: 8, windowMs: 0 } } }), "caps.total.windowMs"],
    ["a time that is not HH:MM", (s: GovernanceSettings) => ({ ...s, quietHours: { ...s.quietHours, sms: ["9am", "20:00"] } }), "quietHours.sms.0"],
    ["a time past midnight", (s: GovernanceSettings) => ({ ...s, quietHours: { ...s.quietHours, sms: ["08:00", "25:00"] } }), "quietHours.sms", "times must be between 00:00 and 23:59"],
    ["a window that ends before it starts", (s: GovernanceSettings) => ({ ...s, quietHours: { ...s.quietHours, sms: ["21:00", "08:00"] } }), "quietHours.sms", "the window must start before it ends"],
    ["no journeys at all", (s: GovernanceSettings) => ({ ...s, conflicts: { ...s.conflicts, maxConcurrentJourneys: 0 } }), "conflicts.maxConcurrentJourneys"],
  ])("refuses %s, naming the field, and writes nothing", async (_why, edit, path, message?: string) => {
    const before = await storedSettings(shopId);
    const audited = (await audit()).length;
    const r = await save(edit((await load()).settings));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toContain(path);
    // The window's rules come from the schema, worded as the page has always shown them.
    if (!r.ok && message) expect(r.problems).toEqual([{ path, message }]);
    expect(await storedSettings(shopId)).toEqual(before);
    expect(await audit()).toHaveLength(audited);
  });

  it("refuses a body that is not JSON", async () => {
    expect(await save("{caps")).toMatchObject({ ok: false, problems: [{ path: "" }] });
  });

  it("words each rule's allowed hours, days with the same window together", () => {
    const rule = (region: string) => SMS_RULES.find((r) => r.region === region)!.days;
    expect(describeDays(rule("US"))).toBe("every day 08:00–21:00");
    expect(describeDays(rule("US-TX"))).toBe("Sun 12:00–21:00; Mon–Sat 09:00–21:00");
    expect(describeDays(rule("US-AL"))).toBe("Sun none; Mon–Sat 08:00–20:00");
    expect(describeDays(rule("US-PA"))).toBe("Sun–Fri 08:00–21:00; Sat 08:00–12:00");
  });
});
