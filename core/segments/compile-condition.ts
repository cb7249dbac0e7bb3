// Leaf conditions to SQL predicates over the current customer `c` (and, when a score is used,
// its customer_scores row `s`). Every subquery filters on shop_id = $1 and customer_id = c.id
// first, which is the leading part of the (shop_id, customer_id, time) indexes.
import { assertNever } from "../result";
import { compare, compareCount, type StoredCase } from "./compare";
import {
  CUSTOMER_FIELDS,
  ENGAGEMENT_EVENT_NAMES,
  ORDER_METRICS,
  SCORE_FIELDS,
  type Comparison,
  type Condition,
  type CustomerField,
  type OrderMetric,
  type PropertyFilter,
  type ScoreField,
  type Step,
  type TimeWindow,
} from "./schema";
import { and, TABLES, truthy, type Params } from "./sql";

export interface ConditionCompiler {
  p: Params;
  usesScores: boolean;
  /**
   * True for whole-shop queries: a count of at least two rows becomes one grouped,
   * uncorrelated subquery (hashed once) instead of a count per customer. False for the
   * single-customer query, which stays on per-customer index lookups.
   */
  setBased?: boolean;
  /** Compiles another segment's tree inline, or undefined to read segment_memberships. */
  inlineSegment(id: string): string | undefined;
}

/**
 * Journey conditions over enrollments.status (active|waiting|completed|converted|exited):
 * "in" = still in the journey, "completed" = finished it (a conversion finishes it too),
 * "converted" = finished by ordering. Constant literals: no user value.
 */
const JOURNEY_STATUSES = {
  in: "'{active,waiting}'",
  completed: "'{completed,converted}'",
  converted: "'{converted}'",
} as const;

const CUSTOMER_EXPR: Record<CustomerField, string> = {
  email: "c.email",
  email_domain: "split_part(c.email, '@', 2)",
  country: "c.country::text",
  province: "c.province",
  tags: "c.tags",
  locale: "c.locale",
  language: "split_part(replace(c.locale, '_', '-'), '-', 1)",
  timezone: "c.timezone",
  created_at: "coalesce(c.source_created_at, c.created_at)",
  email_consent: "c.email_consent",
  sms_consent: "c.sms_consent",
};

/**
 * Columns every write stores case-folded (core/ingest/schema.ts: emails lower-cased, country
 * codes upper-cased): compared without a per-row lower().
 */
const STORED_CASE: Partial<Record<CustomerField, StoredCase>> = { email: "lower", email_domain: "lower", country: "upper" };
/** Customer columns declared NOT NULL (prisma/schema.prisma); created_at falls back to a NOT NULL column. */
const NOT_NULL: ReadonlySet<CustomerField> = new Set<CustomerField>(["tags", "email_consent", "sms_consent", "created_at"]);

/** RFM groups and stages are written by core/scoring from lower-case constants. */
const SCORE_STORED_CASE: Partial<Record<ScoreField, StoredCase>> = { rfm_group: "lower", stage: "lower" };

const SCORE_EXPR: Record<ScoreField, string> = {
  recency_score: "s.recency_score",
  frequency_score: "s.frequency_score",
  monetary_score: "s.monetary_score",
  rfm_group: "s.rfm_group",
  dormant: "s.dormant",
  days_overdue: "s.days_overdue",
  stage: "s.stage",
  p_alive: "s.p_alive",
  expected_next_order_at: "s.expected_next_order_at",
  clv: "s.clv",
  cluster_id: "s.cluster_id",
};

function known<K extends string>(catalogue: Record<K, unknown>, name: string, what: string): K {
  // validate.ts rejects unknown names first; reaching this is a caller bug.
  if (!Object.hasOwn(catalogue, name)) throw new Error(`unknown ${what} '${name}': validate the segment first`);
  return name as K;
}

/** The customer's non-cancelled orders, as "FROM ... WHERE ..." with alias `o`. */
function ordersOf(o: string, p: Params, extra: string[] = [], correlated = true): string {
  const who = correlated ? [`${o}.customer_id = c.id`] : [];
  return `FROM ${TABLES.orders} ${o} WHERE ${and([`${o}.shop_id = ${p.shop}`, ...who, `${o}.cancelled_at IS NULL`, ...extra])}`;
}

function eventsOf(e: string, p: Params, name: string, extra: string[] = [], correlated = true): string {
  const who = correlated ? [`${e}.customer_id = c.id`] : [];
  return `FROM ${TABLES.events} ${e} WHERE ${and([`${e}.shop_id = ${p.shop}`, ...who, `${e}.name = ${p.add(name, "text")}`, ...extra])}`;
}

