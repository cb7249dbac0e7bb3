// Scoring writes and erasure of a shop exclude each other. customer_scores and events have no
// foreign key to customers (the checks were a third of the nightly job's first-run writing),
// so nothing else stops a scoring run that staged a customer before a customers/redact or
// shop/redact from writing their scores, history or stage events after the erasure committed.
// Scoring holds the shop's lock shared for its whole transaction (from before it reads the
// orders); erasure takes it exclusively as its first statement, so it waits for running
// scoring to commit and then deletes what it wrote, and scoring that starts meanwhile waits
// and then no longer finds the erased customers (their orders no longer name them).
import type pg from "pg";

const KEY = `hashtextextended('scores-erasure:' || $1::text, 0)`;

/** Held by a scoring transaction (nightly job, single-customer rescoring) until it ends. */
export async function holdShopAgainstErasure(client: pg.PoolClient, shopId: number): Promise<void> {
  await client.query(`select pg_advisory_xact_lock_shared(${KEY})`, [shopId]);
}

/** Taken by an erasure transaction first: waits for running scoring of the shop to commit. */
export async function lockShopForErasure(client: pg.PoolClient, shopId: number): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(${KEY})`, [shopId]);
}
