// The journey pages' models and actions on real PostgreSQL: the list's live counts (one shop
// only), template install, publish errors naming nodes, restore as a new version, pause and
// resume through the page actions (journey, shop and channel scope, with each policy), alerts.
import { afterAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertCustomers, journeyShop } from "../jobs/journeys/fixtures";

const DEMO = "journey-pages.myshopify.com";
const db: TestDatabase = await createTestDatabase("jpages");
configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
const list = await import("../../app/models/journey-list.server");
const { createJourney, publishJourney, updateJourneyDraft } = await import("../../app/models/journeys.server");
const listRoute = await import("../../app/routes/app.journeys._index");
const detailRoute = await import("../../app/routes/app.journeys.$id");
const pausesRoute = await import("../../app/routes/app.journeys.pauses");
const alertsRoute = await import("../../app/routes/app.alerts");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues } = await import("../../jobs/queues");

const shopId = await journeyShop(db.pool, DEMO);
const otherShop = await journeyShop(db.pool, "other-pages.myshopify.com");

afterAll(async () => {
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
const post = (route: { action: unknown }, path: string, fields: Record<string, string>, params: Record<string, string> = {}) =>
  (route.action as Handler)({ request: new Request(`http://localhost${path}`, { method: "POST", body: new URLSearchParams(fields) }), params, context: {} });
const detailAction = (id: string, fields: Record<string, string>) => post(detailRoute, `/app/journeys/${id}`, fields, { id });

const twoStep = {
  id: "draft", version: 1, name: "Two step", trigger: { kind: "custom_event", name: "go" }, startNodeId: "holdout",
  nodes: [
    { id: "holdout", type: "holdout", controlPercent: 10, next: "a" },
    { id: "a", type: "send", channel: "email", contentId: "first", purpose: "promotional", next: "w" },
    { id: "w", type: "wait", duration: { amount: 1, unit: "days" }, next: "b" },
    { id: "b", type: "send", channel: "email", contentId: "second", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
};

async function publishedJourney(shop: number, name: string): Promise<string> {
  const id = await createJourney(db.pool, shop, { name, draft: { ...twoStep, name } });
  const r = await publishJourney(db.pool, shop, id, "test");
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return id;
}

/** Enrollments with the given statuses, `daysAgo` days after entry, one customer each. */
async function enroll(shop: number, journeyId: string, statuses: string[], daysAgo: number, wakeAt: Date | null = null): Promise<string[]> {
  const customers = await insertCustomers(db.pool, shop, statuses.length);
  const r = await db.pool.query<{ id: string }>(
    `insert into enrollments (shop_id, journey_id, journey_version, customer_id, status, state, wake_at, entered_at)
     select $1, $2, 1, c, s::"EnrollmentStatus", jsonb_build_object('currentNodeId', 'w'), $5, now() - make_interval(days => $6)
     from unnest($3::bigint[], $4::text[]) as t(c, s) returning id::text`,
    [shop, journeyId, customers, statuses, wakeAt, daysAgo],
  );
  return r.rows.map((x) => x.id);
}

describe("journey list", () => {
  it("counts in journey, waiting, converted and entered in 7 days per journey, for this shop only, in one query", async () => {
    const a = await publishedJourney(shopId, "List A");
    const b = await publishedJourney(shopId, "List B");
    const draft = await createJourney(db.pool, shopId, { name: "Only a draft", draft: twoStep });
    await enroll(shopId, a, ["active", "waiting", "waiting", "converted", "exited"], 2);
    await enroll(shopId, a, ["waiting", "converted", "completed"], 10);
    await enroll(shopId, b, ["converted"], 1);
    // Another shop's journey with the same shape must not leak into these numbers.
    const foreign = await publishedJourney(otherShop, "Foreign");
    await enroll(otherShop, foreign, ["waiting", "waiting"], 1);

    // B's draft is edited after publishing: the list says so.
    await updateJourneyDraft(db.pool, shopId, b, { ...twoStep, name: "List B, edited" }, "test");
    const rows = await list.listJourneys(db.pool, shopId, new Date());
    const pick = (id: string) => rows.find((r) => r.id === id);
    expect(rows.map((r) => r.id)).not.toContain(foreign);
    expect(pick(a)).toMatchObject({ status: "published", liveVersion: 1, draftChanged: false, inJourney: 4, waiting: 3, converted: 2, enteredLast7Days: 5 });
    expect(pick(b)).toMatchObject({ status: "published", draftChanged: true, inJourney: 0, waiting: 0, converted: 1, enteredLast7Days: 1 });
    expect(pick(draft)).toMatchObject({ status: "draft", liveVersion: null, inJourney: 0, converted: 0 });
  });

  it("installs one template as a draft from the list page, once; a new journey opens the editor", async () => {
    const first = (await post(listRoute, "/app/journeys", { intent: "install", template: "tpl-second-order" })) as { installed?: { journeyId: string } };
    expect(first.installed?.journeyId).toMatch(/^\d+$/);
    const again = (await post(listRoute, "/app/journeys", { intent: "install", template: "tpl-second-order" })) as { error?: string };
    expect(again.error).toBe("That journey is already installed");
    expect(await post(listRoute, "/app/journeys", { intent: "install", template: "tpl-nope" })).toEqual({ error: 'There is no ready-made journey called "tpl-nope"' });
    const installed = (await db.pool.query(`select status::text, template_key from journeys where shop_id = $1 and template_key is not null`, [shopId])).rows;
    expect(installed).toEqual([{ status: "draft", template_key: "tpl-second-order" }]);

    const res = (await post(listRoute, "/app/journeys", { intent: "new" })) as Response;
    expect(res.status).toBe(302);
    const id = res.headers.get("location")?.match(/^\/app\/journeys\/(\d+)\/edit$/)?.[1];
    expect(id).toBeDefined();
    const created = await list.getJourneyDetail(db.pool, shopId, id!, new Date());
    expect(created).toMatchObject({ status: "draft", name: "Untitled journey", draftChanged: true });
    // It starts with the default 10% holdout, so the first promotional send added after it publishes.
    const blank = (await db.pool.query(`select draft from journeys where shop_id = $1 and id = $2`, [shopId, id])).rows[0].draft;
    expect(blank).toMatchObject({ startNodeId: "holdout", nodes: [{ id: "holdout", type: "holdout", controlPercent: 10, next: "end" }, { id: "end", type: "exit" }] });
    const send = { id: "s", type: "send", channel: "email", contentId: "welcome-back", purpose: "promotional", next: "end" };
    await updateJourneyDraft(db.pool, shopId, id!, { ...blank, nodes: [{ ...blank.nodes[0], next: "s" }, send, blank.nodes[1]] }, "test");
    expect(await detailAction(id!, { intent: "publish" })).toEqual({ ok: true, message: "Published as version 1." });
  });
});

describe("journey detail figures", () => {
  it("compares holdout control with treated customers and measures time in the journey", async () => {
    const id = await publishedJourney(shopId, "Holdout");
    const ids = await enroll(shopId, id, ["converted", "converted", "completed", "completed", "exited", "exited", "exited", "exited"], 3);
    await db.pool.query(`update enrollments set ended_at = entered_at + interval '2 hours' where shop_id = $1 and id = any($2::bigint[]) and status <> 'converted'`, [shopId, ids]);
    await db.pool.query(`update enrollments set ended_at = entered_at + interval '8 hours' where shop_id = $1 and id = any($2::bigint[]) and status = 'converted'`, [shopId, ids]);
    // The first four were treated, the last four held out (they exit at the holdout); one of
    // the held-out customers ordered anyway, one ordered before assignment (not counted).
    await db.pool.query(
      `insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
       select e.shop_id, e.journey_id, 'holdout', e.customer_id, 'holdout', case when e.status = 'exited' then 'control' else 'treatment' end, e.id, e.entered_at
       from enrollments e where e.shop_id = $1 and e.id = any($2::bigint[])`, [shopId, ids],
    );
    const control = (await db.pool.query<{ customer_id: string; entered_at: Date }>(`select customer_id::text, entered_at from enrollments where shop_id = $1 and id = any($2::bigint[]) and status = 'exited' order by id`, [shopId, ids])).rows;
    await db.pool.query(
      `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total) values
         ($1, 'shopify', 'h-after', $2, $3::timestamptz + interval '1 day', 'USD', 1000), ($1, 'shopify', 'h-before', $4, $5::timestamptz - interval '1 day', 'USD', 1000)`,
      [shopId, control[0].customer_id, control[0].entered_at, control[1].customer_id, control[1].entered_at],
    );
    expect(await list.holdoutSummary(db.pool, shopId, id)).toEqual([
      { group: "control", customers: 4, converted: 1, conversionRate: 0.25 },
      { group: "treatment", customers: 4, converted: 2, conversionRate: 0.5 },
    ]);
    // Time in the journey: two of the exits are the holdout's control, leaving at once as the
    // engine records it; they are not in the figures (they would pull them towards zero).
    await db.pool.query(
      `update enrollments set ended_at = entered_at, state = state || '{"exitReason": {"kind": "holdout_control"}}'
       where shop_id = $1 and id = any($2::bigint[])`, [shopId, ids.slice(6)]);
    const time = await list.timeInJourney(db.pool, shopId, id);
    expect(time.ended).toBe(6);
    expect(time.avgHours).toBeCloseTo((8 + 8 + 2 + 2 + 2 + 2) / 6, 6);
    expect(time.medianHours).toBeCloseTo(2, 6);
  });
});

describe("journey detail actions", () => {
  it("refuses to publish an unsound draft, naming the node, then publishes it", async () => {
    const id = await createJourney(db.pool, shopId, {
      name: "Broken", draft: { ...twoStep, nodes: twoStep.nodes.map((n) => (n.id === "w" ? { ...n, next: "nowhere" } : n)) },
    });
    const bad = (await detailAction(id, { intent: "publish" })) as { ok: boolean; validation?: { nodeId: string | null; message: string }[] };
    expect(bad.ok).toBe(false);
    expect(bad.validation?.some((e) => e.nodeId === "w" || e.message.includes("nowhere"))).toBe(true);
    expect((await list.getJourneyDetail(db.pool, shopId, id, new Date()))?.status).toBe("draft");
    // Without its holdout the first promotional send is named: every journey keeps a control group.
    await updateJourneyDraft(db.pool, shopId, id, { ...twoStep, startNodeId: "a", nodes: twoStep.nodes.filter((n) => n.id !== "holdout") }, "test");
    const unmeasured = (await detailAction(id, { intent: "publish" })) as { ok: boolean; validation?: { nodeId: string | null; message: string }[] };
    expect(unmeasured.ok).toBe(false);
    expect(unmeasured.validation).toEqual([{ nodeId: "a", message: expect.stringMatching(/without passing a holdout/) }]);
    expect((await list.getJourneyDetail(db.pool, shopId, id, new Date()))?.status).toBe("draft");

    await updateJourneyDraft(db.pool, shopId, id, twoStep, "test");
    expect(await detailAction(id, { intent: "publish" })).toEqual({ ok: true, message: "Published as version 1." });
    const after = await list.getJourneyDetail(db.pool, shopId, id, new Date());
    expect(after).toMatchObject({ status: "published", liveVersion: 1, draftChanged: false });
  });

  it("restores an earlier version as a new version, with history and audit trail", async () => {
    const id = await publishedJourney(shopId, "Restorable");
    await updateJourneyDraft(db.pool, shopId, id, { ...twoStep, name: "Restorable v2" }, "test");
    expect((await list.getJourneyDetail(db.pool, shopId, id, new Date()))?.draftChanged).toBe(true);
    expect(await publishJourney(db.pool, shopId, id, "bob")).toMatchObject({ ok: true, value: { version: 2 } });

    expect(await detailAction(id, { intent: "restore", version: "1" })).toEqual({ ok: true, message: "Version 1 restored as version 3." });
    expect(await detailAction(id, { intent: "restore", version: "9" })).toEqual({ ok: false, error: "There is no version 9." });
    const history = await list.listVersionHistory(db.pool, shopId, id);
    expect(history.map((v) => [v.version, v.action, v.restoredFrom, v.publishedBy])).toEqual([
      [3, "restore", 1, "demo"], [2, "publish", null, "bob"], [1, "publish", null, "test"],
    ]);
    const live = (await db.pool.query(`select definition->>'name' as name from journey_versions where shop_id = $1 and journey_id = $2 and version = 3`, [shopId, id])).rows[0];
    expect(live.name).toBe("Restorable");
    expect(await list.getJourneyDetail(db.pool, shopId, id, new Date())).toMatchObject({ liveVersion: 3, draftChanged: false });
    const audit = await list.journeyAuditTrail(db.pool, shopId, id);
    // The draft save between the two publishes is on the trail too, saying what it changed.
    expect(audit.map((a) => [a.actor, a.action])).toEqual([["demo", "restore"], ["bob", "publish"], ["test", "save_draft"], ["test", "publish"]]);
    expect(audit[0].details).toBe("live version 3, restored from v1");
    expect(audit[2].details).toBe("changed name");
  });

  it("pauses and resumes a journey; reschedule shifts the waits that came due by the length of the pause", async () => {
    const id = await publishedJourney(shopId, "Pausable");
    const dueDuringPause = new Date(Date.now() - 30 * 60_000);
    const [waiting] = await enroll(shopId, id, ["waiting"], 1, dueDuringPause);
    expect(await detailAction(id, { intent: "pause" })).toMatchObject({ ok: true });
    expect(await detailAction(id, { intent: "pause" })).toEqual({ ok: false, error: "This journey is already paused." });
    // The pause began an hour ago: the wait fell due in the middle of it.
    await db.pool.query(`update journey_pauses set paused_at = now() - interval '1 hour' where shop_id = $1 and scope = 'journey' and target = $2`, [shopId, id]);
    const paused = await list.getJourneyDetail(db.pool, shopId, id, new Date());
    expect(paused).toMatchObject({ status: "paused", pause: { expiredWaits: 1, pausedBy: "demo" } });
    expect((await list.listJourneys(db.pool, shopId, new Date())).find((r) => r.id === id)?.status).toBe("paused");

    expect(await detailAction(id, { intent: "resume", policy: "later" })).toMatchObject({ ok: false });
    expect(await detailAction(id, { intent: "resume", policy: "reschedule" })).toMatchObject({ ok: true });
    const wake = (await db.pool.query<{ wake_at: Date }>(`select wake_at from enrollments where shop_id = $1 and id = $2`, [shopId, waiting])).rows[0].wake_at;
    const shiftMin = (wake.getTime() - dueDuringPause.getTime()) / 60_000;
    expect(shiftMin).toBeGreaterThanOrEqual(59);
    expect(shiftMin).toBeLessThan(62);
    expect((await list.getJourneyDetail(db.pool, shopId, id, new Date()))?.status).toBe("published");
    expect(await detailAction(id, { intent: "resume", policy: "skip" })).toEqual({ ok: false, error: "This journey is not paused." });
    const audit = await list.journeyAuditTrail(db.pool, shopId, id);
    expect(audit.slice(0, 2).map((a) => a.action)).toEqual(["resume", "pause"]);
  });

  it("a channel pause from the pauses page holds that channel; resume with skip drops what was held", async () => {
    const id = await publishedJourney(shopId, "Channel paused");
    const [customer] = await insertCustomers(db.pool, shopId, 1);
    expect(await post(pausesRoute, "/app/journeys/pauses", { intent: "pause", scope: "channel", target: "fax" })).toMatchObject({ ok: false });
    expect(await post(pausesRoute, "/app/journeys/pauses", { intent: "pause", scope: "channel", target: "sms" })).toMatchObject({ ok: true });
    expect(await post(pausesRoute, "/app/journeys/pauses", { intent: "pause", scope: "shop" })).toMatchObject({ ok: true });
    expect((await list.listPauses(db.pool, shopId)).map((p) => [p.scope, p.target])).toEqual([["shop", ""], ["channel", "sms"]]);
    await db.pool.query(
      `insert into messages (shop_id, idempotency_key, customer_id, journey_id, channel, purpose, status, queued_at)
       values ($1, 'held-sms', $2, $3, 'sms', 'promotional', 'queued', now() - interval '5 minutes'),
              ($1, 'held-email', $2, $3, 'email', 'promotional', 'queued', now() - interval '5 minutes')`,
      [shopId, customer, id],
    );
    expect(await post(pausesRoute, "/app/journeys/pauses", { intent: "resume", scope: "channel", target: "sms", policy: "skip" })).toMatchObject({ ok: true });
    const msgs = (await db.pool.query(`select idempotency_key, status::text, reason->>'kind' as reason from messages where shop_id = $1 order by idempotency_key`, [shopId])).rows;
    expect(msgs).toEqual([
      { idempotency_key: "held-email", status: "queued", reason: null },
      { idempotency_key: "held-sms", status: "suppressed", reason: "paused" },
    ]);
    expect(await post(pausesRoute, "/app/journeys/pauses", { intent: "resume", scope: "shop", target: "", policy: "send_now" })).toMatchObject({ ok: true });
    expect(await list.listPauses(db.pool, shopId)).toEqual([]);
  });
});

describe("alerts", () => {
  it("lists open alerts worst first, summarises them for the banner, and resolves them (this shop only)", async () => {
    await db.pool.query(
      `insert into alerts (shop_id, kind, severity, message, created_at) values
         ($1, 'notify_merchant', 'info', 'VIP entered', now() - interval '3 minutes'),
         ($1, 'channel_failure', 'error', 'sms send failed', now() - interval '2 minutes'),
         ($1, 'journey_error', 'warning', 'step failed', now() - interval '1 minute'),
         ($2, 'channel_failure', 'error', 'other shop', now())`,
      [shopId, otherShop],
    );
    const { open } = await list.listAlerts(db.pool, shopId);
    expect(open.map((a) => a.message)).toEqual(["sms send failed", "step failed", "VIP entered"]);
    expect(await list.alertSummary(db.pool, shopId)).toMatchObject({ open: 3, bySeverity: { error: 1, warning: 1, info: 1 }, latest: { message: "sms send failed" } });

    expect(await post(alertsRoute, "/app/alerts", { intent: "resolve", id: open[0].id })).toEqual({ ok: true, message: "Alert resolved." });
    expect(await post(alertsRoute, "/app/alerts", { intent: "resolve", id: open[0].id })).toEqual({ ok: false, error: "That alert is not open." });
    const after = await list.listAlerts(db.pool, shopId);
    expect(after.open.map((a) => a.message)).toEqual(["step failed", "VIP entered"]);
    expect(after.resolved.map((a) => a.message)).toEqual(["sms send failed"]);
    expect(await post(alertsRoute, "/app/alerts", { intent: "resolve_all" })).toEqual({ ok: true, message: "2 alerts resolved." });
    expect((await list.alertSummary(db.pool, shopId)).open).toBe(0);
    expect((await list.alertSummary(db.pool, otherShop)).open).toBe(1);
  });
});
