// Settings > Webhooks through its loader and action on real PostgreSQL: whether the shop has a
// journey webhook signing secret (never the secret on a page load), revealing it (made on first
// use), rotating it (confirmed, audited by fingerprint only), the secret sealed at rest and the
// one the engine signs with, per shop; and the verification guide: its example checked by an
// HMAC computed here, independently of the engine's signer, and its code run against it.
import { createHmac } from "node:crypto";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../core/journeys/webhook";
import { isSealed } from "../../core/secrets/seal";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { journeyShop } from "../jobs/journeys/fixtures";

const DEMO = "webhook-settings.myshopify.com";
const db: TestDatabase = await createTestDatabase("whsettings");
configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
const route = await import("../../app/routes/app.settings.webhooks");
const { webhookSecretFor } = await import("../../app/models/journey-effects.server");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues } = await import("../../jobs/queues");

const shopId = await journeyShop(db.pool, DEMO);
const otherShop = await journeyShop(db.pool, "other-webhooks.myshopify.com");

afterAll(async () => {
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
const load = async () => (await (route.loader as unknown as Handler)({ request: new Request("http://localhost/app/settings/webhooks"), params: {}, context: {} })) as {
  status: { exists: boolean; fingerprint: string | null; createdAt: string | null; rotatedAt: string | null };
  headers: { signature: string; idempotency: string };
  example: { secret: string; timestamp: number; body: string; signature: string };
  maxAttempts: number;
  code: string;
  activity: { when: string; actor: string; action: string; before: string | null; after: string | null }[];
};
type ActResult = { ok: true; intent: string; secret: string; fingerprint: string } | { ok: false; error: string };
const actWithInit = async (fields: Record<string, string>) => (await (route.action as unknown as Handler)({
  request: new Request("http://localhost/app/settings/webhooks", { method: "POST", body: new URLSearchParams(fields) }), params: {}, context: {},
})) as { data: ActResult; init: ResponseInit | null };
const act = async (fields: Record<string, string>) => (await actWithInit(fields)).data;

const storedRow = async (shop: number) => (await db.pool.query<{ sealed_secret: string; rotated_at: Date | null }>(
  `select sealed_secret, rotated_at from provider_credentials where shop_id = $1 and provider = 'journey_webhook'`, [shop])).rows[0];
const auditRows = async () => (await db.pool.query<{ shop_id: number; actor: string; action: string; before: unknown; after: unknown }>(
  `select shop_id, actor, action, before, after from audit_log where entity = 'webhook_secret' order by id`)).rows;

describe("webhook signing secret settings", () => {
  it("says there is no secret until one is made, and makes none by looking", async () => {
    const page = await load();
    expect(page.status).toEqual({ exists: false, fingerprint: null, createdAt: null, rotatedAt: null });
    expect(page.activity).toEqual([]);
    expect(await storedRow(shopId)).toBeUndefined();
  });

  it("reveals the secret (made on first use), sealed at rest, the one the engine signs with; the page load never carries it", async () => {
    const answer = await actWithInit({ intent: "reveal" });
    const r = answer.data;
    if (!r.ok) throw new Error(r.error);
    // The answer carries the secret, so no cache may keep it.
    expect(new Headers(answer.init?.headers).get("cache-control")).toBe("no-store");
    expect(r.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const row = await storedRow(shopId);
    expect(isSealed(row.sealed_secret)).toBe(true);
    expect(row.sealed_secret).not.toContain(r.secret.slice(6));
    expect(await webhookSecretFor(shopId)).toBe(r.secret);
    // A second reveal shows the same secret; it does not make a new one.
    const again = await act({ intent: "reveal" });
    expect(again).toMatchObject({ ok: true, secret: r.secret, fingerprint: r.fingerprint });

    const page = await load();
    expect(page.status).toMatchObject({ exists: true, fingerprint: r.fingerprint, rotatedAt: null });
    expect(page.status.createdAt).not.toBeNull();
    expect(JSON.stringify(page)).not.toContain(r.secret.slice(6));
    // Who looked is on record, by fingerprint only.
    const audit = await auditRows();
    expect(audit).toEqual([1, 2].map(() => ({ shop_id: shopId, actor: "demo", action: "reveal", before: null, after: { fingerprint: r.fingerprint } })));
  });

  it("rotates only when confirmed; the engine signs with the new secret; the audit names old and new by fingerprint; other shops keep theirs", async () => {
    const otherSecret = await webhookSecretFor(otherShop);
    const old = await act({ intent: "reveal" });
    if (!old.ok) throw new Error(old.error);
    const before = (await auditRows()).length;

    expect(await act({ intent: "rotate" })).toMatchObject({ ok: false });
    expect(await webhookSecretFor(shopId)).toBe(old.secret);
    expect(await auditRows()).toHaveLength(before);

    const rotated = await act({ intent: "rotate", confirm: "rotate" });
    if (!rotated.ok) throw new Error(rotated.error);
    expect(rotated.intent).toBe("rotate");
    expect(rotated.secret).not.toBe(old.secret);
    expect(rotated.fingerprint).not.toBe(old.fingerprint);
    expect(await webhookSecretFor(shopId)).toBe(rotated.secret);
    expect((await storedRow(shopId)).rotated_at).not.toBeNull();
    expect(await webhookSecretFor(otherShop)).toBe(otherSecret);

    const audit = await auditRows();
    expect(audit.slice(before)).toEqual([{ shop_id: shopId, actor: "demo", action: "rotate", before: { fingerprint: old.fingerprint }, after: { fingerprint: rotated.fingerprint } }]);
    expect(JSON.stringify(audit)).not.toContain(rotated.secret.slice(6));
    expect(JSON.stringify(audit)).not.toContain(old.secret.slice(6));
    const page = await load();
    expect(page.status).toMatchObject({ exists: true, fingerprint: rotated.fingerprint });
    expect(page.status.rotatedAt).not.toBeNull();
    // The page lists the activity, newest first, by fingerprint.
    expect(page.activity[0]).toMatchObject({ actor: "demo", action: "rotate", before: old.fingerprint, after: rotated.fingerprint });
    expect(page.activity[1]).toMatchObject({ action: "reveal", after: old.fingerprint });
    expect(JSON.stringify(page)).not.toContain(rotated.secret.slice(6));
  });

  it("refuses an unknown action", async () => {
    expect(await act({ intent: "delete" })).toEqual({ ok: false, error: "unknown action" });
  });

  it("documents the headers and gives an example a correct verifier accepts", async () => {
    const { headers, example, maxAttempts } = await load();
    expect(headers).toEqual({ signature: "x-winback-signature", idempotency: "idempotency-key" });
    expect(maxAttempts).toBeGreaterThan(1);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(example.signature);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(example.timestamp);
    expect(m![2]).toBe(createHmac("sha256", example.secret).update(`${example.timestamp}.${example.body}`).digest("hex"));
    // The body is the engine's: ids always, and only the chosen customer fields.
    expect(JSON.parse(example.body)).toMatchObject({ type: "journey.webhook", customer: { id: "5501", email: "ada@example.com", first_name: "Ada" } });
    expect(example.secret).not.toMatch(/^whsec_[0-9a-f]{64}$/);
  });

  it("gives verifier code that accepts the example and a real signed call, and refuses tampering and replays", async () => {
    const { code, example } = await load();
    // Run as the merchant would: plain Node, the code as given, in its own process.
    type Case = { body: string; header?: string; secret: string; tolerance?: number; buffer?: boolean };
    const verify = (cases: Case[]): boolean[] => {
      const driver = `${code}\nconst cases = JSON.parse(process.argv[1]);\n` +
        "console.log(JSON.stringify(cases.map((c) => verifyWinback(c.buffer ? Buffer.from(c.body) : c.body, c.header, c.secret, c.tolerance))));";
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", driver, JSON.stringify(cases)], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout) as boolean[];
    };
    const secret = await webhookSecretFor(shopId);
    const body = JSON.stringify({ id: "k", type: "journey.webhook" });
    const ever = 1e12; // the example is from a fixed past time: only a verifier told to ignore age accepts it
    expect(verify([
      { body: example.body, header: example.signature, secret: example.secret, tolerance: ever },
      { body: example.body, header: example.signature, secret: example.secret, tolerance: ever, buffer: true },
      { body: example.body, header: example.signature, secret: example.secret },
      { body: example.body.replace("Ada", "Eve"), header: example.signature, secret: example.secret, tolerance: ever },
      { body: example.body, header: example.signature, secret: "whsec_other", tolerance: ever },
      { body: example.body, secret: example.secret, tolerance: ever },
      // A call signed as the engine signs it, with the shop's own secret: now, and 10 minutes ago (a replay).
      { body, header: signWebhook(secret, body, new Date()), secret },
      { body, header: signWebhook(secret, body, new Date(Date.now() - 10 * 60_000)), secret },
    ])).toEqual([true, true, false, false, false, false, true, false]);
  });
});
