// What the journey editor's pickers list, from the shop itself: its offers (and the offer
// sets and ladders an offer node may name), its messages by channel, and its segments (for
// triggers, exclusions and conditions). Every query is per shop.
import type pg from "pg";
import { offerSchema } from "../../core/offers/schema";
import { AUTO_OFFER, NO_OFFER_ID, offerSettingsFrom } from "../../core/offers/settings";
import type { EditorChoices } from "../components/journeys/editor-choices";

export async function journeyEditorChoices(db: pg.Pool, shopId: number): Promise<EditorChoices> {
  const [offers, shop, contents, segments] = await Promise.all([
    db.query<{ name: string; definition: unknown }>(`select name, definition from offers where shop_id = $1 and archived_at is null order by name, id`, [shopId]),
    db.query<{ settings: unknown }>(`select settings from shops where id = $1`, [shopId]),
    // The newest version of each message: a send names it by template key (follows the
    // newest) when it has one, else by row id.
    db.query<{ id: string; name: string; version: number; channel: string; template_key: string | null }>(
      `select distinct on (name) id::text, name, version, channel::text as channel, template_key
         from message_contents where shop_id = $1 and archived_at is null order by name, version desc`, [shopId]),
    db.query<{ id: string; name: string }>(`select id::text, name from segments where shop_id = $1 and archived_at is null order by name, id`, [shopId]),
  ]);
  const settings = offerSettingsFrom(shop.rows[0]?.settings);
  const offerOptions: EditorChoices["offers"] = [
    { value: AUTO_OFFER, label: "Let Winback choose (any allowed offer)" },
    { value: NO_OFFER_ID, label: "No incentive" },
  ];
  for (const r of offers.rows) {
    const p = offerSchema.safeParse(r.definition);
    if (p.success && !offerOptions.some((o) => o.value === p.data.id)) offerOptions.push({ value: p.data.id, label: `${r.name} (${p.data.id})` });
  }
  for (const key of Object.keys(settings.sets)) offerOptions.push({ value: key, label: `Offer set: ${key}` });
  for (const l of settings.ladders) offerOptions.push({ value: l.id, label: `Ladder: ${l.id}`, ladder: true });
  return {
    offers: offerOptions,
    contents: contents.rows.map((c) => ({ value: c.template_key ?? c.id, label: `${c.name} (v${c.version})`, channel: c.channel })),
    segments: segments.rows.map((s) => ({ value: s.id, label: s.name })),
  };
}
