// Attribution for one shop, as set-based SQL (core/attribution/sql.ts): the full run credits
// every order of the shop from scratch; the incremental run credits the orders named, with the
// same SQL restricted to their ids, when an order arrives or changes (refunds, cancellation).
// Both leave `attributions` exactly as the full run would: at most one row per order, reversed
// (credited 0) once the order is cancelled or fully refunded.
import type pg from "pg";
import { attributionSettingsFrom, type AttributionSettings } from "../../core/attribution/schema";
import { persistCreditsSql, recoveredRevenueSql, type CreditScope } from "../../core/attribution/sql";

export interface AttributionRun {
  /** Orders in scope that earn a credit (active or reversed). */
  credited: number;
  /** Attribution rows written because something changed. */
  changed: number;
  /** Rows removed because their order no longer earns a credit. */
  removed: number;
}

export async function shopAttributionSettings(db: pg.Pool | pg.PoolClient, shopId: number): Promise<AttributionSettings | null> {
  const r = await db.query<{ settings: unknown }>(`select settings from shops where id = $1`, [shopId]);
  if (r.rowCount === 0) return null;
  return attributionSettingsFrom(r.rows[0].settings);
}

async function persist(db: pg.Pool, scope: CreditScope): Promise<AttributionRun> {
  const q = persistCreditsSql(scope);
  const r = await db.query<AttributionRun>(q.text, q.values);
  return r.rows[0];
}

/** Every order of the shop, from scratch. */
export async function attributeShop(db: pg.Pool, shopId: number): Promise<AttributionRun | null> {
  const settings = await shopAttributionSettings(db, shopId);
  if (!settings) return null;
  return persist(db, { shopId, windows: settings });
}

/** The named orders only (ids as decimal strings); same rules, same result as a full run. */
export async function attributeOrders(db: pg.Pool, shopId: number, orderIds: readonly string[]): Promise<AttributionRun | null> {
  if (orderIds.length === 0) return { credited: 0, changed: 0, removed: 0 };
  const settings = await shopAttributionSettings(db, shopId);
  if (!settings) return null;
  return persist(db, { shopId, windows: settings, orderIds });
}

export interface RevenueSummary {
  creditedOrders: number;
  creditedMinor: bigint;
  recoveredOrders: number;
  /** Credited revenue from customers at risk, dormant or lost when they entered the journey. */
  recoveredMinor: bigint;
}

export async function recoveredRevenue(db: pg.Pool, shopId: number, from: Date, to: Date): Promise<RevenueSummary> {
  const q = recoveredRevenueSql(shopId, from, to);
  const r = (await db.query(q.text, q.values)).rows[0];
  return {
    creditedOrders: r.credited_orders,
    creditedMinor: BigInt(r.credited_minor),
    recoveredOrders: r.recovered_orders,
    recoveredMinor: BigInt(r.recovered_minor),
  };
}
