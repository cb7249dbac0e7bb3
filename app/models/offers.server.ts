// The Offers page's data: the shop's offers, settings (bounds, sets, ladders, collection
// margins), each segment's bandit (pulls, mean net margin, probability best), the recent
// choice log with reasons, and code counts by status. Every query is per shop.
import { chooseOffer, type BanditConfig } from "../../core/offers/bandit";
import { banditStateSchema, offerSchema, type Offer } from "../../core/offers/schema";
import { offerSettingsFrom, offerSettingsSchema, productCostSchema, NO_OFFER_ID, type OfferSettings, type ProductCost } from "../../core/offers/settings";
import { createRng } from "../../core/random/prng";
import { err, ok, type Result } from "../../core/result";
import { pool } from "../db.server";

export interface ArmView { offerId: string; pulls: number; conversions: number; meanNetMargin: number; probabilityBest: number }

const DRAWS = 400;
// Probability best is estimated by posterior draws; a flat prior keeps it about the data.
const VIEW_CONFIG: BanditConfig = { messageCostMinor: 0, prior: { conversionAlpha: 1, conversionBeta: 19, netMarginMean: 0, netMarginKappa: 1, netMarginShape: 2, netMarginSd: 2000 } };

export async function offersPage(shopId: number) {
  const db = pool();
  const [offers, shop, bandits, choices, codes] = await Promise.all([
    db.query<{ id: string; name: string; definition: unknown }>(`select id::text, name, definition from offers where shop_id = $1 and archived_at is null order by id`, [shopId]),
    db.query<{ settings: unknown }>(`select settings from shops where id = $1`, [shopId]),
    db.query<{ segment_key: string; state: unknown }>(`select segment_key, state from bandit_states where shop_id = $1 order by segment_key`, [shopId]),
    db.query<{ chosen_at: Date; segment_key: string; node_id: string; method: string; offer_key: string | null; reason: unknown; customer_id: string }>(
      `select chosen_at, segment_key, node_id, method, offer_key, reason, customer_id::text from offer_choices where shop_id = $1 order by chosen_at desc, id desc limit 50`, [shopId]),
    db.query<{ status: string; n: number }>(`select status::text, count(*)::int as n from discount_codes where shop_id = $1 group by 1`, [shopId]),
  ]);
  const catalogue: Offer[] = offers.rows.flatMap((r) => { const p = offerSchema.safeParse(r.definition); return p.success ? [p.data] : []; });
  const settings = offerSettingsFrom(shop.rows[0]?.settings);
  const armOffers = (ids: string[]) => ids.map((id) => catalogue.find((o) => o.id === id) ?? ({ kind: "none", id } as Offer));
  const segments = bandits.rows.map((b) => {
    const parsed = banditStateSchema.safeParse(b.state);
    const state = parsed.success ? parsed.data : { arms: {} };
    const ids = Object.keys(state.arms);
    const wins: Record<string, number> = {};
    const rng = createRng(7);
    for (let i = 0; i < DRAWS && ids.length > 0; i++) {
      const c = chooseOffer(state, armOffers(ids), { allowedOfferIds: ids, maxPercent: 100, maxFixedAmountMinor: 1e12, allowFreeShipping: true }, VIEW_CONFIG, rng);
      if (c.ok) wins[c.value.offer.id] = (wins[c.value.offer.id] ?? 0) + 1;
    }
    const arms: ArmView[] = ids.map((id) => ({ offerId: id, pulls: state.arms[id].sends, conversions: state.arms[id].conversions, meanNetMargin: Math.round(state.arms[id].netMarginMean), probabilityBest: (wins[id] ?? 0) / DRAWS }));
    return { segmentKey: b.segment_key, arms };
  });
  return {
    offers: offers.rows.map((r) => ({ rowId: r.id, name: r.name, definition: r.definition as Offer })),
    settings,
    segments,
    choices: choices.rows.map((c) => ({ ...c, chosen_at: c.chosen_at.toISOString(), offer_key: c.offer_key ?? NO_OFFER_ID })),
    codes: Object.fromEntries(codes.rows.map((c) => [c.status, c.n])) as Record<string, number>,
  };
}

/** Adds an offer, or replaces the definition of the offer with the same id. */
export async function saveOffer(shopId: number, name: string, offer: Offer): Promise<void> {
  const db = pool();
  const u = await db.query(`update offers set name = $3, definition = $4 where shop_id = $1 and definition->>'id' = $2 and archived_at is null`, [shopId, offer.id, name, JSON.stringify(offer)]);
  if (!u.rowCount) await db.query(`insert into offers (shop_id, name, definition) values ($1, $2, $3)`, [shopId, name, JSON.stringify(offer)]);
}

/** Validates with the one settings schema and stores it under shops.settings.offers. */
export async function saveOfferSettings(shopId: number, input: unknown): Promise<Result<OfferSettings, string[]>> {
  const r = offerSettingsSchema.safeParse(input);
  if (!r.success) return err(r.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`));
  await pool().query(`update shops set settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{offers}', $2::jsonb) where id = $1`, [shopId, JSON.stringify(r.data)]);
  return ok(r.data);
}

/** Sets a product's unit cost by hand (stores without a cost field, e.g. WooCommerce). */
export async function saveProductCost(shopId: number, input: unknown): Promise<Result<ProductCost, string[]>> {
  const r = productCostSchema.safeParse(input);
  if (!r.success) return err(r.error.issues.map((i) => i.message));
  const u = await pool().query(`update products set unit_cost = $3 where shop_id = $1 and external_id = $2`, [shopId, r.data.productId, r.data.unitCostMinor]);
  if (!u.rowCount) return err([`no product ${r.data.productId} in this shop`]);
  return ok(r.data);
}
