// What was sent and what happened to it: engagement events from the tracking endpoints
// (opens, clicks, delivery), and the Outbox the merchant browses (the demo's local SMTP
// server and Twilio simulator capture what the providers carried). Every query is scoped
// by shop.
import type pg from "pg";
import { sign, verify } from "../../core/tracking/hmac";
import { queues } from "../../jobs/queues";
import { requestCustomerReevaluation } from "../../jobs/segments/worker";
import { pool } from "../db.server";

export type EngagementName = "message_delivered" | "message_opened" | "message_clicked" | "message_bounced" | "message_complained" | "message_unsubscribed";

export type SentMessage = { id: string; customerId: string; channel: "email" | "sms" | "push"; recipient: string | null; status: string };

export async function findSentMessage(shopId: number, messageId: string, db: Pick<pg.Pool, "query"> = pool()): Promise<SentMessage | null> {
  const r = await db.query<{ id: string; customer_id: string; channel: SentMessage["channel"]; recipient: string | null; status: string }>(
    `select id::text, customer_id::text, channel::text as channel, recipient, status::text from messages where shop_id = $1 and id = $2`,
    [shopId, messageId],
  );
  const row = r.rows[0];
  return row ? { id: row.id, customerId: row.customer_id, channel: row.channel, recipient: row.recipient, status: row.status } : null;
}

/** Records an engagement event for a message; a dedupe key makes a repeat a no-op. Returns whether a row was written. */
export async function recordEngagement(input: {
  shopId: number;
  message: SentMessage;
  name: EngagementName;
  at: Date;
  url?: string;
  dedupeKey?: string;
  extra?: Record<string, unknown>;
}): Promise<boolean> {
  const properties = { channel: input.message.channel, ...(input.url ? { url: input.url } : {}), ...input.extra };
  const r = await pool().query(
    `insert into events (shop_id, customer_id, name, occurred_at, properties, source, message_id, dedupe_key)
     values ($1, $2, $3, $4, $5, 'winback', $6, $7)
     on conflict (shop_id, dedupe_key) do nothing`,
    [input.shopId, input.message.customerId, input.name, input.at, JSON.stringify(properties), input.message.id, input.dedupeKey ?? null],
  );
  const recorded = (r.rowCount ?? 0) > 0;
  // Engagement is a segment condition: the customer is re-evaluated at once.
  if (recorded && input.message.customerId != null) await requestCustomerReevaluation(pool(), queues(), input.shopId, input.message.customerId, input.at);
  return recorded;
}

// ---------------------------------------------------------------------------------------
// The Outbox.

export type OutboxRow = {
  id: string;
  channel: "email" | "sms" | "push";
  provider: string;
  recipient: string;
  subject: string | null;
  preview: string;
  status: string;
  receivedAt: string;
  hasHtml: boolean;
};

/** "ja***@example.com", "+1 *** *** 4567": enough to recognise, not enough to harvest. */
export function maskRecipient(recipient: string): string {
  const at = recipient.indexOf("@");
  if (at > 0) {
    const local = recipient.slice(0, at);
    return `${local.slice(0, Math.min(2, local.length - 1) || 1)}***${recipient.slice(at)}`;
  }
  const digits = recipient.replace(/\D/g, "");
  if (digits.length >= 6) return `${recipient.startsWith("+") ? "+" : ""}${"*".repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
  return "***";
}

/**
 * The Outbox: captured items (the demo's local providers) with the send's own status when
 * they match a journey message, then the shop's other sent messages (a real provider keeps
 * no copy here), newest first.
 */
export async function listOutbox(shopId: number, opts: { limit?: number; channel?: "email" | "sms" | "push" } = {}): Promise<OutboxRow[]> {
  const r = await pool().query<{
    id: string; channel: OutboxRow["channel"]; provider: string | null; recipient: string | null; subject: string | null;
    body_text: string | null; status: string; at: Date; has_html: boolean;
  }>(
    `select * from (
       select o.id::text as id, o.channel::text as channel, o.provider, o.recipient, o.subject, left(o.body_text, 200) as body_text,
              coalesce(m.status::text, o.status) as status, o.received_at as at, o.body_html is not null as has_html
         from outbox o
         left join messages m on m.shop_id = o.shop_id and m.provider = o.provider and m.provider_message_id = o.provider_message_id
        where o.shop_id = $1 and ($2::"MessageChannel" is null or o.channel = $2::"MessageChannel")
       union all
       select 'm' || m.id::text, m.channel::text, m.provider, m.recipient, null, c.name, m.status::text,
              coalesce(m.failed_at, m.delivered_at, m.sent_at, m.queued_at), false
         from messages m
         left join message_contents c on c.shop_id = m.shop_id and c.id = m.content_id
        where m.shop_id = $1 and m.status in ('sent', 'delivered', 'failed')
          and ($2::"MessageChannel" is null or m.channel = $2::"MessageChannel")
          and not exists (select 1 from outbox o where o.shop_id = m.shop_id and o.provider = m.provider and o.provider_message_id = m.provider_message_id)
     ) x
     order by at desc, id desc
     limit $3`,
    [shopId, opts.channel ?? null, Math.min(opts.limit ?? 100, 500)],
  );
  return r.rows.map((row) => ({
    id: row.id,
    channel: row.channel,
    provider: row.provider ?? "",
    recipient: row.recipient ? maskRecipient(row.recipient) : "-",
    subject: row.subject,
    preview: (row.body_text ?? "").replace(/\s+/g, " ").trim().slice(0, 140),
    status: row.status,
    receivedAt: row.at.toISOString(),
    hasHtml: row.has_html,
  }));
}

export async function outboxHtml(shopId: number, id: string): Promise<string | null> {
  if (!/^\d{1,19}$/.test(id)) return null;
  const r = await pool().query<{ body_html: string | null; body_text: string | null }>(
    `select body_html, body_text from outbox where shop_id = $1 and id = $2`,
    [shopId, id],
  );
  const row = r.rows[0];
  if (!row) return null;
  if (row.body_html) return row.body_html;
  const esc = (row.body_text ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<!doctype html><meta charset="utf-8"><pre style="font:14px/1.4 system-ui,sans-serif;white-space:pre-wrap">${esc}</pre>`;
}

