// COPY text-format encoding and streaming: the bulk path into staging tables.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

export type Cell = string | number | bigint | boolean | Date | readonly string[] | null | undefined;

const SPECIAL = /[\\\t\n\r]/;
const ESC: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function text(v: string): string {
  return SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESC[c]) : v;
}

/** A PostgreSQL array literal of text items, every item quoted. */
function arrayLiteral(items: readonly string[]): string {
  let out = "{";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ",";
    out += '"' + items[i].replace(/[\\"]/g, "\\$&") + '"';
  }
  return out + "}";
}

export function cell(v: Cell): string {
  if (v == null) return "\\N";
  if (typeof v === "string") return text(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return text(arrayLiteral(v));
  if (typeof v === "boolean") return v ? "t" : "f";
  return String(v);
}

/**
 * COPY rows into `table (columns)`. Rows are encoded lazily and sent in ~256 KB chunks, so
 * the whole batch is never one string in memory.
 */
export async function copyRows<T>(
  client: pg.PoolClient | pg.Client,
  table: string,
  columns: readonly string[],
  items: Iterable<T>,
  toRow: (item: T) => Cell[],
): Promise<void> {
  async function* chunks() {
    let buf = "";
    for (const item of items) {
      const row = toRow(item);
      let line = "";
      for (let i = 0; i < row.length; i++) line += (i ? "\t" : "") + cell(row[i]);
      buf += line + "\n";
      if (buf.length >= 262_144) {
        yield buf;
        buf = "";
      }
    }
    if (buf) yield buf;
  }
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(", ")}) from stdin`));
  await pipeline(Readable.from(chunks()), stream);
}
