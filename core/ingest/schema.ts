// Source-neutral records every connector (Shopify, WooCommerce, CSV) hands to ingestion.
// Each schema takes raw-ish input and yields a normalised record:
// - emails trimmed and lower-cased; phones E.164 (national numbers read in the customer's country)
// - money exact in integer minor units (bigint) by the currency's exponent; input is a decimal
//   string in major units ("12.30"), a JS number in major units (12.3), or a bigint already in
//   minor units
// - times UTC `Date`s; the zone the source gave is kept (order.sourceTimezone). A time without
//   an offset is read in the record's IANA zone (order.sourceTimezone / customer.timezone) and is
//   an error when there is none.
// Issues carry the field path, e.g. ["lines", 2, "price"] or ["email"].
//
// Speed: this runs once per record on the ingestion hot path, so fields are checked with plain
// predicates (z.custom) and normalised in one transform per record, rather than with chains of
// per-field unions and pipes (~10x slower in zod 4).
import { z } from "zod";
import { toMinorUnits } from "./money";
import { toE164 } from "./phone";
import { parseInstant, type Instant } from "./time";

export const SourceSchema = z.enum(["shopify", "woocommerce", "csv"]);
export type Source = z.infer<typeof SourceSchema>;

export const ConsentStateSchema = z.preprocess(
  (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
  z.enum(["subscribed", "unsubscribed", "pending", "not_subscribed", "unknown"]),
);
export type ConsentState = z.infer<typeof ConsentStateSchema>;

type Id = string | number | bigint;
type Money = string | number | bigint;
type Time = string | Date;

const isId = (v: unknown): v is Id =>
  (typeof v === "string" && v.trim() !== "") || (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
const isMoney = (v: unknown): v is Money => typeof v === "string" || typeof v === "number" || typeof v === "bigint";
// The field checks as plain predicates: the zod schemas below are built from them, and the fast
// path (parseCustomerRecord, parseOrderRecord) runs the very same ones without zod.
const P = {
  id: isId,
  optId: (v: unknown) => v == null || isId(v),
  optText: (v: unknown) => v == null || typeof v === "string",
  time: (v: unknown) => typeof v === "string" || v instanceof Date,
  optTime: (v: unknown) => v == null || typeof v === "string" || v instanceof Date,
  money: isMoney,
  optMoney: (v: unknown) => v == null || isMoney(v),
  optList: (v: unknown) => v == null || typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")),
  optBool: (v: unknown) => v === undefined || typeof v === "boolean",
  currency: (v: unknown) => typeof v === "string" && /^\s*[A-Za-z]{3}\s*$/.test(v),
  title: (v: unknown) => typeof v === "string" && v.trim() !== "",
  quantity: (v: unknown) =>
    (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)),
  source: (v: unknown) => v === "shopify" || v === "woocommerce" || v === "csv",
};
const Id = z.custom<Id>(P.id, { message: "must not be empty" });
const OptId = z.custom<Id | null | undefined>(P.optId, { message: "must not be empty" }).optional();
const OptText = z.custom<string | null | undefined>(P.optText, { message: "expected text" }).optional();
const OptTime = z.custom<Time | null | undefined>(P.optTime, { message: "expected a date/time" }).optional();
const MoneyField = z.custom<Money>(P.money, { message: "expected an amount" });
const OptMoney = z.custom<Money | null | undefined>(P.optMoney, { message: "expected an amount" }).optional();
const OptList = z.custom<readonly string[] | string | null | undefined>(P.optList, { message: "expected a list of text" }).optional();
const OptBool = z.custom<boolean | undefined>(P.optBool, { message: "expected true or false" }).optional();
const Currency = z.custom<string>(P.currency, { message: "must be an ISO 4217 code" });

/** Where a normaliser reports a problem: zod's refinement context, or the fast path's collector. */
interface Ctx {
  addIssue(issue: { code: "custom"; path: Path; message: string }): void;
}
type Path = (string | number)[];
const EMAIL = z.regexes.email;

/** Optional text: null, undefined and blank all mean "absent". */
function text(v: string | null | undefined): string | undefined {
  if (v == null) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}

function list(v: readonly string[] | string | null | undefined): string[] {
  if (v == null) return [];
  const items = typeof v === "string" ? v.split(",") : v;
  const out = new Set<string>();
  for (const t of items) {
    const s = t.trim();
    if (s !== "") out.add(s);
  }
  return [...out];
}

function email(ctx: Ctx, path: Path, v: string | null | undefined): string | undefined {
  const t = text(v)?.toLowerCase();
  if (t !== undefined && !EMAIL.test(t)) ctx.addIssue({ code: "custom", path, message: "invalid email" });
  return t;
}

function country(ctx: Ctx, v: string | null | undefined): string | undefined {
  const t = text(v)?.toUpperCase();
  if (t !== undefined && !/^[A-Z]{2}$/.test(t)) {
    ctx.addIssue({ code: "custom", path: ["country"], message: "must be an ISO 3166-1 alpha-2 code" });
  }
  return t;
}

function time(ctx: Ctx, path: Path, v: Time | null | undefined, zone?: string): Instant | undefined {
  if (v == null || (typeof v === "string" && v.trim() === "")) return undefined;
  const r = parseInstant(v, zone);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", path, message: r.error });
    return undefined;
  }
  return r.value;
}

