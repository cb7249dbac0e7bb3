// Bandit rewards from attribution: each order credited to a message that carried an offer
// choice (its code, a click or an open) adds the order's realised net margin to that segment's
// arm, exactly once per order (offer_rewards is keyed by order); a reversed credit (refund,
// cancellation) takes it back out. Margin per order line: the product's unit cost if known,
// else the best margin of the product's collections (Offers settings), else the shop's
// default margin rate; net margin = that margin minus the order's discounts.
import type pg from "pg";
import { withTransaction } from "../../app/db.server";
import { attributionSettingsFrom } from "../../core/attribution/schema";
import { recordConversion, reverseConversion } from "../../core/offers/arm-stats";
import { banditStateSchema, type BanditState } from "../../core/offers/schema";
import { offerSettingsFrom } from "../../core/offers/settings";

export interface RewardRun { rewarded: number; reversed: number }

const REWARD_SQL = `
with credited as (
  select a.order_id, c.id as choice_id, c.segment_key, c.offer_key
  from attributions a
  join offer_choices c on c.shop_id = a.shop_id and c.message_id = a.message_id
  where a.shop_id = $1 and a.status = 'active' and c.offer_key is not null
    and not exists (select 1 from offer_rewards r where r.shop_id = a.shop_id and r.order_id = a.order_id)
), lines as (
  select cr.order_id,
         sum(l.quantity * l.price - l.quantity * coalesce(p.unit_cost, round(l.price * (1 - coalesce(cm.rate, $2::numeric))))) as margin
  from credited cr
  join order_lines l on l.shop_id = $1 and l.order_id = cr.order_id
  left join lateral (select p.unit_cost, p.collections from products p where p.shop_id = $1 and p.external_id = l.product_id order by p.id limit 1) p on true
  left join lateral (select max(m.value::numeric) as rate from jsonb_each_text($3::jsonb) m where m.key = any(p.collections)) cm on true
  group by cr.order_id
)
insert into offer_rewards (shop_id, order_id, choice_id, segment_key, offer_key, net_margin, status, rewarded_at)
select $1, cr.order_id, cr.choice_id, cr.segment_key, cr.offer_key,
       round(coalesce(ln.margin, o.subtotal * $2::numeric) - o.discounts)::bigint, 'active', $4
from credited cr
join orders o on o.shop_id = $1 and o.id = cr.order_id
left join lines ln on ln.order_id = cr.order_id
on conflict do nothing
returning segment_key, offer_key, net_margin::text`;

const REVERSE_SQL = `
update offer_rewards r set status = 'reversed', rewarded_at = $2
where r.shop_id = $1 and r.status = 'active'
  and not exists (select 1 from attributions a where a.shop_id = r.shop_id and a.order_id = r.order_id and a.status = 'active')
returning segment_key, offer_key, net_margin::text`;

type Row = { segment_key: string; offer_key: string; net_margin: string };

export async function rewardOffers(db: pg.Pool, shopId: number, now: Date): Promise<RewardRun> {
  return withTransaction(db, async (client) => {
    const s = (await client.query<{ settings: unknown }>(`select settings from shops where id = $1`, [shopId])).rows[0];
    if (!s) return { rewarded: 0, reversed: 0 };
    const rate = attributionSettingsFrom(s.settings).marginRate;
    const collections = offerSettingsFrom(s.settings).collectionMargins;
    const added = (await client.query<Row>(REWARD_SQL, [shopId, rate, JSON.stringify(collections), now])).rows;
    const removed = (await client.query<Row>(REVERSE_SQL, [shopId, now])).rows;
    const segments = new Set([...added, ...removed].map((r) => r.segment_key));
    for (const key of segments) {
      const row = (await client.query<{ state: unknown }>(`select state from bandit_states where shop_id = $1 and segment_key = $2 for update`, [shopId, key])).rows[0];
      const parsed = banditStateSchema.safeParse(row?.state);
      let state: BanditState = parsed.success ? parsed.data : { arms: {} };
      for (const r of added) if (r.segment_key === key) state = recordConversion(state, r.offer_key, Number(r.net_margin));
      for (const r of removed) if (r.segment_key === key) state = reverseConversion(state, r.offer_key, Number(r.net_margin));
      await client.query(
        `insert into bandit_states (shop_id, segment_key, state) values ($1, $2, $3) on conflict (shop_id, segment_key) do update set state = excluded.state`,
        [shopId, key, JSON.stringify(state)]);
    }
    return { rewarded: added.length, reversed: removed.length };
  });
}
