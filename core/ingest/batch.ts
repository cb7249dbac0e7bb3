// Validate a batch record by record. Policy: an invalid record is rejected alone and reported
// (kind, index, external id, field issues); the rest of the batch is still written. A bad row
// in a 200k-row import must not cost the other 199,999.
import type { z } from "zod";
import {
  CustomerRecordSchema, OrderRecordSchema, ProductRecordSchema, parseCustomerFast, parseOrderFast,
  type CustomerRecord, type OrderRecord, type ProductRecord,
} from "./schema";

export type RecordKind = "customer" | "order" | "product";

export interface FieldIssue {
  /** Dotted path of the field, e.g. "email" or "lines.2.price". */
  field: string;
  message: string;
}

export interface Rejection {
  kind: RecordKind;
  /** Position in the batch's array of that kind. */
  index: number;
  externalId?: string;
  issues: FieldIssue[];
}

export interface RawBatch {
  customers?: readonly unknown[];
  orders?: readonly unknown[];
  products?: readonly unknown[];
}

export interface ValidBatch {
  customers: CustomerRecord[];
  orders: OrderRecord[];
  products: ProductRecord[];
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join(".") || "(record)", message: i.message }));
}

function externalIdOf(raw: unknown): string | undefined {
  const v = raw && typeof raw === "object" ? (raw as { externalId?: unknown }).externalId : undefined;
  return typeof v === "string" || typeof v === "number" || typeof v === "bigint" ? String(v) : undefined;
}

function each<T>(
  kind: RecordKind, schema: z.ZodType<T>, raws: readonly unknown[] | undefined, out: T[], rejected: Rejection[],
  fast?: (raw: unknown) => T | undefined,
) {
  if (!raws) return;
  for (let i = 0; i < raws.length; i++) {
    // The fast path gives the schema's output for a valid record; anything else asks zod.
    const quick = fast?.(raws[i]);
    if (quick !== undefined) {
      out.push(quick);
      continue;
    }
    const r = schema.safeParse(raws[i]);
    if (r.success) out.push(r.data);
    else rejected.push({ kind, index: i, externalId: externalIdOf(raws[i]), issues: issuesOf(r.error) });
  }
}

export function validateBatch(raw: RawBatch): { batch: ValidBatch; rejected: Rejection[] } {
  const batch: ValidBatch = { customers: [], orders: [], products: [] };
  const rejected: Rejection[] = [];
  each("customer", CustomerRecordSchema, raw.customers, batch.customers, rejected, parseCustomerFast);
  each("order", OrderRecordSchema, raw.orders, batch.orders, rejected, parseOrderFast);
  each("product", ProductRecordSchema, raw.products, batch.products, rejected);
  return { batch, rejected };
}
