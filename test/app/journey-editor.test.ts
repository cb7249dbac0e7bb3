// The journey definition editor's actions on real PostgreSQL: bad JSON refused with the
// parser's reason and nothing changed; an incomplete draft saved; publish refused with the
// node named; a fixed definition published as a new version.
import { afterAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { journeyShop } from "../jobs/journeys/fixtures";

const DEMO = "journey-editor.myshopify.com";
const db: TestDatabase = await createTestDatabase("jeditor");
configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
const { createJourney } = await import("../../app/models/journeys.server");
const editRoute = await import("../../app/routes/app.journeys.$id.edit");
const { closeDatabase } = await import("../../app/db.server");
const shopId = await journeyShop(db.pool, DEMO);

afterAll(async () => {
  await closeDatabase();
  await db.drop();
});

type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
const act = (id: string, fields: Record<string, string>) =>
  (editRoute.action as Handler)({ request: new Request(`http://localhost/app/journeys/${id}/edit`, { method: "POST", body: new URLSearchParams(fields) }), params: { id }, context: {} });
const load = (id: string) =>
  (editRoute.loader as Handler)({ request: new Request(`http://localhost/app/journeys/${id}/edit`), params: { id }, context: {} }) as Promise<{ draft: string }>;

const journey = (sendContent: string, controlPercent = 10) => ({
  id: "draft", version: 1, name: "Edited", trigger: { kind: "custom_event", name: "go" }, startNodeId: "h",
  nodes: [
    { id: "h", type: "holdout", controlPercent, next: "a" },
    { id: "a", type: "send", channel: "email", contentId: sendContent, purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
});

describe("journey definition editor", () => {
  it("refuses bad JSON, saves drafts, names the node that stops publishing, then publishes", async () => {
    const id = await createJourney(db.pool, shopId, { name: "Edited", draft: {} });
    const bad = await act(id, { intent: "save", definition: "{ nodes: [" });
    expect(bad).toMatchObject({ ok: false, errors: [{ nodeId: null, message: expect.stringMatching(/^not valid JSON/) }] });
    expect(JSON.parse((await load(id)).draft)).toEqual({});

    expect(await act(id, { intent: "save", definition: JSON.stringify(journey("")) })).toEqual({ ok: true, message: "Draft saved." });
    expect(JSON.parse((await load(id)).draft).nodes[1].contentId).toBe("");
    const refused = (await act(id, { intent: "publish", definition: JSON.stringify(journey("")) })) as { ok: boolean; errors: { nodeId: string | null }[] };
    expect(refused.ok).toBe(false);
    expect(refused.errors.map((e) => e.nodeId)).toContain("a");
    // A holdout below the floor is named too: its control group could not measure lift.
    const tooSmall = (await act(id, { intent: "publish", definition: JSON.stringify(journey("welcome-back", 2)) })) as { ok: boolean; errors: { nodeId: string | null; message: string }[] };
    expect(tooSmall).toMatchObject({ ok: false, errors: [{ nodeId: "h", message: expect.stringMatching(/between 5% and 50%/) }] });
    expect((await db.pool.query(`select count(*)::int n from journey_versions where shop_id = $1 and journey_id = $2`, [shopId, id])).rows[0].n).toBe(0);

    expect(await act(id, { intent: "publish", definition: JSON.stringify(journey("welcome-back")) })).toEqual({ ok: true, message: "Published as version 1." });
    const live = await db.pool.query(`select live_version from journeys where shop_id = $1 and id = $2`, [shopId, id]);
    expect(live.rows[0].live_version).toBe(1);
    // Each save that changed the draft is audited under the merchant who made it: the refused
    // JSON saved nothing, and the first publish attempt sent the draft unchanged.
    const audit = await db.pool.query<{ actor: string; action: string; after: unknown }>(
      `select actor, action, after from audit_log where shop_id = $1 and entity = 'journey' and entity_id = $2 order by id`, [shopId, id]);
    expect(audit.rows.map((r) => [r.actor, r.action])).toEqual([
      ["demo", "save_draft"], ["demo", "save_draft"], ["demo", "save_draft"], ["demo", "publish"],
    ]);
    expect(audit.rows[0].after).toMatchObject({ changes: { fields: ["id", "name", "startNodeId", "trigger", "version"], nodesAdded: ["h", "a", "end"] } });
    expect(audit.rows[1].after).toEqual({ changes: { fields: [], nodesAdded: [], nodesRemoved: [], nodesChanged: ["h", "a"] } });
    expect(audit.rows[2].after).toEqual({ changes: { fields: [], nodesAdded: [], nodesRemoved: [], nodesChanged: ["h"] } });
  });

  it("lists the shop's own offers, offer sets, ladders, messages by channel and segments for the pickers", async () => {
    const other = await journeyShop(db.pool, "someone-else.myshopify.com");
    await db.pool.query(`update shops set settings = settings || $2::jsonb where id = $1`, [shopId, JSON.stringify({
      offers: { sets: { gentle: ["pct10"] }, ladders: [{ id: "climb", steps: ["none", "pct10"] }] },
    })]);
    await db.pool.query(`insert into offers (shop_id, name, definition) values ($1, '10% off', $2), ($3, 'Not ours', $4)`,
      [shopId, JSON.stringify({ kind: "percentage", id: "pct10", percent: 10, expiresInDays: 14 }), other, JSON.stringify({ kind: "percentage", id: "theirs", percent: 5, expiresInDays: 14 })]);
    await db.pool.query(
      `insert into message_contents (shop_id, name, channel, purpose, body, template_key, version) values
         ($1, 'Hello', 'email', 'promotional', '{}', 'hello', 1), ($1, 'Hello', 'email', 'promotional', '{}', 'hello', 2),
         ($1, 'Ping', 'sms', 'promotional', '{}', null, 1), ($2, 'Theirs', 'email', 'promotional', '{}', 'theirs', 1)`, [shopId, other]);
    const seg = (await db.pool.query<{ id: string }>(`insert into segments (shop_id, name, definition, updated_at) values ($1, 'VIP', '{}', now()) returning id::text`, [shopId])).rows[0].id;
    const id = await createJourney(db.pool, shopId, { name: "Pickers", draft: {} });
    const { choices } = (await load(id)) as unknown as { choices: { offers: { value: string; label: string; ladder?: boolean }[]; contents: { value: string; label: string; channel: string }[]; segments: unknown[] } };
    expect(choices.offers.map((o) => o.value)).toEqual(["auto", "none", "pct10", "gentle", "climb"]);
    expect(choices.offers.find((o) => o.value === "climb")?.ladder).toBe(true);
    const ping = (await db.pool.query<{ id: string }>(`select id::text from message_contents where shop_id = $1 and name = 'Ping'`, [shopId])).rows[0].id;
    expect(choices.contents).toEqual([
      { value: "hello", label: "Hello (v2)", channel: "email" },
      { value: ping, label: "Ping (v1)", channel: "sms" },
    ]);
    expect(choices.segments).toEqual([{ value: seg, label: "VIP" }]);
  });
});
