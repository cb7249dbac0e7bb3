// What the journey engine's webhook and notify nodes need from the app: each shop's webhook
// signing secret (made on first use, sealed in provider_credentials as "journey_webhook",
// shown to the merchant on Settings > Webhooks so their endpoint can verify
// X-Winback-Signature; revealing and rotating it are audited), and the
// merchant's notification email, sent to the shop's contact address (settings.email)
// through the shop's own configured email channel.
import { createHash, randomBytes } from "node:crypto";
import type pg from "pg";
import type { SendFailure, SendReceipt } from "../../core/content/channel";
import { DEFAULT_RETRY, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signWebhook, webhookBody } from "../../core/journeys/webhook";
import { err, ok, type Result } from "../../core/result";
import { openSecret, sealSecret } from "../../core/secrets/seal";
import type { MerchantMailer, WebhookOptions } from "../../jobs/journeys/types";
import { allowsLocalhostWebhooks, appConfig } from "../config.server";
import { pool, withTransaction } from "../db.server";
import { recentAudit } from "./audit.server";
import { channelsForShop } from "./channels.server";

const PROVIDER = "journey_webhook";

/** The shop's webhook signing secret, created on first use. */
export async function webhookSecretFor(shopId: number): Promise<string> {
  const key = appConfig().encryptionKey;
  const read = async () => {
    const r = await pool().query<{ sealed_secret: string }>(`select sealed_secret from provider_credentials where shop_id = $1 and provider = $2`, [shopId, PROVIDER]);
    return r.rows[0] ? openSecret(r.rows[0].sealed_secret, key) : null;
  };
  const found = await read();
  if (found?.ok) return found.value;
  const fresh = `whsec_${randomBytes(32).toString("hex")}`;
  await pool().query(
    `insert into provider_credentials (shop_id, provider, config, sealed_secret, created_at) values ($1, $2, '{}', $3, now())
     on conflict (shop_id, provider) do nothing`, [shopId, PROVIDER, sealSecret(fresh, key)],
  );
  const again = await read(); // a concurrent first use may have won
  if (!again?.ok) throw new Error("webhook secret could not be stored");
  return again.value;
}

/** A short, non-secret name for a secret, so the merchant can tell which one their endpoint has. */
export function secretFingerprint(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 12);
}

export interface WebhookSecretStatus {
  exists: boolean;
  createdAt: Date | null;
  rotatedAt: Date | null;
  fingerprint: string | null;
}

/** Whether the shop has a secret, when it was made or last rotated, and its fingerprint; never the secret. */
export async function webhookSecretStatus(shopId: number): Promise<WebhookSecretStatus> {
  const r = await pool().query<{ sealed_secret: string; created_at: Date; rotated_at: Date | null }>(
    `select sealed_secret, created_at, rotated_at from provider_credentials where shop_id = $1 and provider = $2`, [shopId, PROVIDER]);
  const row = r.rows[0];
  if (!row) return { exists: false, createdAt: null, rotatedAt: null, fingerprint: null };
  const opened = openSecret(row.sealed_secret, appConfig().encryptionKey);
  return { exists: true, createdAt: row.created_at, rotatedAt: row.rotated_at, fingerprint: opened.ok ? secretFingerprint(opened.value) : null };
}

const auditSecret = (db: pg.Pool | pg.PoolClient, shopId: number, actor: string, action: "reveal" | "rotate", before: object | null, after: object) =>
  db.query(
    `insert into audit_log (shop_id, actor, action, entity, entity_id, before, after) values ($1, $2, $3, 'webhook_secret', $4, $5, $6)`,
    [shopId, actor, action, PROVIDER, before ? JSON.stringify(before) : null, JSON.stringify(after)],
  );

/** The secret for the merchant to copy (made now when there is none); who looked is audited. */
export async function revealWebhookSecret(shopId: number, actor: string): Promise<string> {
  const secret = await webhookSecretFor(shopId);
  await auditSecret(pool(), shopId, actor, "reveal", null, { fingerprint: secretFingerprint(secret) });
  return secret;
}

/**
 * A new secret; every call from now on is signed with it (each attempt is signed when it is
 * sent, so retries of earlier calls too). The audit entry names the old and new secrets by
 * fingerprint only.
 */