/** Whether a count comparison is best answered by grouping rows per customer (not EXISTS, not "none"). */
function groupedCount(cmp: Comparison): boolean {
  const atLeastOne = (cmp.op === "gte" && cmp.value > 0 && cmp.value <= 1) || (cmp.op === "gt" && cmp.value >= 0 && cmp.value < 1);
  return !atLeastOne && !zeroSatisfies(cmp);
}

/** Whether a count of zero satisfies the comparison (then customers without rows are members). */
function zeroSatisfies(cmp: Comparison): boolean {
  switch (cmp.op) {
    case "eq":
      return cmp.value === 0;
    case "gt":
      return 0 > cmp.value;
    case "gte":
      return 0 >= cmp.value;
    case "lt":
      return 0 < cmp.value;
    case "lte":
      return 0 <= cmp.value;
    case "between":
      return cmp.min <= 0 && 0 <= cmp.max;
    case "in":
      return cmp.values.some((v) => Number(v) === 0);
    default:
      return true; // anything else keeps the per-customer form
  }
}

/**
 * A count of rows per customer compared with `cmp`. `source(correlated)` is the
 * "FROM ... WHERE ..." over alias `a`, with or without the `customer_id = c.id` link.
 */
function countOf(cc: ConditionCompiler, a: string, source: (correlated: boolean) => string, cmp: Comparison): string {
  const { p } = cc;
  if (cc.setBased && groupedCount(cmp)) {
    return `c.id IN (SELECT ${a}.customer_id ${source(false)} GROUP BY ${a}.customer_id HAVING ${compare("count(*)", "number", cmp, p)})`;
  }
  return compareCount(source(true), cmp, p);
}

