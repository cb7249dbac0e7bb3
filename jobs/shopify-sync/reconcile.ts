// Nightly reconciliation with the store: webhooks can be lost (Shopify retries for 48 hours,
// then drops a subscription's deliveries), so once a night the shop's counts and recently
// updated records are compared with ours, and whatever differs is fetched again by id and
// written through the same path as webhooks (newer-wins). When the counts still disagree, the
// full id lists are compared: records we lack are fetched, customers the store no longer has
// are deleted as customers/delete would. What was repaired is recorded as an import run of
// kind 'reconcile' with a report.
import type pg from "pg";
import { ingestBatch } from "../../connectors/ingest/ingest";
import { withheldFields, type AdminGraphql, type ClientError, type GraphqlResponse } from "../../connectors/shopify/client";
import { operation } from "../../connectors/shopify/operations";
import { customerRecord, numericId, orderRecord, type CustomerNode, type LineItemNode, type OrderNode } from "../../connectors/shopify/translate";
import type { CustomerRecordInput, OrderRecordInput } from "../../core/ingest/schema";
import { ok, type Result } from "../../core/result";
import { applyCustomerDeleted } from "./sync-sql";

export interface ReconcileReport {
  since: string;
  store: { customers: number; orders: number };
  before: { customers: number; orders: number };
  after: { customers: number; orders: number };
  checked: { customers: number; orders: number };
  repaired: { customers: number; orders: number; customersDeleted: number };
  fullComparison: boolean;
}

export interface ReconcileOptions {
  client: AdminGraphql;
  pool: pg.Pool;
  shopId: number;
  now?: () => Date;
  /** Look at records updated since then; default: the last reconcile's start minus an hour, else 3 days. */
  since?: Date;
}