function money(ctx: Ctx, path: Path, v: Money | null | undefined, currency: string): bigint {
  if (v == null || v === "") return 0n;
  const r = toMinorUnits(v, currency);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", path, message: r.error });
    return 0n;
  }
  return r.value;
}

const RawConsent = z.object({ state: ConsentStateSchema, at: OptTime, source: OptText });

const RawCustomer = z.object({
    source: SourceSchema,
    externalId: Id,
    email: OptText,
    emailAvailable: OptBool,
    phone: OptText,
    phoneAvailable: OptBool,
    firstName: OptText,
    lastName: OptText,
    country: OptText,
    province: OptText,
    city: OptText,
    zip: OptText,
    address1: OptText,
    timezone: OptText,
    locale: OptText,
    tags: OptList,
    emailConsent: RawConsent.nullish(),
    smsConsent: RawConsent.nullish(),
    sourceCreatedAt: OptTime,
    sourceUpdatedAt: OptTime,
  });

function normaliseCustomer(c: z.output<typeof RawCustomer>, ctx: Ctx) {
    const emailAvailable = c.emailAvailable ?? true;
    const phoneAvailable = c.phoneAvailable ?? true;
    const cc = country(ctx, c.country);
    const tz = text(c.timezone);
    let phone: string | undefined;
    const rawPhone = text(c.phone);
    if (rawPhone !== undefined) {
      const r = toE164(rawPhone, cc);
      if (r.ok) phone = r.value;
      else ctx.addIssue({ code: "custom", path: ["phone"], message: r.error });
    }
    const consent = (key: "emailConsent" | "smsConsent") => {
      const v = c[key];
      if (!v) return undefined;
      return { state: v.state, at: time(ctx, [key, "at"], v.at, tz)?.at, source: text(v.source) };
    };
    const mail = email(ctx, ["email"], c.email);
    return {
      source: c.source,
      externalId: String(c.externalId).trim(),
      // A withheld email is unknown, never "no email".
      email: emailAvailable ? mail : undefined,
      emailAvailable,
      phone: phoneAvailable ? phone : undefined,
      phoneAvailable,
      firstName: text(c.firstName),
      lastName: text(c.lastName),
      country: cc,
      province: text(c.province),
      city: text(c.city),
      zip: text(c.zip),
      address1: text(c.address1),
      timezone: tz,
      locale: text(c.locale),
      tags: list(c.tags),
      emailConsent: consent("emailConsent"),
      smsConsent: consent("smsConsent"),
      sourceCreatedAt: time(ctx, ["sourceCreatedAt"], c.sourceCreatedAt, tz)?.at,
      sourceUpdatedAt: time(ctx, ["sourceUpdatedAt"], c.sourceUpdatedAt, tz)?.at,
    };
}

export const CustomerRecordSchema = RawCustomer.transform((c, ctx) => normaliseCustomer(c, ctx));
export type CustomerRecordInput = z.input<typeof CustomerRecordSchema>;
export type CustomerRecord = z.output<typeof CustomerRecordSchema>;


const RawLine = z.object({
  externalId: OptId,
  productId: OptId,
  variantId: OptId,
  sku: OptText,
  title: z.custom<string>((v) => typeof v === "string" && v.trim() !== "", { message: "must not be empty" }),
  vendor: OptText,
  quantity: z.custom<number | string>(P.quantity, { message: "must be a whole number" }),
  /** Unit price. */
  price: MoneyField,
  /** Total discount on the line. */
  discount: OptMoney,
});

