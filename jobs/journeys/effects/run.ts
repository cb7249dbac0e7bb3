// Journey side effects other than customer messages — webhook calls and the merchant's
// notification emails — carried out exactly like sends: the journey_effects row and its
// idempotency key are written in the step's transaction, before any call; a worker holds a
// session advisory lock on the row while it works on it; the status goes queued ->
// calling (committed, attempts + 1, before the call) -> succeeded | retrying | failed |
// gave_up.
//
// A row found in `calling` whose lock is free belongs to a worker that died mid-call. A
// webhook is then retried with the same Idempotency-Key header (the receiver drops a
// second delivery of a key it has seen), counted as a failed attempt; a merchant email is
// not resent blindly (its outcome is unknown) but marked for review with an alert.
import type pg from "pg";
import type { Effect } from "../../../core/journeys/enrollment";
import { renderNotification } from "../../../core/journeys/notify";
import {
  classifyCall, DEFAULT_RETRY, IDEMPOTENCY_HEADER, nextAttemptAt, SIGNATURE_HEADER, signWebhook, webhookBody,
  WEBHOOK_CUSTOMER_FIELDS, type CallOutcome, type WebhookCustomerField,
} from "../../../core/journeys/webhook";
import { journeyVersion, raiseAlert } from "../definitions";
import { enqueueEffect } from "../queue";
import { clock, type JourneyDeps } from "../types";
import { postWebhook } from "./http";

export interface EffectOwner {
  enrollmentId: string;
  journeyId: string;
  journeyVersion: number;
  customerId: string;
}

type CallWebhook = Extract<Effect, { kind: "call_webhook" }>;
type NotifyMerchant = Extract<Effect, { kind: "notify_merchant" }>;

const COLUMN: Record<WebhookCustomerField, string> = {
  email: "email", phone: "phone", first_name: "first_name", last_name: "last_name", locale: "locale", country: "country",
  province: "province", city: "city", zip: "zip", timezone: "timezone", tags: "tags",
};

/** In the step's transaction: the webhook row, its body fixed now (only the chosen fields). */
export async function recordWebhookCall(client: pg.PoolClient, shopId: number, owner: EffectOwner, e: CallWebhook, now: Date): Promise<void> {
  const journey = await journeyVersion(client, shopId, owner.journeyId, owner.journeyVersion);
  const node = journey?.nodes.find((n) => n.id === e.nodeId);
  const fields = e.fields.filter((f): f is WebhookCustomerField => (WEBHOOK_CUSTOMER_FIELDS as readonly string[]).includes(f));
  let customer: Partial<Record<WebhookCustomerField, unknown>> = {};
  if (fields.length > 0) {
    const cols = fields.map((f) => `${COLUMN[f]} as "${f}"`).join(", ");
    const r = await client.query(`select ${cols} from customers where shop_id = $1 and id = $2`, [shopId, owner.customerId]);
    customer = r.rows[0] ?? {};
  }
  const body = webhookBody({
    idempotencyKey: e.idempotencyKey, occurredAt: now,
    journey: { id: owner.journeyId, version: owner.journeyVersion, name: journey?.name ?? "" },
    node: { id: e.nodeId, ...(node?.label ? { label: node.label } : {}) },
    enrollmentId: owner.enrollmentId, customerId: owner.customerId, fields, customer,
  });
  await insertEffect(client, shopId, "webhook", e.idempotencyKey, owner, e.nodeId, { url: e.url, body: JSON.stringify(body) }, now);
}

/**
 * In the step's transaction: the personalised message becomes an in-app alert (deduplicated
 * by the idempotency key) and, when the node emails, a merchant_email row.
 */
