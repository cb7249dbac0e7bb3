// The journey's offer node, carried out. In the step transaction: choose the offer (fixed, the
// segment's bandit, or a ladder rung; core/offers/choose-offer.ts), log the choice with its
// reason, count the send on the arm, and write the code's discount_codes row with its
// idempotency key, all before any platform call. After commit the code is created through the
// store connector. A send of the enrollment that follows waits until its code exists on the
// platform (holdSendForOffer), so a code that does not exist is never sent, and the key
// (enrollment:node:visit) makes a replay find the same choice and the same code.
import type pg from "pg";
import { createHash } from "node:crypto";
import type { AdminGraphql } from "../../connectors/shopify/client";
import { issueShopifyCodes } from "../../connectors/shopify/discounts";
import { issueWooCoupon, type WooCouponApi } from "../../connectors/woocommerce/coupons";
import { attributionSettingsFrom } from "../../core/attribution/schema";
import type { Effect } from "../../core/journeys/enrollment";
import { recordSend } from "../../core/offers/arm-stats";
import type { BanditConfig } from "../../core/offers/bandit";
import { chooseOfferForNode, type LadderPrevious } from "../../core/offers/choose-offer";
import { codeRequestFor, type CodeRequest } from "../../core/offers/code-request";
import { discountCost } from "../../core/offers/cost";
import { banditStateSchema, offerSchema, type Offer } from "../../core/offers/schema";
import { offerSettingsFrom } from "../../core/offers/settings";
import { createRng } from "../../core/random/prng";
import { err, ok, type Result } from "../../core/result";
import { raiseAlert } from "./definitions";
import { enqueueSend } from "./queue";
import { clock, type JourneyDeps } from "./types";

type OfferEffect = Extract<Effect, { kind: "request_offer_code" }>;

/** Creates one code on the shop's platform; ok(code) once the platform has it. */
export interface OfferCodeIssuer {
  issue(pool: pg.Pool, shop: { id: number; platform: string }, request: CodeRequest, offerRowId: string, email: string | null): Promise<Result<string, string>>;
}

/** The connectors behind an issuer: a client per shop, or null when the shop has none. */
export function storeCodeIssuer(clients: {
  shopify?: (shopId: number) => Promise<AdminGraphql | null>;
  woocommerce?: (shopId: number) => Promise<WooCouponApi | null>;
  pollIntervalMs?: number;
}): OfferCodeIssuer {
  return {
    async issue(pool, shop, request, offerRowId, email) {
      if (shop.platform === "shopify") {
        const client = await clients.shopify?.(shop.id);
        if (!client) return err("no Shopify client for this shop");
        const r = await issueShopifyCodes({ client, pool, shopId: shop.id, offerRowId, requests: [request], pollIntervalMs: clients.pollIntervalMs ?? 500 });
        if (!r.ok) return err(`shopify: ${JSON.stringify(r.error)}`);
        return r.value.get(request.code) === "created" ? ok(request.code) : err(`shopify: code is ${r.value.get(request.code) ?? "missing"}`);
      }
      if (shop.platform === "woocommerce") {
        const api = await clients.woocommerce?.(shop.id);
        if (!api) return err("no WooCommerce client for this shop");
        if (!email) return err("the customer has no email for the coupon's restriction");
        const r = await issueWooCoupon({ api, pool, shopId: shop.id, offerRowId, request, email });
        return r.ok ? r : err(`woocommerce: ${r.error.message}`);
      }
      return err(`platform ${shop.platform} cannot issue codes`);
    },
  };
}

interface CatalogueRow { row_id: string; definition: unknown }

const seedOf = (key: string) => createHash("sha256").update(key).digest().readUInt32BE(0);