const idText = (v: Id | null | undefined) => (v == null ? undefined : String(v).trim());

const RawOrder = z.object({
    source: SourceSchema,
    externalId: Id,
    customerExternalId: OptId,
    email: OptText,
    name: OptText,
    processedAt: z.custom<Time>((v) => typeof v === "string" || v instanceof Date, { message: "expected a date/time" }),
    sourceTimezone: OptText,
    currency: Currency,
    subtotal: OptMoney,
    discounts: OptMoney,
    shipping: OptMoney,
    tax: OptMoney,
    total: MoneyField,
    refunded: OptMoney,
    discountCodes: OptList,
    financialStatus: OptText,
    cancelledAt: OptTime,
    sourceName: OptText,
    sourceUpdatedAt: OptTime,
    lines: z.array(RawLine).optional(),
  });

function normaliseOrder(o: z.output<typeof RawOrder>, ctx: Ctx) {
    // An IANA sourceTimezone both reads offset-less times and is kept; otherwise the offset is.
    const zone = text(o.sourceTimezone);
    const processed = time(ctx, ["processedAt"], o.processedAt, zone);
    // Blank is "required"; an unreadable time has already said why.
    if (!processed && !(typeof o.processedAt === "string" && o.processedAt.trim() !== "")) {
      ctx.addIssue({ code: "custom", path: ["processedAt"], message: "required" });
    }
    const cur = o.currency.trim().toUpperCase();
    const lines = o.lines ?? [];
    return {
      source: o.source,
      externalId: String(o.externalId).trim(),
      customerExternalId: idText(o.customerExternalId),
      email: email(ctx, ["email"], o.email),
      name: text(o.name),
      processedAt: processed?.at ?? new Date(0),
      sourceTimezone: zone ?? processed?.zone,
      currency: cur,
      subtotal: money(ctx, ["subtotal"], o.subtotal, cur),
      discounts: money(ctx, ["discounts"], o.discounts, cur),
      shipping: money(ctx, ["shipping"], o.shipping, cur),
      tax: money(ctx, ["tax"], o.tax, cur),
      total: money(ctx, ["total"], o.total, cur),
      refunded: money(ctx, ["refunded"], o.refunded, cur),
      discountCodes: list(o.discountCodes),
      financialStatus: text(o.financialStatus)?.toLowerCase(),
      cancelledAt: time(ctx, ["cancelledAt"], o.cancelledAt, zone)?.at,
      sourceName: text(o.sourceName),
      sourceUpdatedAt: time(ctx, ["sourceUpdatedAt"], o.sourceUpdatedAt, zone)?.at,
      lines: lines.map((l, i) => ({
        externalId: idText(l.externalId),
        productId: idText(l.productId),
        variantId: idText(l.variantId),
        sku: text(l.sku),
        title: l.title.trim(),
        vendor: text(l.vendor),
        quantity: Number(l.quantity),
        price: money(ctx, ["lines", i, "price"], l.price, cur),
        discount: money(ctx, ["lines", i, "discount"], l.discount, cur),
      })),
    };
}

export const OrderRecordSchema = RawOrder.transform((o, ctx) => normaliseOrder(o, ctx));
export type OrderRecordInput = z.input<typeof OrderRecordSchema>;
export type OrderRecord = z.output<typeof OrderRecordSchema>;
export type OrderLineRecord = OrderRecord["lines"][number];

export const ProductRecordSchema = z
  .object({
    source: SourceSchema,
    externalId: Id,
    title: z.custom<string>((v) => typeof v === "string" && v.trim() !== "", { message: "must not be empty" }),
    vendor: OptText,
    productType: OptText,
    collections: OptList,
    /** Unit cost in `currency` (default USD). */
    unitCost: OptMoney,
    currency: Currency.optional(),
  })
  .transform((p, ctx) => ({
    source: p.source,
    externalId: String(p.externalId).trim(),
    title: p.title.trim(),
    vendor: text(p.vendor),
    productType: text(p.productType),
    collections: list(p.collections),
    unitCost: p.unitCost == null || p.unitCost === ""
      ? undefined
      : money(ctx, ["unitCost"], p.unitCost, (p.currency ?? "USD").trim().toUpperCase()),
  }));