export async function recordMerchantNotification(client: pg.PoolClient, shopId: number, owner: EffectOwner, e: NotifyMerchant, now: Date): Promise<void> {
  const journey = await journeyVersion(client, shopId, owner.journeyId, owner.journeyVersion);
  const v = await client.query<{
    first_name: string | null; last_name: string | null; email: string | null; phone: string | null; locale: string | null;
    orders_count: number; total_spent: string | null; last_at: Date | null;
    shop_name: string | null; domain: string; currency: string; settings: Record<string, unknown>;
  }>(
    `select c.first_name, c.last_name, c.email, c.phone, c.locale,
            (select count(*)::int from orders o where o.shop_id = s.id and o.customer_id = c.id and o.cancelled_at is null) as orders_count,
            (select sum(o.total - o.refunded)::text from orders o where o.shop_id = s.id and o.customer_id = c.id and o.cancelled_at is null) as total_spent,
            (select max(o.processed_at) from orders o where o.shop_id = s.id and o.customer_id = c.id and o.cancelled_at is null) as last_at,
            s.name as shop_name, s.domain, s.currency, s.settings
     from shops s left join customers c on c.shop_id = s.id and c.id = $2 where s.id = $1`, [shopId, owner.customerId],
  );
  const row = v.rows[0];
  const settings = (row?.settings ?? {}) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === "string" ? x : undefined);
  const rendered = renderNotification({ message: e.message, ...(e.subject !== undefined ? { subject: e.subject } : {}), journeyName: journey?.name ?? "journey" }, {
    customer: {
      first_name: row?.first_name, last_name: row?.last_name, email: row?.email, phone: row?.phone, locale: row?.locale,
      orders_count: row?.orders_count ?? 0, total_spent: row?.total_spent,
      days_since_last_order: row?.last_at ? Math.floor((now.getTime() - row.last_at.getTime()) / 86_400_000) : undefined,
    },
    shop: {
      name: row?.shop_name ?? row?.domain, url: str(settings.shopUrl) ?? (row ? `https://${row.domain}` : undefined), email: str(settings.email),
      phone: str(settings.phone), postal_address: str(settings.postalAddress), currency: row?.currency,
    },
  });
  // A template that cannot render (published before the check existed) still tells the merchant, unpersonalised.
  const subject = rendered.ok ? rendered.value.subject : `Winback: ${journey?.name ?? "journey"}`;
  const text = rendered.ok ? rendered.value.text : e.message;
  await raiseAlert(client, shopId, {
    kind: "notify_merchant", severity: "info", message: text,
    details: { enrollmentId: owner.enrollmentId, journeyId: owner.journeyId, nodeId: e.nodeId, customerId: owner.customerId, ...(rendered.ok ? {} : { renderError: rendered.error }) },
    dedupeKey: e.idempotencyKey, customerId: owner.customerId, // erased with the customer
  });
  if (e.email) await insertEffect(client, shopId, "merchant_email", `${e.idempotencyKey}:email`, owner, e.nodeId, { subject, text }, now);
}

async function insertEffect(
  client: pg.PoolClient, shopId: number, kind: "webhook" | "merchant_email", key: string, owner: EffectOwner, nodeId: string, request: object, now: Date,
): Promise<void> {
  await client.query(
    `insert into journey_effects (shop_id, kind, idempotency_key, journey_id, enrollment_id, node_id, customer_id, status, request, next_attempt_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9, $9) on conflict (shop_id, idempotency_key) do nothing`,
    [shopId, kind, key, owner.journeyId, owner.enrollmentId, nodeId, owner.customerId, JSON.stringify(request), now],
  );
}

/** After the step's commit: carry out (inline) or queue the enrollment's new effect rows. */
export async function runEnrollmentEffects(deps: JourneyDeps, shopId: number, enrollmentId: string): Promise<void> {
  const r = await deps.db.query<{ id: string }>(
    `select id::text from journey_effects where shop_id = $1 and enrollment_id = $2 and status = 'queued' order by id`, [shopId, enrollmentId],
  );
  for (const { id } of r.rows) {
    if (deps.inline ?? true) await processEffect(deps, shopId, id);
    else await enqueueEffect(deps.qs, shopId, id, 0, undefined, clock(deps));
  }
}

export type EffectOutcome =
  | { kind: "succeeded"; status?: number }
  | { kind: "retrying"; at: Date; attempt: number }
  | { kind: "failed" | "gave_up"; error: string }
  | { kind: "needs_review" }
  | { kind: "busy" | "done" | "missing" | "not_due" | "paused" };