function propertyFilter(e: string, f: PropertyFilter, p: Params): string {
  const segments = f.property.split(".");
  // One key (the common case) is a plain -> / ->> lookup; a dotted path walks #> / #>>.
  const key = segments.length === 1 ? p.add(segments[0], "text") : p.add(segments, "text[]");
  const json = `(${e}.properties ${segments.length === 1 ? "->" : "#>"} ${key})`;
  const text = `(${e}.properties ${segments.length === 1 ? "->>" : "#>>"} ${key})`;
  // Cast to numeric only when the JSON value is a number, so a string never raises; a JSON
  // number casts to numeric directly, without a round trip through text.
  const num = `(CASE WHEN jsonb_typeof(${json}) = 'number' THEN ${json}::numeric END)`;
  const cmp = f.cmp;
  switch (cmp.op) {
    case "is_set":
      return `(${json} IS NOT NULL AND ${json} <> 'null'::jsonb)`;
    case "is_not_set":
      return `NOT coalesce(${json} IS NOT NULL AND ${json} <> 'null'::jsonb, false)`;
    case "is_true":
      return p.truthy(`${json} = 'true'::jsonb`);
    case "is_false":
      return `NOT ${truthy(`${json} = 'true'::jsonb`)}`;
    case "eq":
    case "neq":
      return compare(typeof cmp.value === "number" ? num : text, typeof cmp.value === "number" ? "number" : "text", cmp, p);
    case "in":
    case "not_in": {
      const numeric = cmp.values.every((v) => typeof v === "number");
      return compare(numeric ? num : text, numeric ? "number" : "text", cmp, p);
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte":
    case "between":
      return compare(num, "number", cmp, p);
    default:
      return compare(text, "text", cmp, p);
  }
}

/** A sequence step as a row source: "FROM ... WHERE ..." over alias `a`, and its time column. */
function stepSource(step: Step, a: string, p: Params, extra: (time: string) => string[] = () => [], correlated = true): { fromWhere: string; time: string } {
  switch (step.source) {
    case "event": {
      const time = `${a}.occurred_at`;
      const filters = step.filters.map((f) => propertyFilter(a, f, p));
      return { fromWhere: eventsOf(a, p, step.name, [...filters, ...extra(time)], correlated), time };
    }
    case "order": {
      const time = `${a}.processed_at`;
      return { fromWhere: ordersOf(a, p, extra(time), correlated), time };
    }
    default:
      return assertNever(step, "sequence step");
  }
}

const ORDER_AGGREGATES: Record<Exclude<OrderMetric, "count">, (o: string) => string> = {
  total_spent: (o) => `sum(${o}.total - ${o}.refunded)`,
  average_spent: (o) => `avg(${o}.total - ${o}.refunded)`,
  first_order_at: (o) => `min(${o}.processed_at)`,
  last_order_at: (o) => `max(${o}.processed_at)`,
};

/**
 * A whole-shop condition that holds exactly for customers with at least one row of a source
 * (orders, or events of one name) whose aggregate passes a HAVING test. At the top of the
 * tree the compiler brings that source in once and groups it per customer (compile.ts), and
 * the conditions sharing a source `key` share that one pass. Building nothing until called:
 * `source` (the rows) once per source, `having` once per condition.
 */
export interface GroupedCondition {
  key: string;
  /** Joins only beside another condition of the same key (alone, an EXISTS is cheaper). */
  companion?: boolean;
  /**
   * False when customers without any row of the source also match ("never bought X"): such a
   * condition is exact in the grouping only beside a positive one of the same key.
   */
  positive: boolean;
  /** The source's rows as `g` (its lines as `gl`): the first table, joins after it, and row conditions. */
  source(g: string): GroupedSource;
  having(g: string): string;
}

export interface GroupedSource {
  /** "table alias"; its shop_id and customer_id are linked by the caller. */
  table: string;
  /** " JOIN ..." clauses after the first table ("" when none). */
  joins: string;
  /** Conditions on the rows (none on the customer). */
  where: string[];
  /**
   * Group the rows on their own before meeting the customers. Orders and events come in
   * customer order from their (shop_id, customer_id, ...) indexes, so joining first groups
   * them as they stream; order lines do not, and joining first sorted every line widened
   * with its customer's columns.
   */
  groupAlone: boolean;
}

function ordersSource(g: string, p: Params, window: TimeWindow, lines = false): GroupedSource {
  return {
    table: `${TABLES.orders} ${g}`,
    joins: lines ? ` JOIN ${TABLES.orderLines} ${g}l ON ${g}l.shop_id = ${g}.shop_id AND ${g}l.order_id = ${g}.id` : "",
    where: [`${g}.cancelled_at IS NULL`, ...p.window(`${g}.processed_at`, window)],
    groupAlone: lines,
  };
}

export function groupedCondition(cond: Condition, p: Params): GroupedCondition | undefined {
  switch (cond.kind) {
    case "orders": {
      const metric = known(ORDER_METRICS, cond.metric, "order metric");
      if (metric === "count" ? !groupedCount(cond.cmp) : noOrdersSatisfies(metric, cond.cmp)) return undefined;
      return {
        key: `orders ${JSON.stringify(cond.window)}`,
        positive: true,
        source: (g) => ordersSource(g, p, cond.window),
        having: (g) => compare(metric === "count" ? "count(*)" : ORDER_AGGREGATES[metric](g), ORDER_METRICS[metric], cond.cmp, p),
      };
    }
    case "discount_codes": {
      if (!cond.used) return undefined;
      return {
        key: `orders ${JSON.stringify(cond.window)}`,
        companion: true,
        positive: true,
        source: (g) => ordersSource(g, p, cond.window),
        having: (g) => `bool_or(${discountCodesMatch(g, cond.codes, p)})`,
      };
    }
    case "purchased":
      // Lines of the orders in the window, one pass for every purchase condition beside it.
      return {
        key: `lines ${JSON.stringify(cond.window)}`,
        companion: true,
        positive: cond.bought,
        source: (g) => ordersSource(g, p, cond.window, true),
        having: (g) => `${cond.bought ? "" : "NOT "}bool_or(coalesce(${purchaseMatch(cond, `${g}l`, p, true)}, false))`,
      };
    case "engagement":
    case "event": {
      const count = cond.count;
      if (!groupedCount(count)) return undefined;
      const name = cond.kind === "event" ? cond.name : ENGAGEMENT_EVENT_NAMES[cond.action];
      const filters = cond.kind === "event" ? cond.filters : [];
      const channel = cond.kind === "engagement" ? cond.channel : undefined;
      return {
        key: `events ${JSON.stringify([name, filters, channel ?? null, cond.window])}`,
        positive: true,
        source: (g) => ({
          table: `${TABLES.events} ${g}`,
          joins: "",
          where: [
            `${g}.name = ${p.add(name, "text")}`,
            ...(channel ? [`${g}.properties ->> 'channel' = ${p.add(channel, "text")}`] : []),
            ...filters.map((f) => propertyFilter(g, f, p)),
            ...p.window(`${g}.occurred_at`, cond.window),
          ],
          groupAlone: false,
        }),
        having: () => compare("count(*)", "number", count, p),
      };
    }
    default:
      return undefined;
  }
}

/** Order line `l` is a purchase the condition names. */
function purchaseMatch(cond: Extract<Condition, { kind: "purchased" }>, l: string, p: Params, setBased: boolean): string {
  switch (cond.by) {
    case "product":
      return `${l}.product_id = ANY(${p.add(cond.values, "text[]")})`;
    case "variant":
      return `${l}.variant_id = ANY(${p.add(cond.values, "text[]")})`;
    case "vendor": {
      const folded = p.add(cond.values.map((v) => v.toLowerCase()), "text[]");
      // Vendors are stored as the store spells them, and matched case-insensitively. Over a
      // customer's few lines lower() is cheap; over a whole shop's lines it dominated the
      // query, so the shop's spellings that fold to a wanted name are looked up first (a
      // walk over the distinct values of the (shop_id, vendor) index, one probe per vendor)
      // and lines are compared exactly, a hashed ANY.
      return setBased ? `${l}.vendor = ANY(${vendorSpellings(folded, p)})` : `lower(${l}.vendor) = ANY(${folded})`;
    }
    case "collection": {
      const pr = p.alias("p");
      return `${l}.product_id IN (SELECT ${pr}.external_id FROM ${TABLES.products} ${pr} WHERE ${pr}.shop_id = ${p.shop} AND ${pr}.collections && ${p.add(cond.values, "text[]")})`;
    }
    default:
      return assertNever(cond.by, "purchase dimension");
  }
}

/**
 * The shop's vendor spellings whose lower case is in `folded` (a text[] parameter), as an
 * array: a loose index scan (recursive min-after) over order_lines (shop_id, vendor).
 */
function vendorSpellings(folded: string, p: Params): string {
  const v = p.alias("v");
  const a = p.alias("vl");
  const b = p.alias("vl");
  const walk =
    `WITH RECURSIVE ${v}(vendor) AS (SELECT min(${a}.vendor) FROM ${TABLES.orderLines} ${a} WHERE ${a}.shop_id = ${p.shop} ` +
    `UNION ALL SELECT (SELECT min(${b}.vendor) FROM ${TABLES.orderLines} ${b} WHERE ${b}.shop_id = ${p.shop} AND ${b}.vendor > ${v}.vendor) FROM ${v} WHERE ${v}.vendor IS NOT NULL)`;
  return `ARRAY(${walk} SELECT ${v}.vendor FROM ${v} WHERE lower(${v}.vendor) = ANY(${folded}))`;
}

/** Order `o` carries one of `codes` (case-insensitive), or any code when `codes` is empty. */
function discountCodesMatch(o: string, codes: string[], p: Params): string {
  return codes.length
    ? // Lower-casing the array's text form keeps its syntax: one call per order, no subquery.
      // Most orders carry no code: the cheap emptiness test first skips the text round trip.
      `(${o}.discount_codes <> '{}' AND lower(${o}.discount_codes::text)::text[] && ${p.add(codes.map((c) => c.toLowerCase()), "text[]")})`
    : `cardinality(${o}.discount_codes) > 0`;
}

function orderMetric(metric: OrderMetric, cond: Extract<Condition, { kind: "orders" }>, cc: ConditionCompiler): string {
  const { p } = cc;
  const o = p.alias("o");
  const windowSql = p.window(`${o}.processed_at`, cond.window);
  const fromWhere = ordersOf(o, p, windowSql);
  const type = ORDER_METRICS[metric];
  if (metric !== "count" && cc.setBased && !noOrdersSatisfies(metric, cond.cmp)) {
    // Whole shop: aggregate the orders once per customer; customers without orders in the
    // window cannot match this comparison, so a grouped IN list is exact.
    return `c.id IN (SELECT ${o}.customer_id ${ordersOf(o, p, windowSql, false)} GROUP BY ${o}.customer_id HAVING ${compare(ORDER_AGGREGATES[metric](o), type, cond.cmp, p)})`;
  }
  switch (metric) {
    case "count":
      return countOf(cc, o, (correlated) => ordersOf(o, p, windowSql, correlated), cond.cmp);
    case "total_spent":
      return compare(`(SELECT coalesce(sum(${o}.total - ${o}.refunded), 0) ${fromWhere})`, type, cond.cmp, p);
    case "average_spent":
      return compare(`(SELECT avg(${o}.total - ${o}.refunded) ${fromWhere})`, type, cond.cmp, p);
    case "first_order_at":
      return compare(`(SELECT min(${o}.processed_at) ${fromWhere})`, type, cond.cmp, p);
    case "last_order_at":
      return compare(`(SELECT max(${o}.processed_at) ${fromWhere})`, type, cond.cmp, p);
    default:
      return assertNever(metric, "order metric");
  }
}

/**
 * Whether a customer without orders in the window satisfies an order-metric comparison:
 * total spent is then 0; the other metrics are NULL, which only negated comparisons accept.
 */
function noOrdersSatisfies(metric: Exclude<OrderMetric, "count">, cmp: Comparison): boolean {
  if (metric === "total_spent") return zeroSatisfies(cmp);
  return !["eq", "gt", "gte", "lt", "lte", "between", "in", "is_set", "in_window", "contains", "starts_with", "ends_with", "has_any", "has_all", "is_true"].includes(cmp.op);
}

export function compileCondition(cond: Condition, cc: ConditionCompiler): string {
  const { p } = cc;
  switch (cond.kind) {
    case "customer": {
      const field = known(CUSTOMER_FIELDS, cond.field, "customer field");
      return compare(CUSTOMER_EXPR[field], CUSTOMER_FIELDS[field], cond.cmp, p, STORED_CASE[field], NOT_NULL.has(field));
    }
    case "score": {
      const field = known(SCORE_FIELDS, cond.field, "score");
      cc.usesScores = true;
      return compare(SCORE_EXPR[field], SCORE_FIELDS[field], cond.cmp, p, SCORE_STORED_CASE[field]);
    }
    case "orders":
      return orderMetric(known(ORDER_METRICS, cond.metric, "order metric"), cond, cc);
    case "discount_codes": {
      const o = p.alias("o");
      const exists = `EXISTS (SELECT 1 ${ordersOf(o, p, [...p.window(`${o}.processed_at`, cond.window), discountCodesMatch(o, cond.codes, p)])})`;
      return cond.used ? exists : `NOT ${exists}`;
    }
    case "purchased": {
      const o = p.alias("o");
      const l = p.alias("l");
      const match = purchaseMatch(cond, l, p, cc.setBased ?? false);
      const exists = `EXISTS (SELECT 1 FROM ${TABLES.orders} ${o} JOIN ${TABLES.orderLines} ${l} ON ${l}.shop_id = ${o}.shop_id AND ${l}.order_id = ${o}.id WHERE ${and([
        `${o}.shop_id = ${p.shop}`,
        `${o}.customer_id = c.id`,
        `${o}.cancelled_at IS NULL`,
        ...p.window(`${o}.processed_at`, cond.window),
        match,
      ])})`;
      return cond.bought ? exists : `NOT ${exists}`;
    }
    case "engagement": {
      const e = p.alias("e");
      const channel = cond.channel ? [`${e}.properties ->> 'channel' = ${p.add(cond.channel, "text")}`] : [];
      const extra = [...channel, ...p.window(`${e}.occurred_at`, cond.window)];
      const name = ENGAGEMENT_EVENT_NAMES[cond.action];
      return countOf(cc, e, (correlated) => eventsOf(e, p, name, extra, correlated), cond.count);
    }
    case "event": {
      const e = p.alias("e");
      const extra = [...cond.filters.map((f) => propertyFilter(e, f, p)), ...p.window(`${e}.occurred_at`, cond.window)];
      return countOf(cc, e, (correlated) => eventsOf(e, p, cond.name, extra, correlated), cond.count);
    }
    case "sequence": {
      const a = p.alias("a");
      const b = p.alias("b");
      if (cc.setBased) {
        // Whole shop: the first steps in the window, each checked for a follow-up of the same
        // customer, collected once into an IN list.
        const first = stepSource(cond.first, a, p, (t) => p.window(t, cond.window), false);
        const then = stepSource(cond.then, b, p, (t) => [`${b}.customer_id = ${a}.customer_id`, `${t} > ${first.time}`, ...p.withinLocalDays(t, first.time, cond.within_days)], false);
        return `c.id IN (SELECT ${a}.customer_id ${first.fromWhere} AND EXISTS (SELECT 1 ${then.fromWhere}))`;
      }
      const first = stepSource(cond.first, a, p, (t) => p.window(t, cond.window));
      const then = stepSource(cond.then, b, p, (t) => [`${t} > ${first.time}`, ...p.withinLocalDays(t, first.time, cond.within_days)]);
      return `EXISTS (SELECT 1 ${first.fromWhere} AND EXISTS (SELECT 1 ${then.fromWhere}))`;
    }
    case "reordered_after_first": {
      const o1 = p.alias("o");
      const o2 = p.alias("o");
      const f = p.alias("f");
      if (cc.setBased) {
        // Whole shop: one pass over the orders with each customer's first order beside each row.
        const x = p.alias("x");
        const firsts = `SELECT ${o1}.customer_id, ${o1}.processed_at AS at, min(${o1}.processed_at) OVER (PARTITION BY ${o1}.customer_id) AS t ${ordersOf(o1, p, [], false)}`;
        return `c.id IN (SELECT ${x}.customer_id FROM (${firsts}) ${x} WHERE ${and([`${x}.at > ${x}.t`, ...p.withinLocalDays(`${x}.at`, `${x}.t`, cond.within_days)])})`;
      }
      const later = ordersOf(o2, p, [`${o2}.processed_at > ${f}.t`, ...p.withinLocalDays(`${o2}.processed_at`, `${f}.t`, cond.within_days)]);
      return `EXISTS (SELECT 1 FROM (SELECT min(${o1}.processed_at) AS t ${ordersOf(o1, p)}) ${f} WHERE EXISTS (SELECT 1 ${later}))`;
    }
    case "consecutive_days": {
      const x = p.alias("x");
      const d = p.alias("d");
      const r = p.alias("r");
      // On distinct days in order, N consecutive days end at a day whose (N-1)th predecessor
      // lies exactly N-1 days back: one window pass, no grouping of runs afterwards.
      const back = p.add(cond.days - 1, "int");
      if (cc.setBased) {
        // Whole shop: one pass over the rows, hashed once.
        const all = stepSource(cond.step, x, p, (t) => p.window(t, cond.window), false);
        const days = `SELECT DISTINCT ${x}.customer_id, (${all.time} AT TIME ZONE ${p.tzSql})::date AS day ${all.fromWhere}`;
        const runs = `SELECT ${d}.customer_id, ${d}.day - lag(${d}.day, ${back}) OVER (PARTITION BY ${d}.customer_id ORDER BY ${d}.day) AS span FROM (${days}) ${d}`;
        return `c.id IN (SELECT ${r}.customer_id FROM (${runs}) ${r} WHERE ${r}.span = ${back})`;
      }
      const src = stepSource(cond.step, x, p, (t) => p.window(t, cond.window));
      const days = `SELECT DISTINCT (${src.time} AT TIME ZONE ${p.tzSql})::date AS day ${src.fromWhere}`;
      const runs = `SELECT ${d}.day - lag(${d}.day, ${back}) OVER (ORDER BY ${d}.day) AS span FROM (${days}) ${d}`;
      // The plain EXISTS first lets the planner semi-join away customers with no such rows
      // before the per-customer window function runs.
      return `(EXISTS (SELECT 1 ${src.fromWhere}) AND EXISTS (SELECT 1 FROM (${runs}) ${r} WHERE ${r}.span = ${back}))`;
    }
    case "in_segment": {
      // Inlined under the NOT it will sit in when membership is negated.
      const inline = cond.member ? cc.inlineSegment(cond.segment_id) : p.negate(() => cc.inlineSegment(cond.segment_id));
      const m = p.alias("m");
      const member =
        inline ??
        `EXISTS (SELECT 1 FROM ${TABLES.segmentMemberships} ${m} WHERE ${m}.shop_id = ${p.shop} AND ${m}.segment_id = ${p.add(cond.segment_id, "bigint")} AND ${m}.customer_id = c.id)`;
      return cond.member ? member : `NOT ${member}`;
    }
    case "shopify_segment": {
      const m = p.alias("m");
      const member = `EXISTS (SELECT 1 FROM ${TABLES.shopifySegmentMembers} ${m} WHERE ${m}.shop_id = ${p.shop} AND ${m}.segment_id = ${p.add(cond.segment_id, "text")} AND ${m}.customer_id = c.id)`;
      return cond.member ? member : `NOT ${member}`;
    }
    case "journey": {
      const j = p.alias("j");
      return `EXISTS (SELECT 1 FROM ${TABLES.enrollments} ${j} WHERE ${j}.shop_id = ${p.shop} AND ${j}.customer_id = c.id AND ${j}.journey_id = ${p.add(cond.journey_id, "bigint")} AND ${j}.status = ANY(${JOURNEY_STATUSES[cond.status]}::"EnrollmentStatus"[]))`;
    }
    default:
      return assertNever(cond, "condition");
  }
}
