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
  });
});
