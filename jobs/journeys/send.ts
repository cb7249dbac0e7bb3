// Carries out one messages row, exactly once. The row (and its idempotency key) exists before
// anything is sent. While a worker works on it, it holds a session advisory lock on it; the
// status goes queued -> sending (committed before the provider is called) -> sent | failed.
// A row found in `sending` whose lock is free belongs to a worker that died mid-send: the
// engine asks the channel whether the provider already has it (and records it as sent), or,
// when the channel cannot tell, marks it for review. It never sends such a row blindly.
//
// Caps are atomic: the decision runs under a per-customer advisory transaction lock and
// counts every message of the customer in `sending`/`sent`/`delivered`, so two workers can
// never both pass the same cap.
import type pg from "pg";
import { decideSend, type SendDecision, type SendReason } from "../../core/governance/decide-send";
import { GovernanceSettingsSchema, type Channel, type Purpose } from "../../core/governance/schema";
import { resolveTimeZone } from "../../core/governance/timezone";
import type { PriorSend } from "../../core/governance/sends";
import type { JourneyNode } from "../../core/journeys/schema";
import { journeyVersion, raiseAlert } from "./definitions";
import { holdSendForOffer } from "./offer";
import { enqueueSend } from "./queue";
import { clock, type JourneyChannel, type JourneyDeps, type OutboundMessage } from "./types";

export type SendOutcome =
  | { kind: "sent"; providerMessageId: string; reconciled?: boolean }
  | { kind: "deferred"; until: Date; reason: SendReason }
  | { kind: "suppressed"; reason: unknown }
  | { kind: "failed"; fallbackMessageId?: string }
  | { kind: "needs_review" }
  | { kind: "waiting_for_offer"; until: Date }
  | { kind: "busy" | "done" | "paused" | "missing" | "not_due" };

export interface MessageRow {
  id: string;
  idempotency_key: string;
  customer_id: string;
  journey_id: string | null;
  enrollment_id: string | null;
  node_id: string | null;
  content_id: string | null;
  channel: Channel;
  purpose: Purpose;
  variant: string | null;
  recipient: string | null;
  provider_message_id: string | null;
  status: string;
  deferred_until: Date | null;
  journey_version: number | null;
  enrollment_status: string | null;
}

export const DONE = new Set(["sent", "delivered", "failed", "suppressed"]);
const LOCK_KEY = `hashtextextended('msg:' || $1::text || ':' || $2::text, 0)`;

export async function processMessage(deps: JourneyDeps, shopId: number, messageId: string): Promise<SendOutcome> {
  const outcome = await processLocked(deps, shopId, messageId);
  if (outcome.kind === "failed" && outcome.fallbackMessageId) {
    // The backup channel's message is its own row, key and lock.
    if (deps.inline ?? true) await processMessage(deps, shopId, outcome.fallbackMessageId);
    else await enqueueSend(deps.qs, shopId, outcome.fallbackMessageId);
  }
  return outcome;
}