/** Writes the choice (and its code row) for one offer effect inside the step transaction. */
export async function recordOfferChoice(
  client: pg.PoolClient, shopId: number, enrollment: { id: string; journeyId: string; customerId: string }, e: OfferEffect, now: Date,
): Promise<void> {
  const seen = await client.query(`select 1 from offer_choices where shop_id = $1 and idempotency_key = $2`, [shopId, e.idempotencyKey]);
  if (seen.rowCount) return; // a replayed step: the choice and its code row already exist
  const ctx = (await client.query<{ settings: unknown; segment_id: string | null; aov: string | null }>(
    `select s.settings, v.definition->'trigger'->>'segmentId' as segment_id,
            (select avg(o.subtotal)::bigint::text from orders o where o.shop_id = s.id and o.cancelled_at is null) as aov
     from shops s join enrollments en on en.shop_id = s.id and en.id = $2
     join journey_versions v on v.shop_id = en.shop_id and v.journey_id = en.journey_id and v.version = en.journey_version
     where s.id = $1`, [shopId, enrollment.id])).rows[0];
  const settings = offerSettingsFrom(ctx?.settings);
  const attribution = attributionSettingsFrom(ctx?.settings);
  const segmentKey = ctx?.segment_id ? `segment:${ctx.segment_id}` : `journey:${enrollment.journeyId}`;
  const rows = (await client.query<CatalogueRow>(
    `select id::text as row_id, definition from offers where shop_id = $1 and archived_at is null order by id`, [shopId])).rows;
  const rowIdOf = new Map<string, string>();
  const catalogue: Offer[] = [];
  for (const r of rows) {
    const p = offerSchema.safeParse(r.definition);
    if (p.success && !rowIdOf.has(p.data.id)) { catalogue.push(p.data); rowIdOf.set(p.data.id, r.row_id); }
  }
  // Each segment's bandit is locked for the choice: concurrent choices count every send.
  await client.query(`insert into bandit_states (shop_id, segment_key, state) values ($1, $2, '{"arms":{}}') on conflict do nothing`, [shopId, segmentKey]);
  const st = (await client.query<{ state: unknown }>(`select state from bandit_states where shop_id = $1 and segment_key = $2 for update`, [shopId, segmentKey])).rows[0];
  const parsedState = banditStateSchema.safeParse(st?.state);
  const bandit = parsedState.success ? parsedState.data : { arms: {} };

  let ladderPrevious: LadderPrevious | null = null;
  if (settings.ladders.some((l) => l.id === e.offerId)) {
    const prev = (await client.query<{ ladder_step: number; chosen_at: Date; responded: boolean }>(
      `select c.ladder_step, c.chosen_at,
              exists (select 1 from orders o where o.shop_id = c.shop_id and o.customer_id = c.customer_id and o.cancelled_at is null and o.processed_at > c.chosen_at)
              or exists (select 1 from discount_codes d where d.shop_id = c.shop_id and d.idempotency_key = c.code_key and d.status = 'used') as responded
       from offer_choices c where c.shop_id = $1 and c.enrollment_id = $2 and c.method = 'ladder' and c.ladder_step is not null
         and c.reason->>'ladderId' = $3
       order by c.id desc limit 1`, [shopId, enrollment.id, e.offerId])).rows[0];
    if (prev) ladderPrevious = { step: prev.ladder_step, chosenAt: prev.chosen_at, responded: prev.responded };
  }

  const aov = Number(ctx?.aov ?? 0) || 5000;
  const config: BanditConfig = {
    messageCostMinor: (attribution.messageCostPerThousandMinor as { email: number }).email / 1000,
    prior: {
      conversionAlpha: 1, conversionBeta: 19,
      // Before any data an arm is worth its margin on an average order less what it gives away.
      netMarginMean: (o) => aov * attribution.marginRate - discountCost(o, { eligibleSubtotalMinor: aov, subtotalMinor: aov, shippingMinor: 0 }),
      netMarginKappa: 1, netMarginShape: 2, netMarginSd: Math.max(100, aov * 0.5),
    },
  };
  const decided = chooseOfferForNode({ node: { offerId: e.offerId, ...(e.ladderStep !== undefined ? { ladderStep: e.ladderStep } : {}) }, catalogue, settings, bandit, config, ladderPrevious, rng: createRng(seedOf(e.idempotencyKey)) });
  if (!decided.ok) {
    // A misconfigured node must not stop the journey: the send goes out without an offer.
    await client.query(
      `insert into offer_choices (shop_id, idempotency_key, enrollment_id, journey_id, node_id, customer_id, segment_key, method, reason, chosen_at)
       values ($1, $2, $3, $4, $5, $6, $7, 'fixed', $8, $9) on conflict do nothing`,
      [shopId, e.idempotencyKey, enrollment.id, enrollment.journeyId, e.nodeId, enrollment.customerId, segmentKey, JSON.stringify({ kind: "error", error: decided.error }), now]);
    await raiseAlert(client, shopId, { kind: "offer_error", severity: "error", message: `offer node ${e.nodeId}: ${decided.error}`, details: { enrollmentId: enrollment.id, nodeId: e.nodeId }, dedupeKey: `offer_error:${enrollment.journeyId}:${e.nodeId}` });
    return;
  }
  const d = decided.value;
  const armId = d.offer?.id ?? "none";
  let codeKey: string | null = null;
  if (d.offer && d.offer.kind !== "none") {
    const req = codeRequestFor(e.idempotencyKey, d.offer, { shopId, customerId: enrollment.customerId }, now);
    if (!req.ok) throw new Error(req.error);
    codeKey = req.value.idempotencyKey;
    await client.query(
      `insert into discount_codes (shop_id, code, idempotency_key, customer_id, offer_id, status, issued_at, expires_at)
       values ($1, $2, $3, $4, $5, 'requested', $6, $7) on conflict do nothing`,
      [shopId, req.value.code, codeKey, enrollment.customerId, rowIdOf.get(d.offer.id), req.value.issuedAt, req.value.expiresAt]);
  }
  await client.query(
    `insert into offer_choices (shop_id, idempotency_key, enrollment_id, journey_id, node_id, customer_id, segment_key, method, offer_key, offer_row_id, ladder_step, reason, code_key, chosen_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [shopId, e.idempotencyKey, enrollment.id, enrollment.journeyId, e.nodeId, enrollment.customerId, segmentKey, d.method, armId,
      d.offer ? rowIdOf.get(d.offer.id) ?? null : null, d.ladderStep ?? null, JSON.stringify(d.reason), codeKey, now]);
  await client.query(`update bandit_states set state = $3 where shop_id = $1 and segment_key = $2`, [shopId, segmentKey, JSON.stringify(recordSend(bandit, armId))]);
}

interface PendingCode {
  choice_id: string; code: string; idempotency_key: string; status: string; offer_row_id: string; definition: unknown;
  issued_at: Date; choice_key: string; customer_id: string; email: string | null; platform: string;
}

async function pendingCodes(db: pg.Pool | pg.PoolClient, shopId: number, enrollmentId: string, onlyUnsent: boolean): Promise<PendingCode[]> {
  return (await db.query<PendingCode>(
    `select c.id::text as choice_id, d.code, d.idempotency_key, d.status::text as status, d.offer_id::text as offer_row_id, o.definition,
            d.issued_at, c.idempotency_key as choice_key, c.customer_id::text, cu.email, s.platform::text as platform
     from offer_choices c
     join discount_codes d on d.shop_id = c.shop_id and d.idempotency_key = c.code_key
     join offers o on o.shop_id = d.shop_id and o.id = d.offer_id
     join shops s on s.id = c.shop_id
     left join customers cu on cu.shop_id = c.shop_id and cu.id = c.customer_id
     where c.shop_id = $1 and c.enrollment_id = $2 and d.status = 'requested' ${onlyUnsent ? "and c.message_id is null" : ""}
     order by c.id`, [shopId, enrollmentId])).rows;
}

/** After the step committed: creates the enrollment's requested codes on the platform. */
export async function issueEnrollmentOffers(deps: JourneyDeps, shopId: number, enrollmentId: string): Promise<void> {
  if (!deps.offerCodes) return; // sends wait; a worker with an issuer picks the codes up
  for (const p of await pendingCodes(deps.db, shopId, enrollmentId, true)) await issueOne(deps, shopId, p);
}

async function issueOne(deps: JourneyDeps, shopId: number, p: PendingCode): Promise<void> {
  const offer = offerSchema.safeParse(p.definition);
  if (!offer.success || !deps.offerCodes) return;
  // The same key, offer and issue time rebuild the very same code the row holds.
  const req = codeRequestFor(p.choice_key, offer.data, { shopId, customerId: p.customer_id }, p.issued_at);
  if (!req.ok || req.value.code !== p.code) return;
  const r = await deps.offerCodes.issue(deps.db, { id: shopId, platform: p.platform }, req.value, p.offer_row_id, p.email);
  if (!r.ok) deps.logger?.warn({ shopId, code: p.code, error: r.error }, "offer code not created yet");
}

const OFFER_RETRY_MS = 60_000;

export type OfferHold = { kind: "waiting_for_offer"; until: Date } | { kind: "suppressed"; reason: unknown };

/**
 * Before a journey send: the enrollment's latest offer choice not yet carried by a send
 * belongs to this message. Its code must exist on the platform first; until then the send is
 * deferred (and retried). Returns null when the send may go ahead (with the code linked to it).
 */
export async function holdSendForOffer(deps: JourneyDeps, client: pg.PoolClient, shopId: number, m: { id: string; enrollment_id: string | null; idempotency_key: string }): Promise<OfferHold | null> {
  if (!m.enrollment_id) return null;
  const read = async () => (await client.query<{ id: string; code_key: string | null; code: string | null; status: string | null }>(
    `select c.id::text, c.code_key, d.code, d.status::text as status from offer_choices c
     left join discount_codes d on d.shop_id = c.shop_id and d.idempotency_key = c.code_key
     where c.shop_id = $1 and c.enrollment_id = $2 and (c.message_id is null or c.message_id = $3)
     order by c.id desc limit 1`, [shopId, m.enrollment_id, m.id])).rows[0];
  let c = await read();
  if (!c) return null;
  if (c.code_key && c.status === "requested" && deps.offerCodes) {
    for (const p of await pendingCodes(client, shopId, m.enrollment_id, false)) if (p.choice_id === c.id) await issueOne(deps, shopId, p);
    c = (await read())!;
  }
  if (c.code_key && c.status === "requested") {
    const until = new Date(clock(deps).getTime() + OFFER_RETRY_MS);
    await client.query(`update messages set status = 'deferred', deferred_until = $3, reason = $4 where shop_id = $1 and id = $2`,
      [shopId, m.id, until, JSON.stringify({ kind: "offer_pending", code: c.code })]);
    await enqueueSend(deps.qs, shopId, m.id, until, clock(deps), `-offer-${until.getTime()}`);
    return { kind: "waiting_for_offer", until };
  }
  if (c.code_key && c.status !== "created") {
    // The platform refused the code: never send a code that does not exist.
    const reason = { kind: "offer_code_failed", code: c.code, status: c.status };
    await client.query(`update messages set status = 'suppressed', reason = $3 where shop_id = $1 and id = $2`, [shopId, m.id, JSON.stringify(reason)]);
    await raiseAlert(client, shopId, { kind: "offer_code_failed", severity: "error", message: `a discount code could not be created; its send was held back`, details: { messageId: m.id, code: c.code }, dedupeKey: `offer_code_failed:${m.idempotency_key}` });
    return { kind: "suppressed", reason };
  }
  await client.query(`update offer_choices set message_id = $3 where shop_id = $1 and id = $2`, [shopId, c.id, m.id]);
  if (c.code_key) {
    await client.query(`update discount_codes set message_id = $3 where shop_id = $1 and idempotency_key = $2`, [shopId, c.code_key, m.id]);
    await client.query(`update messages set discount_code = $3 where shop_id = $1 and id = $2`, [shopId, m.id, c.code]);
  }
  return null;
}