export async function rotateWebhookSecret(shopId: number, actor: string): Promise<string> {
  const key = appConfig().encryptionKey;
  const fresh = `whsec_${randomBytes(32).toString("hex")}`;
  return withTransaction(pool(), async (client) => {
    const old = await client.query<{ sealed_secret: string }>(
      `select sealed_secret from provider_credentials where shop_id = $1 and provider = $2 for update`, [shopId, PROVIDER]);
    const opened = old.rows[0] ? openSecret(old.rows[0].sealed_secret, key) : null;
    await client.query(
      `insert into provider_credentials (shop_id, provider, config, sealed_secret, created_at) values ($1, $2, '{}', $3, now())
       on conflict (shop_id, provider) do update set sealed_secret = excluded.sealed_secret, rotated_at = now()`,
      [shopId, PROVIDER, sealSecret(fresh, key)],
    );
    await auditSecret(client, shopId, actor, "rotate", { fingerprint: opened?.ok ? secretFingerprint(opened.value) : null }, { fingerprint: secretFingerprint(fresh) });
    return fresh;
  });
}

/** Who revealed or rotated the secret, and when, newest first (fingerprints, never the secret). */
export async function webhookSecretActivity(shopId: number, limit = 10) {
  const fp = (v: unknown) => ((v as { fingerprint?: unknown } | null)?.fingerprint ?? null) as string | null;
  return (await recentAudit(pool(), shopId, "webhook_secret", limit)).map((a) => ({
    when: a.when, actor: a.actor, action: a.action, before: fp(a.before), after: fp(a.after),
  }));
}

/** A test vector for the merchant's verifier: a made-up secret, a fixed time and a body as the engine builds it. */
const EXAMPLE_SECRET = "whsec_example_do_not_use";
const EXAMPLE_AT = new Date("2026-01-15T10:00:00Z");

/** A verifier the merchant can copy (Node.js); the tests run it against the example. */
const VERIFY_EXAMPLE = `import { createHmac, timingSafeEqual } from "node:crypto";

// rawBody: the request body exactly as received (a string or Buffer), before JSON parsing.
export function verifyWinback(rawBody, header, secret, toleranceSeconds = 300) {
  // header = req.headers["${SIGNATURE_HEADER}"], e.g. "t=1768471200,v1=5f2c..."
  const parts = Object.fromEntries(String(header ?? "").split(",").map((p) => p.split("=", 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false; // stale: a replay
  const expected = createHmac("sha256", secret).update(\`\${t}.\${rawBody}\`).digest("hex");
  const given = Buffer.from(parts.v1 ?? "", "utf8");
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected, "utf8"));
}`;

/** What Settings > Webhooks tells the merchant, from the engine's own headers, signer and retry policy. */
export function webhookVerificationGuide() {
  const body = JSON.stringify(webhookBody({
    idempotencyKey: "wh:1042:reminder:1", occurredAt: EXAMPLE_AT,
    journey: { id: "17", version: 3, name: "Win-back series" }, node: { id: "reminder", label: "Tell the CRM" },
    enrollmentId: "1042", customerId: "5501", fields: ["email", "first_name"], customer: { email: "ada@example.com", first_name: "Ada" },
  }));
  return {
    headers: { signature: SIGNATURE_HEADER, idempotency: IDEMPOTENCY_HEADER },
    maxAttempts: DEFAULT_RETRY.maxAttempts,
    code: VERIFY_EXAMPLE,
    example: { secret: EXAMPLE_SECRET, timestamp: Math.floor(EXAMPLE_AT.getTime() / 1000), body, signature: signWebhook(EXAMPLE_SECRET, body, EXAMPLE_AT) },
  };
}

export function journeyWebhookOptions(): WebhookOptions {
  return { secretFor: webhookSecretFor, allowLocalhost: allowsLocalhostWebhooks() };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function merchantMailer(): MerchantMailer {
  return {
    async send(shopId, mail, idempotencyKey): Promise<Result<SendReceipt & { to: string }, SendFailure>> {
      const s = await pool().query<{ settings: Record<string, unknown> }>(`select settings from shops where id = $1`, [shopId]);
      const to = s.rows[0]?.settings?.email;
      if (typeof to !== "string" || !to.includes("@")) return err({ kind: "permanent", code: "not_configured", message: "the shop has no contact email" });
      const channels = await channelsForShop(shopId);
      if (!channels.email) return err({ kind: "permanent", code: "not_configured", message: "no email channel is set up" });
      const html = `<!doctype html><html><body style="font-family:Arial,sans-serif;padding:24px">${mail.text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`).join("")}</body></html>`;
      const r = await channels.email.send({ purpose: "transactional", from: channels.email.from, to, subject: mail.subject, html, text: mail.text }, idempotencyKey);
      return r.ok ? ok({ ...r.value, to }) : r;
    },
  };
}