async function processLocked(deps: JourneyDeps, shopId: number, messageId: string): Promise<SendOutcome> {
  const client = await deps.db.connect();
  let locked = false;
  try {
    const l = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(${LOCK_KEY}) as ok`, [shopId, messageId]);
    locked = l.rows[0].ok;
    if (!locked) return { kind: "busy" }; // another worker is on it right now
    const m = await readMessage(client, shopId, messageId); // read after the lock: the status is current
    if (!m) return { kind: "missing" };
    return await processRead(deps, client, shopId, m);
  } finally {
    if (locked) await client.query(`select pg_advisory_unlock(${LOCK_KEY})`, [shopId, messageId]).catch(() => {});
    client.release();
  }
}

/** The rest of one send, for a row read under its advisory lock (held by `client`). */
export async function processRead(deps: JourneyDeps, client: pg.PoolClient, shopId: number, m: MessageRow): Promise<SendOutcome> {
  const messageId = m.id;
  {
    if (DONE.has(m.status)) return { kind: "done" };
    const node = await sendNode(client, shopId, m);
    if (m.status === "sending") return await reconcile(deps, client, shopId, m, node);
    const now = clock(deps);
    if (m.status === "deferred" && m.deferred_until && m.deferred_until.getTime() > now.getTime()) return { kind: "not_due" };
    if (m.enrollment_status === "converted" || m.enrollment_status === "exited") {
      await client.query(
        `update messages set status = 'suppressed', reason = $3 where shop_id = $1 and id = $2`,
        [shopId, messageId, JSON.stringify({ kind: "enrollment_ended", status: m.enrollment_status })],
      );
      return { kind: "suppressed", reason: { kind: "enrollment_ended" } };
    }
    const held = await holdSendForOffer(deps, client, shopId, m);
    if (held) return held;
    const decided = await decide(deps, client, shopId, m, node, now);
    if (decided.kind !== "send") return decided.outcome;
    return await deliver(deps, client, shopId, decided.message, m.idempotency_key, node);
  }
}

async function readMessage(client: pg.PoolClient, shopId: number, messageId: string): Promise<MessageRow | undefined> {
  const r = await client.query<MessageRow>(
    `select m.id::text, m.idempotency_key, m.customer_id::text, m.journey_id::text, m.enrollment_id::text, m.node_id, m.content_id::text,
            m.channel::text as channel, m.purpose::text as purpose, m.variant, m.recipient, m.provider_message_id, m.status::text as status,
            m.deferred_until, e.journey_version, e.status::text as enrollment_status
     from messages m left join enrollments e on e.shop_id = m.shop_id and e.id = m.enrollment_id
     where m.shop_id = $1 and m.id = $2`, [shopId, messageId],
  );
  return r.rows[0];
}

export type SendNode = Extract<JourneyNode, { type: "send" }>;

export async function sendNode(client: pg.PoolClient, shopId: number, m: MessageRow): Promise<SendNode | null> {
  if (!m.journey_id || m.journey_version === null || !m.node_id) return null;
  const journey = await journeyVersion(client, shopId, m.journey_id, m.journey_version);
  const node = journey?.nodes.find((n) => n.id === m.node_id);
  return node && node.type === "send" ? node : null;
}

export function outbound(shopId: number, m: MessageRow, node: SendNode | null, channel: Channel, recipient: string): OutboundMessage {
  return {
    shopId, messageId: m.id, customerId: m.customer_id, channel, purpose: m.purpose, recipient,
    contentId: m.content_id ?? node?.contentId ?? null, journeyId: m.journey_id, nodeId: m.node_id, variant: m.variant,
  };
}

type Decided = { kind: "send"; message: OutboundMessage } | { kind: "other"; outcome: SendOutcome };

async function decide(deps: JourneyDeps, client: pg.PoolClient, shopId: number, m: MessageRow, node: SendNode | null, now: Date): Promise<Decided> {
  await client.query("begin");
  try {
    await client.query(`select pg_advisory_xact_lock(hashtextextended('cust:' || $1::text || ':' || $2::text, 0))`, [shopId, m.customer_id]);
    // Read the clock only now, under the lock: a send that got the lock first is never "in the future".
    now = deps.now ? now : new Date(Math.max(now.getTime(), Date.now()));
    const facts = await customerFacts(client, shopId, m, now);
    if (facts === "paused") {
      await client.query("commit");
      return { kind: "other", outcome: { kind: "paused" } };
    }
    if (!facts) {
      await client.query(`update messages set status = 'suppressed', reason = '{"kind":"customer_missing"}' where shop_id = $1 and id = $2`, [shopId, m.id]);
      await client.query("commit");
      return { kind: "other", outcome: { kind: "suppressed", reason: { kind: "customer_missing" } } };
    }
    const { decision, channel } = decisionFor(m, node, facts, now);
    const set = (sql: string, params: unknown[]) => client.query(`update messages set ${sql} where shop_id = $1 and id = $2`, [shopId, m.id, ...params]);
    let result: Decided;
    switch (decision.kind) {
      case "send_now": {
        const recipient = facts.addresses[channel]!;
        const provider = deps.channels[channel]?.provider ?? null;
        await set(`status = 'sending', channel = $3::"MessageChannel", recipient = $4, provider = $5, attempts = attempts + 1, sent_at = $6,
                   variant = case when $3::text <> $7::text then 'fallback' else variant end`, [channel, recipient, provider, now, m.channel]);
        result = { kind: "send", message: outbound(shopId, { ...m, variant: channel !== m.channel ? "fallback" : m.variant }, node, channel, recipient) };
        break;
      }
      case "defer_until":
        await set(`status = 'deferred', deferred_until = $3, reason = $4`, [decision.at, JSON.stringify(decision.reason)]);
        result = { kind: "other", outcome: { kind: "deferred", until: decision.at, reason: decision.reason } };
        break;
      case "skip":
      case "fallback": // a fallback that was itself blocked
        await set(`status = 'suppressed', reason = $3`, [JSON.stringify(decision.reason)]);
        result = { kind: "other", outcome: { kind: "suppressed", reason: decision.reason } };
        break;
    }
    await deps.hooks?.beforeSendCommit?.(shopId, [m.id]);
    await client.query("commit");
    if (result.kind === "other" && result.outcome.kind === "deferred") {
      await enqueueSend(deps.qs, shopId, m.id, result.outcome.until, now, `-${result.outcome.until.getTime()}`);
    }
    return result;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  }
}

/** The governance decision for one message on the customer's facts (pure). */
export function decisionFor(m: MessageRow, node: SendNode | null, facts: CustomerFacts, now: Date): { decision: SendDecision; channel: Channel } {
  let channel = m.channel;
  let fallbackChannel = m.variant === "fallback" ? undefined : node?.fallbackChannel;
  let decision: SendDecision;
  for (let round = 0; ; round++) {
    const active = facts.active;
    decision = decideSend({
      channel, ...(fallbackChannel ? { fallbackChannel } : {}), purpose: m.purpose, merchantMarkedTransactional: false,
      whenCapped: node?.whenCapped ?? "wait", consent: facts.consent, recipient: facts.recipient, priorSends: facts.prior,
      settings: facts.settings,
      ...(m.enrollment_id ? { enrollment: { enrollmentId: m.enrollment_id, active } } : {}),
    }, now);
    if (decision.kind !== "fallback" || round > 0) break;
    channel = decision.channel; // re-decided on the fallback channel, its own caps and hours
    fallbackChannel = undefined;
  }
  return { decision, channel };
}

export interface CustomerFacts {
  consent: Partial<Record<Channel, boolean>>;
  addresses: Partial<Record<Channel, string>>;
  recipient: { zone: string; phone?: string; address?: { countryCode?: string; provinceCode?: string } };
  prior: PriorSend[];
  settings: ReturnType<typeof GovernanceSettingsSchema.parse>;
  active: { enrollmentId: string; journeyId: string; stage?: string; businessValue: number }[];
}

async function customerFacts(client: pg.PoolClient, shopId: number, m: MessageRow, now: Date): Promise<CustomerFacts | "paused" | null> {
  // One round trip: the customer, the shop's settings, pauses, suppressions, prior sends in
  // the widest window any rule looks at (8 days covers the default caps; longer caps are
  // read from the settings below), and the customer's active enrollments.
  const r = await client.query<FactsRow & { paused: boolean }>(
    `select c.email, c.phone, c.timezone, c.country, c.province, c.email_consent::text, c.sms_consent::text,
            s.timezone as shop_tz, s.settings,
            (select endpoint_hash from push_subscriptions p where p.shop_id = c.shop_id and p.customer_id = c.id order by created_at desc limit 1) as push,
            exists (select 1 from suppressions x where x.shop_id = c.shop_id and x.channel = 'email' and x.address = lower(c.email)) as email_suppressed,
            exists (select 1 from suppressions x where x.shop_id = c.shop_id and x.channel = 'sms' and x.address = c.phone) as sms_suppressed,
            exists (select 1 from journey_pauses p where p.shop_id = c.shop_id and (p.scope = 'shop'
              or (p.scope = 'journey' and p.target = $4::text) or (p.scope = 'channel' and p.target = $5::text))) as paused,
            (select json_agg(json_build_object('channel', x.channel, 'purpose', x.purpose, 'at', coalesce(x.sent_at, x.queued_at)))
               from messages x where x.shop_id = c.shop_id and x.customer_id = c.id and x.id <> $3
                and x.status in ('sending', 'sent', 'delivered') and coalesce(x.sent_at, x.queued_at) > $6) as prior,
            (select json_agg(json_build_object('enrollment_id', e.id::text, 'journey_id', e.journey_id::text, 'stage', v.definition->>'stage'))
               from enrollments e join journey_versions v on v.shop_id = e.shop_id and v.journey_id = e.journey_id and v.version = e.journey_version
               where e.shop_id = c.shop_id and e.customer_id = c.id and e.status in ('active', 'waiting')) as active
     from customers c join shops s on s.id = c.shop_id where c.shop_id = $1 and c.id = $2`,
    [shopId, m.customer_id, m.id, m.journey_id, m.channel, new Date(now.getTime() - 400 * 86_400_000)],
  );
  const c = r.rows[0];
  if (!c) return null;
  if (c.paused) return "paused";
  return factsOf(c);
}

export interface FactsRow {
  email: string | null; phone: string | null; timezone: string | null; country: string | null; province: string | null;
  email_consent: string; sms_consent: string; shop_tz: string; settings: Record<string, unknown>; push: string | null;
  email_suppressed: boolean; sms_suppressed: boolean;
  prior: { channel: Channel; purpose: PriorSend["purpose"]; at: string }[] | null;
  active: { enrollment_id: string; journey_id: string; stage: string | null }[] | null;
}

export function factsOf(c: FactsRow): CustomerFacts {
  const settings = GovernanceSettingsSchema.parse((c.settings as { governance?: unknown })?.governance ?? {});
  const prior = { rows: (c.prior ?? []).map((p) => ({ channel: p.channel, purpose: p.purpose, at: new Date(p.at) })) };
  const active = { rows: c.active ?? [] };
  const addresses: Partial<Record<Channel, string>> = {};
  if (c.email) addresses.email = c.email.toLowerCase();
  if (c.phone) addresses.sms = c.phone;
  if (c.push) addresses.push = c.push;
  const address = { countryCode: c.country ?? undefined, provinceCode: c.province ?? undefined };
  return {
    consent: {
      email: c.email_consent === "subscribed" && !!addresses.email && !c.email_suppressed,
      sms: c.sms_consent === "subscribed" && !!addresses.sms && !c.sms_suppressed,
      push: !!addresses.push,
    },
    addresses,
    recipient: { zone: resolveTimeZone(c.timezone ?? undefined, address, c.shop_tz).zone, ...(c.phone ? { phone: c.phone } : {}), address },
    prior: prior.rows,
    settings,
    active: active.rows.map((a) => ({ enrollmentId: a.enrollment_id, journeyId: a.journey_id, ...(a.stage ? { stage: a.stage } : {}), businessValue: 0 })),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Provider call with retries; then the node's backup channel, logged and alerted. */
async function deliver(deps: JourneyDeps, client: pg.PoolClient, shopId: number, msg: OutboundMessage, key: string, node: SendNode | null): Promise<SendOutcome> {
  const attempt = await callChannel(deps, shopId, msg, key);
  if (attempt.ok) {
    await client.query(
      `update messages set status = 'sent', provider_message_id = $3, error_kind = null, error_message = null where shop_id = $1 and id = $2`,
      [shopId, msg.messageId, attempt.providerMessageId],
    );
    return { kind: "sent", providerMessageId: attempt.providerMessageId };
  }
  return recordFailure(deps, client, shopId, msg, key, node, attempt.failure);
}

export type ChannelFailure = { kind: string; message: string; code?: string };

/** The provider call with in-process retries; writes nothing. */
export async function callChannel(
  deps: JourneyDeps, shopId: number, msg: OutboundMessage, key: string,
): Promise<{ ok: true; providerMessageId: string } | { ok: false; failure: ChannelFailure }> {
  const channel: JourneyChannel | undefined = deps.channels[msg.channel];
  const { attempts, backoffMs } = deps.retry ?? { attempts: 3, backoffMs: 200 };
  let failure: ChannelFailure = { kind: "permanent", message: `no ${msg.channel} channel configured` };
  if (channel) {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let result;
      try {
        result = await channel.send(msg, key);
      } catch (e) {
        result = { ok: false as const, error: { kind: "transient" as const, message: e instanceof Error ? e.message : String(e) } };
      }
      if (result.ok) return { ok: true, providerMessageId: result.value.providerMessageId };
      failure = result.error;
      deps.logger?.warn({ shopId, messageId: msg.messageId, channel: msg.channel, attempt, error: failure.kind, code: failure.code }, "channel send failed");
      if (failure.kind === "permanent") break;
      if (attempt < attempts) await sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
  return { ok: false, failure };
}

/** A send that failed for good: logged, alerted, and the node's backup channel queued. */
export async function recordFailure(
  deps: JourneyDeps, client: pg.PoolClient, shopId: number, msg: OutboundMessage, key: string, node: SendNode | null, failure: ChannelFailure,
): Promise<SendOutcome> {
  const now = clock(deps);
  await client.query(
    `update messages set status = 'failed', failed_at = $3, error_kind = $4, error_message = $5 where shop_id = $1 and id = $2`,
    [shopId, msg.messageId, now, failure.kind, failure.message.slice(0, 500)],
  );
  const fallback = msg.variant === "fallback" ? undefined : node?.fallbackChannel;
  await raiseAlert(client, shopId, {
    kind: "channel_failure", severity: "error", message: `${msg.channel} send failed (${failure.kind})${fallback ? `; falling back to ${fallback}` : ""}`,
    details: { messageId: msg.messageId, channel: msg.channel, error: failure, fallback: fallback ?? null }, dedupeKey: `channel_failure:${key}`,
  });
  if (!fallback) return { kind: "failed" };
  const ins = await client.query<{ id: string }>(
    `insert into messages (shop_id, idempotency_key, customer_id, journey_id, enrollment_id, node_id, content_id, channel, purpose, variant, status, queued_at, reason)
     select shop_id, idempotency_key || ':fallback', customer_id, journey_id, enrollment_id, node_id, content_id, $3::"MessageChannel", purpose, 'fallback', 'queued', $4,
            jsonb_build_object('kind', 'channel_failure', 'failedMessageId', id::text)
     from messages where shop_id = $1 and id = $2
     on conflict (shop_id, idempotency_key) do nothing returning id::text`, [shopId, msg.messageId, fallback, now],
  );
  const fallbackId = ins.rows[0]?.id;
  return { kind: "failed", ...(fallbackId ? { fallbackMessageId: fallbackId } : {}) };
}

/** A send interrupted by a crash: ask the provider, never resend blindly. */
async function reconcile(deps: JourneyDeps, client: pg.PoolClient, shopId: number, m: MessageRow, node: SendNode | null): Promise<SendOutcome> {
  const channel = deps.channels[m.channel];
  const msg = outbound(shopId, m, node, m.channel, m.recipient ?? "");
  if (!channel?.lookup) {
    await client.query(
      `update messages set status = 'failed', error_kind = 'needs_review', error_message = 'interrupted during send; provider cannot say whether it went'
       where shop_id = $1 and id = $2`, [shopId, m.id],
    );
    await raiseAlert(client, shopId, {
      kind: "send_needs_review", severity: "error", message: `a ${m.channel} send was interrupted and its outcome is unknown; not resent`,
      details: { messageId: m.id, channel: m.channel }, dedupeKey: `needs_review:${m.idempotency_key}`,
    });
    return { kind: "needs_review" };
  }
  const record = await channel.lookup(m.idempotency_key, msg);
  if (record.found) {
    await client.query(
      `update messages set status = 'sent', provider_message_id = $3 where shop_id = $1 and id = $2`, [shopId, m.id, record.receipt.providerMessageId],
    );
    return { kind: "sent", providerMessageId: record.receipt.providerMessageId, reconciled: true };
  }
  // The provider has no record of it: it never left, so sending it now is its first send.
  return deliver(deps, client, shopId, msg, m.idempotency_key, node);
}
