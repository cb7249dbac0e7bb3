// Reads the CDNOW purchase logs (../shared/data/cdnow, outside the repo) as transactions.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Transaction } from "../../../core/scoring/schema";

export const CDNOW_DIR = path.resolve(__dirname, "../../../../shared/data/cdnow");
export const CDNOW_SAMPLE = path.join(CDNOW_DIR, "CDNOW_sample.txt");
export const cdnowAvailable = existsSync(CDNOW_SAMPLE);

/** CDNOW_sample.txt: master id, sample id, YYYYMMDD, cds, dollars (no header). */
export function readCdnowSample(): Transaction[] {
  return readFileSync(CDNOW_SAMPLE, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((line) => {
      const [, id, d, , dollars] = line.trim().split(/\s+/);
      return { customerId: id, day: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, amount: Number(dollars) };
    });
}
