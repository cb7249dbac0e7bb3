// Exact decimal → minor units. No floats: the digits are shifted as text.
import { err, ok, type Result } from "../result";

// ISO 4217 exponents that differ from 2; everything else has two decimals.
const ZERO = new Set(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"]);
const THREE = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

// An import's amounts are nearly all in one currency: the last answer is kept.
let lastCurrency = "";
let lastExponent = 2;

export function currencyExponent(currency: string): number {
  if (currency === lastCurrency) return lastExponent;
  const c = currency.toUpperCase();
  const exp = ZERO.has(c) ? 0 : THREE.has(c) ? 3 : 2;
  lastCurrency = currency;
  lastExponent = exp;
  return exp;
}

/** "12.30", "-0.50": what stores send for a two-decimal currency, read without the general path. */
const TWO_DECIMALS = /^(-?)(\d+)\.(\d\d)$/;

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * A money amount in major units ("12.30", "1,234.50", 12.3) to integer minor units.
 * A bigint is taken as minor units already. More decimals than the currency has is an
 * error unless they are zeros: rounding money silently hides bad data.
 */
export function toMinorUnits(input: string | number | bigint, currency: string): Result<bigint> {
  if (typeof input === "bigint") return ok(input);
  if (typeof input === "string") {
    const quick = TWO_DECIMALS.exec(input);
    if (quick && currencyExponent(currency) === 2) {
      const minor = BigInt(quick[2] + quick[3]);
      return ok(quick[1] === "-" ? -minor : minor);
    }
  }
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return err("not a finite number");
    // The shortest text that round-trips the double ("12.3"), then exact digit shifting.
    text = String(input);
    if (text.includes("e")) return err(`amount out of range: ${text}`);
  } else {
    text = input.trim().replace(/,/g, "").replace(/^\$/, "");
  }
  if (text === "") return err("empty amount");
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return err(`not a decimal amount: "${String(input)}"`);
  const exp = currencyExponent(currency);
  const whole = m[2] || "0";
  let frac = m[3] ?? "";
  if (frac.length > exp) {
    if (!/^0*$/.test(frac.slice(exp))) return err(`more than ${exp} decimals for ${currency}: "${String(input)}"`);
    frac = frac.slice(0, exp);
  }
  const minor = BigInt(whole + frac.padEnd(exp, "0"));
  return ok(m[1] === "-" ? -minor : minor);
}
