// Money is integer minor units with its currency; this turns it into the merchant's text.
export function currencyExponent(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(minor: string | bigint | number, currency: string, locale = "en-US"): string {
  const exp = currencyExponent(currency);
  const value = Number(BigInt(minor)) / 10 ** exp;
  return new Intl.NumberFormat(locale, { style: "currency", currency, maximumFractionDigits: exp }).format(value);
}
