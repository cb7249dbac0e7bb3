// update_customer: tags and custom properties written in the step's transaction, each as one
// statement so concurrent steps for the same customer merge instead of overwriting. A null
// property value removes the key. The property `birthday` (YYYY-MM-DD) also sets the
// customer's birthday date, which the birthday trigger reads.
import type pg from "pg";
import type { Effect } from "../../../core/journeys/enrollment";

type UpdateCustomer = Extract<Effect, { kind: "update_customer" }>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date, or null (so "2026-02-30" is not stored as March 2nd). */
export function parseBirthday(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = ISO_DATE.exec(value.trim());
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? m[0] : null;
}

export async function applyUpdateCustomer(client: pg.PoolClient, shopId: number, customerId: string, e: UpdateCustomer): Promise<void> {
  if (e.addTags.length > 0 || e.removeTags.length > 0) {
    await client.query(
      `update customers set tags = array(select distinct t from unnest(tags || $3::text[]) t where t <> all($4::text[]) order by t)
       where shop_id = $1 and id = $2`, [shopId, customerId, e.addTags, e.removeTags],
    );
  }
  const keys = Object.keys(e.properties);
  if (keys.length === 0) return;
  const set = Object.fromEntries(Object.entries(e.properties).filter(([, v]) => v !== null));
  const removed = keys.filter((k) => e.properties[k] === null);
  const hasBirthday = "birthday" in e.properties;
  const birthday = e.properties.birthday === null ? null : parseBirthday(e.properties.birthday);
  // An unparseable birthday is kept as a property but leaves the date column alone.
  const touchBirthday = hasBirthday && (e.properties.birthday === null || birthday !== null);
  await client.query(
    `update customers set properties = (properties || $3::jsonb) - $4::text[],
            birthday = case when $5 then $6::date else birthday end, updated_at = now()
     where shop_id = $1 and id = $2`,
    [shopId, customerId, JSON.stringify(set), removed, touchBirthday, birthday],
  );
}