export type CapturedItem = {
  shopId: number;
  channel: "email" | "sms" | "push";
  provider: string;
  providerMessageId: string;
  sender?: string | null;
  recipient: string;
  subject?: string | null;
  bodyText?: string | null;
  bodyHtml?: string | null;
  status: string;
  at?: Date;
};

/** What the demo's local providers received (one row per recipient), tied to the customer it went to. */
export async function recordOutboxItem(item: CapturedItem, db: Pick<pg.Pool, "query"> = pool()): Promise<void> {
  await db.query(
    `insert into outbox (shop_id, channel, provider, provider_message_id, sender, recipient, subject, body_text, body_html, status, received_at, customer_id)
     values ($1, $2::"MessageChannel", $3, $4, $5, $6, $7, $8, $9, $10, $11,
             (select id from customers c where c.shop_id = $1 and c.merged_into_id is null
                 and (($2 = 'email' and lower(c.email) = lower($6)) or ($2 = 'sms' and c.phone = $6))
               order by id limit 1))
     on conflict (shop_id, provider, provider_message_id) do nothing`,
    [item.shopId, item.channel, item.provider, item.providerMessageId, item.sender ?? null, item.recipient, item.subject ?? null, item.bodyText ?? null, item.bodyHtml ?? null, item.status, item.at ?? new Date()],
  );
}

export async function updateOutboxStatus(shopId: number, provider: string, providerMessageId: string, status: string, db: Pick<pg.Pool, "query"> = pool()): Promise<void> {
  await db.query(`update outbox set status = $4 where shop_id = $1 and provider = $2 and provider_message_id = $3`, [shopId, provider, providerMessageId, status]);
}

// The rendered email opens in a sandboxed iframe from /app/outbox/<id>/html. The frame's
// request carries no session (in the Shopify admin it is a plain document request), so its
// URL carries a short-lived signature made for the signed-in shop instead.
const VIEW_TTL_MS = 15 * 60_000;

export function outboxViewToken(shopId: number, id: string, key: Buffer, now = Date.now()): string {
  const expires = String(Math.floor((now + VIEW_TTL_MS) / 1000));
  return `${shopId}.${expires}.${sign(key, ["outbox-view", String(shopId), id, expires])}`;
}

/** The shop the token was made for, or null when it is forged, for another item, or expired. */
export function verifyOutboxViewToken(id: string, token: string, key: Buffer, now = Date.now()): number | null {
  const [shop, expires, signature, extra] = token.split(".");
  if (!shop || !expires || !signature || extra !== undefined || !/^\d+$/.test(shop) || !/^\d+$/.test(expires)) return null;
  if (Number(expires) * 1000 < now) return null;
  return verify(key, ["outbox-view", shop, id, expires], signature) ? Number(shop) : null;
}

/**
 * The merchant's preview must not count as the customer's engagement: the open pixel is
 * dropped and links are made inert (the page is also served with a CSP and in a sandbox).
 */
export function inertPreview(html: string): string {
  const withoutPixel = html.replace(/<img\b[^>]*\/t\/o\/[^>]*>/gi, "");
  const style = "<style>a{pointer-events:none;cursor:default}</style>";
  const head = withoutPixel.search(/<\/head>/i);
  return head === -1 ? style + withoutPixel : withoutPixel.slice(0, head) + style + withoutPixel.slice(head);
}
