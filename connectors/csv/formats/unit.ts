// A unit is what one or more CSV rows become: one customer and/or one order, with its lines.
import type { CustomerRecordInput, OrderRecordInput } from "../../../core/ingest/schema";

export interface CsvUnit {
  /** File line numbers of the rows that made this unit. */
  lines: number[];
  customer?: CustomerRecordInput;
  order?: OrderRecordInput;
}

export interface FormatContext {
  /** Shop currency, for rows that do not say. */
  currency: string;
  /** Shop IANA zone, for times without an offset. */
  timezone: string;
}

export interface CsvFormat {
  /** Each inner list: one of these columns must be present. */
  required: string[][];
  /** Feed a row; returns the units completed so far (grouped formats complete on the next key). */
  push(line: number, v: Record<string, string>): CsvUnit[];
  /** End of input (or of a batch boundary being forced). */
  flush(): CsvUnit[];
  /** First line of a unit still being built, if any: the resume cursor must stay before it. */
  pendingFrom(): number | undefined;
}

/** First non-blank value among the column aliases. Exports prefix "'" to keep leading zeros. */
export function col(v: Record<string, string>, ...names: string[]): string | undefined {
  for (const n of names) {
    const x = v[n];
    if (x !== undefined && x.trim() !== "") return x.trim().replace(/^'/, "");
  }
  return undefined;
}

export function yesNoConsent(v: string | undefined) {
  if (v === undefined) return undefined;
  const s = v.toLowerCase();
  if (s === "yes" || s === "true") return { state: "subscribed" as const, source: "csv" };
  if (s === "no" || s === "false") return { state: "not_subscribed" as const, source: "csv" };
  return undefined;
}
