// Every job that works for a shop goes through here first: once the shop is uninstalled
// (its token is revoked) a job still in a queue does nothing and calls nothing.
import type pg from "pg";

export type ShopJobOutcome<T> = { ran: true; result: T } | { ran: false; reason: "shop uninstalled" | "shop unknown" };

export async function forActiveShop<T>(db: pg.Pool, shopId: number, work: () => Promise<T>): Promise<ShopJobOutcome<T>> {
  const r = await db.query<{ status: string }>(`select status from shops where id = $1`, [shopId]);
  const status = r.rows[0]?.status;
  if (!status) return { ran: false, reason: "shop unknown" };
  if (status !== "installed") return { ran: false, reason: "shop uninstalled" };
  return { ran: true, result: await work() };
}
