// The customer's advisory transaction lock (`cust:<shop>:<customer>`): entries, steps and send
// decisions hold it while they read and write, and every consent change takes it before it
// writes. No other imports, so the ingest path can take it without loading the engine.
import type pg from "pg";

/** Every customer's transaction lock, in one consistent order (ascending key, so two holders never deadlock). */
export async function lockCustomers(client: pg.PoolClient, shopId: number, customers: readonly string[]): Promise<void> {
  await client.query(
    `select pg_advisory_xact_lock(k) from (
       select distinct hashtextextended('cust:' || $1::text || ':' || c, 0) as k from unnest($2::text[]) as c order by 1) l`,
    [shopId, [...new Set(customers)]]);
}
