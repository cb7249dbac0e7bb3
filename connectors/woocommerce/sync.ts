// Pull a WooCommerce store into Winback: customers, then orders, page by page (100 each), each
// page one ingestion batch. Incremental with `since` (modified_after, GMT); returns the newest
// modification time seen, to store as the next run's `since`.
import type pg from "pg";
import type { Rejection } from "../../core/ingest/batch";
import { err, ok, type Result } from "../../core/result";
import { ingestBatch } from "../ingest/ingest";
import { toWooError, wooPages, type WooClient, type WooError } from "./client";
import { wooCustomerToRecord, wooOrderToRecord, type WooCustomer, type WooOrder } from "./translate";

export interface WooSyncReport {
  customers: number;
  orders: number;
  rejected: Rejection[];
  /** Newest date_modified_gmt seen (ISO, UTC), or the given `since` when nothing changed. */
  highWater?: string;
  /** Stopped by shouldStop before the end: highWater then only covers what was read. */
  stopped?: boolean;
}

export async function syncWoo(
  pool: pg.Pool,
  shopId: number,
  client: WooClient,
  opts: {
    now: Date;
    since?: string;
    onPage?: (kind: "customers" | "orders", page: number, totalPages: number, report: WooSyncReport) => void | Promise<void>;
    /** Asked after every page: true stops the sync there (report.stopped). */
    shouldStop?: () => Promise<boolean>;
  },
): Promise<Result<WooSyncReport, WooError>> {
  const params: Record<string, string> = opts.since ? { modified_after: opts.since.replace(/Z$/, ""), dates_are_gmt: "true" } : {};
  const report: WooSyncReport = { customers: 0, orders: 0, rejected: [], highWater: opts.since };
  const seen = (d?: string | null) => {
    if (d && (!report.highWater || `${d}Z` > report.highWater)) report.highWater = `${d}Z`;
  };
  try {
    for await (const page of wooPages<WooCustomer>(client, "customers", params)) {
      const r = await ingestBatch(pool, shopId, { customers: page.items.map(wooCustomerToRecord) }, { now: opts.now, actor: "woocommerce" });
      report.customers += page.items.length - r.rejected.length;
      report.rejected.push(...r.rejected);
      page.items.forEach((c) => seen(c.date_modified_gmt));
      await opts.onPage?.("customers", page.page, page.totalPages, report);
      if (opts.shouldStop && (await opts.shouldStop())) return ok({ ...report, stopped: true, highWater: opts.since });
    }
    for await (const page of wooPages<WooOrder>(client, "orders", params)) {
      const r = await ingestBatch(pool, shopId, { orders: page.items.map(wooOrderToRecord) }, { now: opts.now, actor: "woocommerce" });
      report.orders += page.items.length - r.rejected.length;
      report.rejected.push(...r.rejected);
      page.items.forEach((o) => seen(o.date_modified_gmt));
      await opts.onPage?.("orders", page.page, page.totalPages, report);
      if (opts.shouldStop && (await opts.shouldStop())) return ok({ ...report, stopped: true, highWater: opts.since });
    }
  } catch (e) {
    const we = toWooError(e);
    if (we.code === "network_error" && !(e as { response?: unknown }).response && !(e as { isAxiosError?: boolean }).isAxiosError) throw e;
    return err(we);
  }
  return ok(report);
}
