import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../scripts/commands/models-fit";
import { cdnowAvailable, readCdnowSample } from "../core/scoring/cdnow";

const dir = mkdtempSync(path.join(os.tmpdir(), "winback-models-fit-"));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const args = (transactions: string, extra: string[] = []) => [
  "--transactions", transactions, "--calibration-end", "2024-06-30", "--period", "week",
  "--predictions", path.join(dir, "out.csv"), "--horizon", "26", ...extra,
];

let stderr = "";
let stdout = "";
beforeEach(() => {
  stderr = stdout = "";
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe("winback models fit: bad input", () => {
  it.each([
    ["empty.csv", "", /empty\.csv:1: empty file/],
    ["blank.csv", "\n\n", /blank\.csv:1: empty file/],
    ["header-only.csv", "customer_id,date,amount\n", /header-only\.csv:2: no transactions/],
    ["no-amount.csv", "customer_id,date\n1,2024-01-01\n", /:1: missing column amount/],
    ["bad-date.csv", "customer_id,date,amount\n1,2024-01-01,5\n2,01/02/2024,5\n", /bad-date\.csv:3: unparseable date "01\/02\/2024"/],
    ["bad-day.csv", "customer_id,date,amount\n1,2024-02-30,5\n", /:2: unparseable date "2024-02-30"/],
    ["bad-amount.csv", "customer_id,date,amount\n1,2024-01-01,5\n1,2024-01-02,\n1,2024-01-03,abc\n", /bad-amount\.csv:3: unparseable amount ""/],
    ["short.csv", "customer_id,date,amount\n1,2024-01-01\n", /:2: expected 3 columns/],
  ])("%s exits non-zero naming the problem", async (name, text, message) => {
    expect(await run(args(file(name, text)))).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stdout).toBe("");
  });
  it.each([
    [["--period", "fortnight"], /--period must be day, week or month/],
    [["--horizon", "0"], /--horizon must be a positive/],
    [["--discount-rate", "x"], /--discount-rate/],
  ])("rejects option %o", async (extra, message) => {
    const ok = file("ok.csv", "customer_id,date,amount\n1,2024-01-01,5\n");
    expect(await run([...args(ok), ...extra])).toBe(2);
    expect(stderr).toMatch(message);
  });
  it("rejects a missing option", async () => {
    expect(await run(["--transactions", "x.csv"])).toBe(2);
    expect(stderr).toMatch(/missing --calibration-end/);
  });
});

describe.skipIf(!cdnowAvailable)("winback models fit on CDNOW", () => {
  it("reproduces the published fits and writes consistent predictions", async () => {
    const csv = ["customer_id,date,amount", ...readCdnowSample().map((t) => `${t.customerId},${t.day},${t.amount}`)].join("\n");
    const predictions = path.join(dir, "cdnow-out.csv");
    const code = await run([
      "--transactions", file("cdnow.csv", csv), "--calibration-end", "1997-09-30", "--period", "week",
      "--predictions", predictions, "--horizon", "39",
    ]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.customers).toBe(2357);
    expect(out.bgnbd.r).toBeCloseTo(0.243, 2);
    expect(out.bgnbd.alpha).toBeCloseTo(4.414, 1);
    expect(out.bgnbd.a).toBeCloseTo(0.793, 2);
    expect(out.bgnbd.b).toBeCloseTo(2.426, 1);
    expect(out.bgnbd.logLikelihood).toBeCloseTo(-9582.4, 0);
    expect(out.gammaGamma.p).toBeCloseTo(6.25, 1);
    expect(out.gammaGamma.q).toBeCloseTo(3.74, 1);
    expect(out.gammaGamma.gamma).toBeCloseTo(15.44, 0);

    const lines = readFileSync(predictions, "utf8").trim().split("\n");
    expect(lines[0]).toBe("customer_id,frequency,recency,T,monetary,p_alive,expected_purchases,expected_spend,clv");
    expect(lines).toHaveLength(2358);
    for (const line of lines.slice(1)) {
      const [, x, tx, T, m, pa, ep, es, clv] = line.split(",").map(Number);
      expect(tx).toBeLessThanOrEqual(T);
      expect(pa).toBeGreaterThan(0);
      expect(pa).toBeLessThanOrEqual(1);
      if (x === 0) expect(m).toBe(0);
      expect(clv).toBeCloseTo(ep * es, 6);
    }
  });
});

describe("winback models fit through the bin", () => {
  it("runs as a process and exits non-zero with the message on bad input", async () => {
    const node = path.resolve("node_modules/.bin/node");
    const bad = file("proc-bad.csv", "customer_id,date,amount\n1,2024-01-01,five\n");
    const result = await promisify(execFile)(node, ["scripts/winback.mjs", "models", "fit", ...args(bad)]).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/proc-bad\.csv:2: unparseable amount "five"/);
  });
});