export type ProductRecordInput = z.input<typeof ProductRecordSchema>;
export type ProductRecord = z.output<typeof ProductRecordSchema>;

// ---------------------------------------------------------------------------------------------
// Fast path. The hot loop of a 200k-order import spends most of its validation time inside
// zod's object machinery, not in the checks. These run the same predicates field by field and
// the same normalisers; when anything at all is wrong they return undefined and the caller
// asks the zod schema, which produces the canonical issues. So a valid record gives the exact
// output the schema gives, and an invalid one the exact issues.

type Check = readonly [string, (v: unknown) => boolean];
const CUSTOMER_CHECKS: Check[] = [
  ["source", P.source], ["externalId", P.id], ["email", P.optText], ["emailAvailable", P.optBool],
  ["phone", P.optText], ["phoneAvailable", P.optBool], ["firstName", P.optText], ["lastName", P.optText],
  ["country", P.optText], ["province", P.optText], ["city", P.optText], ["zip", P.optText],
  ["address1", P.optText], ["timezone", P.optText], ["locale", P.optText], ["tags", P.optList],
  ["sourceCreatedAt", P.optTime], ["sourceUpdatedAt", P.optTime],
];
const ORDER_CHECKS: Check[] = [
  ["source", P.source], ["externalId", P.id], ["customerExternalId", P.optId], ["email", P.optText],
  ["name", P.optText], ["processedAt", P.time], ["sourceTimezone", P.optText], ["currency", P.currency],
  ["subtotal", P.optMoney], ["discounts", P.optMoney], ["shipping", P.optMoney], ["tax", P.optMoney],
  ["total", P.money], ["refunded", P.optMoney], ["discountCodes", P.optList], ["financialStatus", P.optText],
  ["cancelledAt", P.optTime], ["sourceName", P.optText], ["sourceUpdatedAt", P.optTime],
];
const LINE_CHECKS: Check[] = [
  ["externalId", P.optId], ["productId", P.optId], ["variantId", P.optId], ["sku", P.optText], ["title", P.title],
  ["vendor", P.optText], ["quantity", P.quantity], ["price", P.money], ["discount", P.optMoney],
];
const CONSENT_STATES = new Set(["subscribed", "unsubscribed", "pending", "not_subscribed", "unknown"]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

function passes(v: Record<string, unknown>, checks: Check[]): boolean {
  for (let i = 0; i < checks.length; i++) if (!checks[i][1](v[checks[i][0]])) return false;
  return true;
}

/** A sink that only remembers whether anything was reported. */
class Flag implements Ctx {
  bad = false;
  addIssue() {
    this.bad = true;
  }
}

function fastConsent(v: unknown): { ok: boolean; value?: unknown } {
  if (v == null) return { ok: true, value: v };
  if (!isRecord(v) || typeof v.state !== "string" || !P.optTime(v.at) || !P.optText(v.source)) return { ok: false };
  const state = v.state.trim().toLowerCase();
  if (!CONSENT_STATES.has(state)) return { ok: false };
  return { ok: true, value: { state, at: v.at, source: v.source } };
}

/** The customer the schema would give, or undefined when the schema must be asked. */
export function parseCustomerFast(raw: unknown): CustomerRecord | undefined {
  if (!isRecord(raw) || !passes(raw, CUSTOMER_CHECKS)) return undefined;
  const e = fastConsent(raw.emailConsent);
  const s = fastConsent(raw.smsConsent);
  if (!e.ok || !s.ok) return undefined;
  const flag = new Flag();
  const out = normaliseCustomer({ ...(raw as z.output<typeof RawCustomer>), emailConsent: e.value as never, smsConsent: s.value as never }, flag);
  return flag.bad ? undefined : out;
}

/** The order the schema would give, or undefined when the schema must be asked. */
export function parseOrderFast(raw: unknown): OrderRecord | undefined {
  if (!isRecord(raw) || !passes(raw, ORDER_CHECKS)) return undefined;
  const lines = raw.lines;
  if (lines !== undefined) {
    if (!Array.isArray(lines)) return undefined;
    for (let i = 0; i < lines.length; i++) if (!isRecord(lines[i]) || !passes(lines[i], LINE_CHECKS)) return undefined;
  }
  const flag = new Flag();
  const out = normaliseOrder(raw as z.output<typeof RawOrder>, flag);
  return flag.bad ? undefined : out;
}
