// Phones to E.164 using the customer's country for national-format numbers.
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { err, ok, type Result } from "../result";

export function toE164(raw: string, country?: string): Result<string> {
  const text = raw.trim().replace(/^'/, ""); // spreadsheet exports prefix "'" to keep the +
  const cc = country && /^[A-Z]{2}$/i.test(country) ? (country.toUpperCase() as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(text, cc ? { defaultCountry: cc } : undefined);
  if (!parsed || !parsed.isPossible()) return err(`not a possible phone number "${raw}"`);
  return ok(parsed.number);
}
