// Nightly: each installed shop's open message-variant tests adopt their winner once it is
// significant (app/models/content-variants.server.ts decides and records it). A shop that
// fails is logged and the next one goes on.
import type pg from "pg";
import type { Logger } from "pino";
import { adoptSignificantVariants } from "../../app/models/content-variants.server";
import { forActiveShop } from "../shop-guard";

export async function adoptVariantsForInstalledShops(
  db: pg.Pool, now: Date, logger?: Pick<Logger, "warn">,
): Promise<{ shops: number; adopted: { shopId: number; contentId: string; winner: string }[]; failed: number }> {
  const shops = await db.query<{ id: number }>(`select id from shops where status = 'installed' order by id`);
  const out = { shops: shops.rowCount ?? 0, adopted: [] as { shopId: number; contentId: string; winner: string }[], failed: 0 };
  for (const { id } of shops.rows) {
    try {
      const r = await forActiveShop(db, id, () => adoptSignificantVariants(db, id, now));
      if (r.ran) out.adopted.push(...r.result.map((a) => ({ shopId: id, ...a })));
    } catch (e) {
      out.failed++;
      logger?.warn({ shopId: id, error: (e as Error).message }, "variant adoption failed for a shop");
    }
  }
  return out;
}
