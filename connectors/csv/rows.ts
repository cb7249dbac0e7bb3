// Stream CSV rows with their line numbers. Malformed rows (bad quoting, wrong column count)
// come out as errors, never stop the stream.
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { decodeStream, type TextEncodingName } from "./decode";
import { detectDelimiter, type Delimiter } from "./delimiter";

export type CsvRow =
  | { kind: "row"; line: number; values: Record<string, string> }
  | { kind: "error"; line: number; message: string };

export interface CsvInfo {
  encoding: TextEncodingName;
  delimiter: Delimiter;
  header: string[];
}

export async function* readCsvRows(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  onInfo?: (info: CsvInfo) => void,
): AsyncGenerator<CsvRow> {
  let encoding: TextEncodingName = "utf8";
  const text = decodeStream(source, (e) => (encoding = e));
  const first = await text.next();
  if (first.done) return;
  const delimiter = detectDelimiter(first.value);
  async function* all() {
    yield first.value as string;
    yield* text;
  }
  const parser = Readable.from(all()).pipe(
    // relax_quotes: a stray quote inside an unquoted field (5" screen) is text, not an error.
    parse({ delimiter, info: true, skip_records_with_error: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }),
  );
  // Errors are queued as they are skipped and come out in line order with the records.
  // `records` is how many records the parser had produced when it skipped this one.
  const skipped: { records: number; line: number; message: string }[] = [];
  const state = (parser as unknown as { info: { records: number } }).info;
  parser.on("skip", (e: Error & { lines?: number }) => {
    skipped.push({ records: state.records, line: e.lines ?? 0, message: e.message.replace(/ at line \d+/, "") });
  });
  let consumed = 0;
  const skippedBefore = function* (): Generator<CsvRow> {
    while (skipped.length && skipped[0].records <= consumed) {
      const s = skipped.shift()!;
      const from = lastLine + 1;
      // An unclosed quote swallows the rows up to the next quote: say which.
      const span = s.line > from ? ` (lines ${from}-${s.line} unreadable)` : "";
      yield { kind: "error", line: from, message: s.message + span };
      lastLine = Math.max(lastLine, s.line);
    }
  };
  let header: string[] | undefined;
  let lastLine = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skippedBefore();
    consumed++;
    const line = lastLine + 1;
    lastLine = info.lines;
    if (!header) {
      header = record.map((h) => h.trim());
      onInfo?.({ encoding, delimiter, header });
      continue;
    }
    if (record.length !== header.length) {
      yield { kind: "error", line, message: `expected ${header.length} columns, got ${record.length}` };
      continue;
    }
    const values: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) values[header[i]] = record[i];
    yield { kind: "row", line, values };
  }
  consumed = Infinity;
  yield* skippedBefore();
}
