// The Offers page's form, as plain strings, into the one offer schema (core/offers/schema.ts):
// the browser shows the same errors the action enforces. Money is typed in major units.
import { offerSchema, type Offer } from "./schema";

export interface OfferFormFields {
  id: string; kind: string; value: string; minimum: string; expiresInDays: string; scopeKind: string; scopeIds: string;
}

const minor = (s: string) => (s.trim() === "" ? 0 : Math.round(Number(s) * 100));
const ids = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

export function offerFromForm(f: OfferFormFields): { ok: true; value: Offer } | { ok: false; errors: Record<string, string> } {
  const scope = f.scopeKind === "products" ? { kind: "products", productIds: ids(f.scopeIds) }
    : f.scopeKind === "collections" ? { kind: "collections", collectionIds: ids(f.scopeIds) } : { kind: "all" };
  const terms = { id: f.id.trim(), minimumOrderMinor: minor(f.minimum), expiresInDays: Number(f.expiresInDays || 14), scope };
  const raw = f.kind === "percentage" ? { kind: "percentage", percent: Number(f.value), ...terms }
    : f.kind === "fixed_amount" ? { kind: "fixed_amount", amountMinor: minor(f.value), ...terms }
    : f.kind === "free_shipping" ? { kind: "free_shipping", ...terms }
    : { kind: f.kind, id: f.id.trim() };
  const r = offerSchema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const errors: Record<string, string> = {};
  for (const i of r.error.issues) {
    const key = String(i.path[0] ?? "form");
    const field = key === "percent" || key === "amountMinor" ? "value" : key === "minimumOrderMinor" ? "minimum" : key === "scope" ? "scopeIds" : key;
    errors[field] ??= i.message;
  }
  return { ok: false, errors };
}