type Page = { nodes: { id: string; updatedAt: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function* listIds(client: AdminGraphql, kind: "customers" | "orders", query: string | null): AsyncGenerator<Result<Page["nodes"], ClientError>> {
  let after: string | null = null;
  for (;;) {
    const r: Result<GraphqlResponse<Record<string, Page>>, ClientError> = await client.request<Record<string, Page>>(
      operation(kind === "customers" ? "customers-updated-since" : "orders-updated-since"), { query, after });
    if (!r.ok) return yield r;
    const page: Page = r.value.data[kind];
    yield ok(page.nodes);
    if (!page.pageInfo.hasNextPage) return;
    after = page.pageInfo.endCursor;
  }
}

async function dbCounts(pool: pg.Pool, shopId: number) {
  const r = await pool.query<{ customers: number; orders: number }>(
    `select (select count(*)::int from customer_identities where shop_id = $1 and source = 'shopify' and external_id not like 'guest:%') as customers,
            (select count(*)::int from orders where shop_id = $1 and source = 'shopify') as orders`, [shopId]);
  return r.rows[0];
}

/** Which of these (id, updatedAt) the database lacks or holds older. */
async function stale(pool: pg.Pool, shopId: number, kind: "customers" | "orders", nodes: Page["nodes"]): Promise<string[]> {
  if (!nodes.length) return [];
  const table = kind === "customers" ? "customer_identities" : "orders";
  const r = await pool.query<{ id: string }>(
    `select x.id from unnest($2::text[], $3::timestamptz[]) as x(id, updated_at)
     left join ${table} t on t.shop_id = $1 and t.source = 'shopify' and t.external_id = x.id
     where t.external_id is null or t.source_updated_at is null or t.source_updated_at < x.updated_at`,
    [shopId, nodes.map((n) => numericId(n.id)!), nodes.map((n) => n.updatedAt)]);
  return r.rows.map((x) => x.id);
}

export async function reconcileShop(o: ReconcileOptions): Promise<Result<ReconcileReport, ClientError | { kind: "not-found"; what: string }>> {
  const now = o.now ?? (() => new Date());
  const { pool, shopId } = o;
  const last = await pool.query<{ started_at: Date }>(
    `select started_at from import_runs where shop_id = $1 and kind = 'reconcile' and status = 'succeeded' order by started_at desc limit 1`, [shopId]);
  const since = o.since ?? (last.rows[0] ? new Date(last.rows[0].started_at.getTime() - 3_600_000) : new Date(now().getTime() - 3 * 86_400_000));
  const run = await pool.query<{ id: string }>(
    `insert into import_runs (shop_id, source, kind, status, started_at) values ($1, 'shopify', 'reconcile', 'running', $2) returning id::text`,
    [shopId, now()]);
  const runId = run.rows[0].id;
  const finish = async (status: "succeeded" | "failed", report: unknown, error?: string) => {
    await pool.query(`update import_runs set status = $3, report = $4, error = $5, finished_at = $6, rows_read = $7, rows_written = $8 where shop_id = $1 and id = $2`,
      [shopId, runId, status, JSON.stringify(report), error ?? null, now(),
        (report as ReconcileReport | null)?.checked ? (report as ReconcileReport).checked.customers + (report as ReconcileReport).checked.orders : 0,
        (report as ReconcileReport | null)?.repaired ? (report as ReconcileReport).repaired.customers + (report as ReconcileReport).repaired.orders + (report as ReconcileReport).repaired.customersDeleted : 0]);
  };

  const r = await reconcileInto(o, since, now);
  if (!r.ok) await finish("failed", null, JSON.stringify(r.error));
  else await finish("succeeded", r.value);
  return r;
}

async function reconcileInto(o: ReconcileOptions, since: Date, now: () => Date): Promise<Result<ReconcileReport, ClientError | { kind: "not-found"; what: string }>> {
  const { pool, shopId, client } = o;
  const counts = await client.request<{ customersCount: { count: number }; ordersCount: { count: number } }>(operation("shop-counts"));
  if (!counts.ok) return counts;
  const storeCounts = { customers: counts.value.data.customersCount.count, orders: counts.value.data.ordersCount.count };
  const before = await dbCounts(pool, shopId);
  const info = await client.request<{ shop: { ianaTimezone: string } }>(operation("shop-info"));
  if (!info.ok) return info;
  const timezone = info.value.data.shop.ianaTimezone;
  const report: ReconcileReport = {
    since: since.toISOString(), store: storeCounts, before, after: before,
    checked: { customers: 0, orders: 0 }, repaired: { customers: 0, orders: 0, customersDeleted: 0 }, fullComparison: false,
  };

  /** Fetches these records again by id and writes them in one batch (newer-wins). */
  const refetch = async (kind: "customers" | "orders", ids: string[]): Promise<Result<void, ClientError | { kind: "not-found"; what: string }>> => {
    if (!ids.length) return ok(undefined);
    const customers: CustomerRecordInput[] = [];
    const orders: OrderRecordInput[] = [];
    for (const id of ids) {
      if (kind === "customers") {
        const c = await client.request<{ customer: CustomerNode | null }>(operation("customer-by-id"), { id: `gid://shopify/Customer/${id}` });
        if (!c.ok) return c;
        if (!c.value.data.customer) continue; // deleted since it was listed
        const withheld = withheldFields(c.value.errors);
        customers.push(customerRecord(c.value.data.customer, { email: !withheld.has("defaultEmailAddress"), phone: !withheld.has("defaultPhoneNumber") }));
      } else {
        const r = await client.request<{ order: (OrderNode & { lineItems: { nodes: LineItemNode[] } }) | null }>(operation("order-by-id"), { id: `gid://shopify/Order/${id}` });
        if (!r.ok) return r;
        const node = r.value.data.order;
        if (node) orders.push(orderRecord(node, node.lineItems.nodes, timezone));
      }
    }
    // The store has the customer again: a tombstone must not keep it out.
    if (customers.length) {
      await pool.query(`delete from deleted_identities where shop_id = $1 and source = 'shopify' and external_id = any($2::text[])`,
        [shopId, customers.map((c) => String(c.externalId))]);
    }
    const w = await ingestBatch(pool, shopId, { customers, orders }, { now: now(), actor: "shopify-reconcile" });
    report.repaired[kind] += (kind === "customers" ? customers.length : orders.length) - w.rejected.length;
    return ok(undefined);
  };

  // 1. Everything updated since the last run.
  const query = `updated_at:>='${since.toISOString()}'`;
  for (const kind of ["customers", "orders"] as const) {
    for await (const page of listIds(client, kind, query)) {
      if (!page.ok) return page;
      report.checked[kind] += page.value.length;
      const r = await refetch(kind, await stale(pool, shopId, kind, page.value));
      if (!r.ok) return r;
    }
  }

  // 2. Counts still apart: compare the full id lists.
  let now_ = await dbCounts(pool, shopId);
  if (now_.customers !== storeCounts.customers || now_.orders !== storeCounts.orders) {
    report.fullComparison = true;
    for (const kind of ["customers", "orders"] as const) {
      if (now_[kind] === storeCounts[kind]) continue;
      const seen: string[] = [];
      for await (const page of listIds(client, kind, null)) {
        if (!page.ok) return page;
        report.checked[kind] += page.value.length;
        seen.push(...page.value.map((n) => numericId(n.id)!));
        const r = await refetch(kind, await stale(pool, shopId, kind, page.value));
        if (!r.ok) return r;
      }
      if (kind === "customers") {
        const extra = await pool.query<{ external_id: string }>(
          `select external_id from customer_identities where shop_id = $1 and source = 'shopify' and external_id not like 'guest:%'
             and external_id <> all($2::text[])`, [shopId, seen]);
        for (const row of extra.rows) {
          await applyCustomerDeleted(pool, shopId, row.external_id, now());
          report.repaired.customersDeleted++;
        }
      }
    }
    now_ = await dbCounts(pool, shopId);
  }
  report.after = now_;
  return ok(report);
}