interface EffectRow {
  id: string;
  kind: "webhook" | "merchant_email";
  idempotency_key: string;
  journey_id: string | null;
  node_id: string | null;
  status: string;
  request: { url?: string; body?: string; subject?: string; text?: string };
  attempts: number;
  next_attempt_at: Date | null;
  paused: boolean;
}

const DONE = new Set(["succeeded", "failed", "gave_up"]);
const LOCK_KEY = `hashtextextended('effect:' || $1::text || ':' || $2::text, 0)`;

export async function processEffect(deps: JourneyDeps, shopId: number, effectId: string): Promise<EffectOutcome> {
  const client = await deps.db.connect();
  let locked = false;
  try {
    locked = (await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(${LOCK_KEY}) as ok`, [shopId, effectId])).rows[0].ok;
    if (!locked) return { kind: "busy" };
    const r = await client.query<EffectRow>(
      `select f.id::text, f.kind, f.idempotency_key, f.journey_id::text, f.node_id, f.status, f.request, f.attempts, f.next_attempt_at,
              exists (select 1 from journey_pauses p where p.shop_id = f.shop_id and (p.scope = 'shop' or (p.scope = 'journey' and p.target = f.journey_id::text))) as paused
       from journey_effects f where f.shop_id = $1 and f.id = $2`, [shopId, effectId],
    );
    const f = r.rows[0];
    if (!f) return { kind: "missing" };
    if (DONE.has(f.status)) return { kind: "done" };
    const now = clock(deps);
    if (f.status === "calling") return await interrupted(deps, client, shopId, f, now);
    if (f.paused) return { kind: "paused" };
    if (f.next_attempt_at && f.next_attempt_at.getTime() > now.getTime()) return { kind: "not_due" };
    const attempt = f.attempts + 1;
    // The attempt is on record before the call: a crash from here on is seen as `calling`.
    await client.query(`update journey_effects set status = 'calling', attempts = $3 where shop_id = $1 and id = $2`, [shopId, effectId, attempt]);
    return f.kind === "webhook" ? await callWebhook(deps, client, shopId, f, attempt) : await mailMerchant(deps, client, shopId, f);
  } finally {
    if (locked) await client.query(`select pg_advisory_unlock(${LOCK_KEY})`, [shopId, effectId]).catch(() => {});
    client.release();
  }
}

async function callWebhook(deps: JourneyDeps, client: pg.PoolClient, shopId: number, f: EffectRow, attempt: number): Promise<EffectOutcome> {
  const w = deps.webhooks;
  if (!w) return finish(deps, client, shopId, f, "failed", { error: "webhooks are not configured in this process" });
  const body = f.request.body ?? "{}";
  const secret = await w.secretFor(shopId);
  const outcome = await postWebhook(f.request.url ?? "", body, {
    [SIGNATURE_HEADER]: signWebhook(secret, body, clock(deps)),
    [IDEMPOTENCY_HEADER]: f.idempotency_key,
    "x-winback-attempt": String(attempt),
  }, { policy: { allowLocalhost: w.allowLocalhost ?? false }, timeoutMs: w.timeoutMs ?? 10_000, ...(w.resolve ? { resolve: w.resolve } : {}) });
  return settle(deps, client, shopId, f, attempt, outcome);
}

async function settle(deps: JourneyDeps, client: pg.PoolClient, shopId: number, f: EffectRow, attempt: number, outcome: CallOutcome): Promise<EffectOutcome> {
  const status = outcome.kind === "status" ? outcome.status : null;
  const error = outcome.kind === "status" ? `HTTP ${outcome.status}` : outcome.kind === "timeout" ? "timed out" : outcome.message;
  const verdict = classifyCall(outcome);
  if (verdict === "succeeded") return finish(deps, client, shopId, f, "succeeded", { status });
  if (verdict === "permanent") return finish(deps, client, shopId, f, "failed", { status, error });
  const now = clock(deps);
  const at = nextAttemptAt(attempt, now, deps.webhooks?.retry ?? DEFAULT_RETRY);
  if (!at) return finish(deps, client, shopId, f, "gave_up", { status, error });
  await client.query(
    `update journey_effects set status = 'retrying', next_attempt_at = $3, response_status = $4, error = $5 where shop_id = $1 and id = $2`,
    [shopId, f.id, at, status, error.slice(0, 500)],
  );
  await enqueueEffect(deps.qs, shopId, f.id, attempt, at, now);
  return { kind: "retrying", at, attempt };
}

async function finish(
  deps: JourneyDeps, client: pg.PoolClient, shopId: number, f: EffectRow, status: "succeeded" | "failed" | "gave_up",
  o: { status?: number | null; error?: string; providerId?: string },
): Promise<EffectOutcome> {
  await client.query(
    `update journey_effects set status = $3, response_status = $4, error = $5, provider_id = $6, completed_at = $7, next_attempt_at = null
     where shop_id = $1 and id = $2`,
    [shopId, f.id, status, o.status ?? null, o.error?.slice(0, 500) ?? null, o.providerId ?? null, clock(deps)],
  );
  if (status === "succeeded") return { kind: "succeeded", ...(o.status ? { status: o.status } : {}) };
  const what = f.kind === "webhook" ? `webhook call from node ${f.node_id}` : `notification email from node ${f.node_id}`;
  await raiseAlert(client, shopId, {
    kind: f.kind === "webhook" ? "webhook_failed" : "merchant_email_failed", severity: "error",
    message: `${what} ${status === "gave_up" ? "gave up after its last retry" : "failed"}: ${o.error ?? "unknown error"}`,
    details: { effectId: f.id, journeyId: f.journey_id, nodeId: f.node_id, status: o.status ?? null }, dedupeKey: `effect:${f.idempotency_key}`,
  });
  return { kind: status, error: o.error ?? "unknown error" };
}

async function mailMerchant(deps: JourneyDeps, client: pg.PoolClient, shopId: number, f: EffectRow): Promise<EffectOutcome> {
  if (!deps.merchantMail) return finish(deps, client, shopId, f, "failed", { error: "no merchant email in this process" });
  const sent = await deps.merchantMail.send(shopId, { subject: f.request.subject ?? "", text: f.request.text ?? "" }, f.idempotency_key);
  if (sent.ok) return finish(deps, client, shopId, f, "succeeded", { providerId: sent.value.providerMessageId });
  if (sent.error.kind === "permanent") {
    // No email channel or no contact address: the in-app alert already told the merchant.
    if (sent.error.code === "not_configured") {
      await client.query(
        `update journey_effects set status = 'failed', error = $3, completed_at = $4 where shop_id = $1 and id = $2`,
        [shopId, f.id, sent.error.message.slice(0, 500), clock(deps)],
      );
      return { kind: "failed", error: sent.error.message };
    }
    return finish(deps, client, shopId, f, "failed", { error: sent.error.message });
  }
  return settle(deps, client, shopId, f, f.attempts + 1, { kind: "network", message: sent.error.message });
}

/** The worker that set `calling` died before recording the outcome. */
async function interrupted(deps: JourneyDeps, client: pg.PoolClient, shopId: number, f: EffectRow, now: Date): Promise<EffectOutcome> {
  if (f.kind === "merchant_email") {
    await client.query(
      `update journey_effects set status = 'failed', error = 'interrupted during send; not resent', completed_at = $3 where shop_id = $1 and id = $2`,
      [shopId, f.id, now],
    );
    await raiseAlert(client, shopId, {
      kind: "merchant_email_failed", severity: "warning", message: `a notification email from node ${f.node_id} was interrupted and may not have arrived; not resent`,
      details: { effectId: f.id, journeyId: f.journey_id, nodeId: f.node_id }, dedupeKey: `effect:${f.idempotency_key}`,
    });
    return { kind: "needs_review" };
  }
  // The interrupted attempt counts; the retry carries the same idempotency key.
  return settle(deps, client, shopId, f, f.attempts, { kind: "network", message: "interrupted during the call (worker stopped)" });
}
