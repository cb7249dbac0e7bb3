// `winback models fit`: fit BG/NBD + Gamma-Gamma on a transactions CSV and write per-customer
// predictions. Same-day purchases are one transaction; dates after --calibration-end ignored.
// A month is 365.25/12 days; --discount-rate is an annual rate (0.1 = 10% a year).
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { expectedPurchases, fitBgnbd, pAlive } from "../../core/scoring/bgnbd";
import { discountedExpectedPurchases } from "../../core/scoring/clv";
import { conditionalExpectedSpend, fitGammaGamma } from "../../core/scoring/gamma-gamma";
import { PERIOD_DAYS, periodSchema, type Transaction } from "../../core/scoring/schema";
import { dayNumber, summariseTransactions } from "../../core/scoring/summary";
import { err, ok, type Result } from "../../core/result";

const USAGE =
  "usage: winback models fit --transactions FILE.csv --calibration-end YYYY-MM-DD --period day|week|month " +
  "--predictions OUT.csv --horizon H [--discount-rate R]\n";

const REQUIRED_COLUMNS = ["customer_id", "date", "amount"] as const;

function splitCsvLine(line: string): string[] {
  // Enough CSV for id,date,amount: commas separate, double quotes may wrap a field.
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (current += '"'), i++;
      else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") fields.push(current), (current = "");
    else current += ch;
  }
  fields.push(current);
  return fields.map((f) => f.trim());
}

/** Parse the CSV text; errors name the file and the 1-based line. */
export function parseTransactionsCsv(text: string, file: string): Result<Transaction[]> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines.every((l) => l.trim() === "")) return err(`${file}:1: empty file (expected a header customer_id,date,amount)`);
  const header = splitCsvLine(lines[0]).map((h) => h.toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return err(`${file}:1: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} in header "${lines[0]}"`);
  const [idCol, dateCol, amountCol] = REQUIRED_COLUMNS.map((c) => header.indexOf(c));
  const out: Transaction[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const where = `${file}:${i + 1}`;
    const f = splitCsvLine(lines[i]);
    if (f.length < header.length) return err(`${where}: expected ${header.length} columns, found ${f.length}`);
    const customerId = f[idCol];
    if (!customerId) return err(`${where}: empty customer_id`);
    if (dayNumber(f[dateCol]) === null) return err(`${where}: unparseable date "${f[dateCol]}" (expected YYYY-MM-DD)`);
    const amount = f[amountCol] === "" ? NaN : Number(f[amountCol]);
    if (!Number.isFinite(amount)) return err(`${where}: unparseable amount "${f[amountCol]}"`);
    out.push({ customerId, day: f[dateCol], amount });
  }
  if (out.length === 0) return err(`${file}:2: no transactions after the header`);
  return ok(out);
}

interface Options {
  transactions: string;
  calibrationEnd: string;
  periodDays: number;
  predictions: string;
  horizon: number;
  discountRate: number;
}

function parseOptions(args: string[]): Result<Options> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        transactions: { type: "string" },
        "calibration-end": { type: "string" },
        period: { type: "string" },
        predictions: { type: "string" },
        horizon: { type: "string" },
        "discount-rate": { type: "string" },
      },
    }) as { values: Record<string, string | undefined> });
  } catch (e) {
    return err((e as Error).message);
  }
  for (const name of ["transactions", "calibration-end", "period", "predictions", "horizon"]) {
    if (!values[name]) return err(`missing --${name}`);
  }
  const period = periodSchema.safeParse(values.period);
  if (!period.success) return err(`--period must be day, week or month, got "${values.period}"`);
  if (dayNumber(values["calibration-end"]!) === null) return err(`--calibration-end must be YYYY-MM-DD, got "${values["calibration-end"]}"`);
  const horizon = Number(values.horizon);
  if (!(horizon > 0)) return err(`--horizon must be a positive number of periods, got "${values.horizon}"`);
  const discountRate = values["discount-rate"] === undefined ? 0 : Number(values["discount-rate"]);
  if (!(discountRate >= 0)) return err(`--discount-rate must be a non-negative annual rate, got "${values["discount-rate"]}"`);
  return ok({
    transactions: values.transactions!,
    calibrationEnd: values["calibration-end"]!,
    periodDays: PERIOD_DAYS[period.data],
    predictions: values.predictions!,
    horizon,
    discountRate,
  });
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function run(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (!options.ok) {
    process.stderr.write(`${options.error}\n${USAGE}`);
    return 2;
  }
  const o = options.value;
  let text: string;
  try {
    text = await readFile(o.transactions, "utf8");
  } catch (e) {
    process.stderr.write(`cannot read ${o.transactions}: ${(e as Error).message}\n`);
    return 1;
  }
  const transactions = parseTransactionsCsv(text, o.transactions);
  if (!transactions.ok) {
    process.stderr.write(`${transactions.error}\n`);
    return 1;
  }
  const summaries = summariseTransactions(transactions.value, o.calibrationEnd, o.periodDays);
  if (!summaries.ok) {
    process.stderr.write(`${summaries.error}\n`);
    return 1;
  }
  const customers = summaries.value;
  if (customers.length === 0) {
    process.stderr.write(`${o.transactions}: no transactions on or before ${o.calibrationEnd}\n`);
    return 1;
  }
  const bg = fitBgnbd(customers);
  const gg = fitGammaGamma(customers);
  if (!gg) {
    process.stderr.write("no customer has a repeat purchase with positive spend: Gamma-Gamma cannot be fitted\n");
    return 1;
  }
  const rows = ["customer_id,frequency,recency,T,monetary,p_alive,expected_purchases,expected_spend,clv"];
  for (const c of customers) {
    const purchases = expectedPurchases(bg.params, c, o.horizon);
    const spend = conditionalExpectedSpend(gg.params, c);
    const clvPurchases = o.discountRate > 0 ? discountedExpectedPurchases(bg.params, c, o.horizon, o.periodDays, o.discountRate) : purchases;
    rows.push(
      [csvField(c.customerId), c.frequency, c.recency, c.T, c.monetary, pAlive(bg.params, c), purchases, spend, clvPurchases * spend].join(","),
    );
  }
  await writeFile(o.predictions, rows.join("\n") + "\n");
  const { r, alpha, a, b } = bg.params;
  process.stdout.write(
    JSON.stringify({ customers: customers.length, bgnbd: { r, alpha, a, b, logLikelihood: bg.logLikelihood }, gammaGamma: gg.params }) + "\n",
  );
  if (!bg.converged || !gg.converged) process.stderr.write("warning: the optimiser stopped before converging; figures may be rough\n");
  return 0;
}
