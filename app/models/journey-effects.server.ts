// What the journey engine's webhook and notify nodes need from the app: each shop's webhook
// signing secret (made on first use, sealed in provider_credentials as "journey_webhook",
// shown to the merchant so their endpoint can verify X-Winback-Signature), and the
// merchant's notification email, sent to the shop's contact address (settings.email)
// through the shop's own configured email channel.
import { randomBytes } from "node:crypto";
import type { SendFailure, SendReceipt } from "../../core/content/channel";
import { err, ok, type Result } from "../../core/result";
import { openSecret, sealSecret } from "../../core/secrets/seal";
import type { MerchantMailer, WebhookOptions } from "../../jobs/journeys/types";
import { allowsLocalhostWebhooks, appConfig } from "../config.server";
import { pool } from "../db.server";
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

/** A new secret; calls made from now on are signed with it. */
export async function rotateWebhookSecret(shopId: number): Promise<string> {
  const fresh = `whsec_${randomBytes(32).toString("hex")}`;
  await pool().query(
    `insert into provider_credentials (shop_id, provider, config, sealed_secret, created_at) values ($1, $2, '{}', $3, now())
     on conflict (shop_id, provider) do update set sealed_secret = excluded.sealed_secret, rotated_at = now()`,
    [shopId, PROVIDER, sealSecret(fresh, appConfig().encryptionKey)],
  );
  return fresh;
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
