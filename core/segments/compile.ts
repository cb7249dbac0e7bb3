// A validated segment tree to ONE parameterised SQL query over the shop's customers.
// No user value is ever spliced into the text; see sql.ts for parameters and identifiers.
import { assertNever } from "../result";
import { compileCondition, groupedCondition, type ConditionCompiler } from "./compile-condition";
import type { Condition, SegmentNode } from "./schema";
import { Params, TABLES } from "./sql";

export type SqlQuery = { text: string; values: unknown[] };

export interface CompileOptions {
  shopId: number;
  /** Evaluation time: relative windows count shop-local days back from here. */
  now: Date;
  /** The shop's IANA time zone. */
  timezone: string;
  /**
   * Other segments' trees: a reference is compiled inline (always fresh). Without it, or when
   * it returns undefined, the reference reads the materialised segment_memberships table.
   */
  resolveSegment?: (id: string) => SegmentNode | undefined;
}

/** References are validated acyclic; this bounds inlining anyway so a bug cannot recurse forever. */
const MAX_INLINE_DEPTH = 16;

interface Compiled {
  from: string;
  where: string;
  /** " GROUP BY ... HAVING ..." when the top level joins a source and groups; else "". */
  group: string;
  p: Params;
}

/** Compiles trees into predicates over `c` (and `s` when a score is used), sharing `p`. */
function treeCompiler(p: Params, opts: CompileOptions, setBased: boolean): { cc: ConditionCompiler; node: (n: SegmentNode) => string } {
  const inlining: string[] = [];
  const cc: ConditionCompiler = {
    p,
    usesScores: false,
    setBased,
    inlineSegment(id) {
      const other = opts.resolveSegment?.(id);
      if (!other) return undefined;
      if (inlining.includes(id) || inlining.length >= MAX_INLINE_DEPTH) {
        throw new Error(`segment reference cycle through ${[...inlining, id].join(" → ")}`);
      }
      inlining.push(id);
      const sql = node(other);
      inlining.pop();
      return sql;
    },
  };
  const node = (n: SegmentNode): string => {
    switch (n.kind) {
      case "and":
      case "or":
        return `(${n.children.map(node).join(n.kind === "and" ? " AND " : " OR ")})`;
      case "not":
        return `NOT ${p.negate(() => node(n.child))}`;
      default:
        return compileCondition(n, cc);
    }
  };
  return { cc, node };
}

const scoresJoin = (cc: ConditionCompiler) => (cc.usesScores ? ` LEFT JOIN ${TABLES.scores} s ON s.shop_id = c.shop_id AND s.customer_id = c.id` : "");

function compileWhere(tree: SegmentNode, opts: CompileOptions, setBased = true): Compiled {
  const p = new Params(opts.shopId, opts.now, opts.timezone);
  const { cc, node } = treeCompiler(p, opts, setBased);
  // Whole shop: top-level conditions that aggregate one source per customer ("3+ orders",
  // "spent 10000+", "average 50-120", "viewed twice") are answered by joining that source
  // once and grouping per customer, all of them in one HAVING, so the planner can filter the
  // customers first and aggregate only theirs (the shape a hand-written query takes). The
  // rest of the tree stays in WHERE. Under OR or NOT they keep their IN-list form. Order
  // lines with nothing else to filter by are grouped before the join (GroupedSource.groupAlone).
  let join = "";
  let group = "";
  let predicate: string;
  const top = tree.kind === "and" ? tree.children : [tree];
  const grouped = setBased ? top.map((n) => (n.kind === "and" || n.kind === "or" || n.kind === "not" ? undefined : groupedCondition(n as Condition, p))) : [];
  // The first source worth a join: one of its conditions needs a customer to have rows, and
  // either one of them is a true aggregate or several share the pass.
  const sameKey = (key: string) => grouped.filter((x) => x?.key === key).map((x) => x!);
  const first = grouped.find((g) => {
    if (!g) return false;
    const members = sameKey(g.key);
    return members.some((m) => m.positive) && (members.some((m) => !m.companion) || members.length >= 2);
  });
  if (first) {
    const g = "g";
    const lifted = sameKey(first.key);
    const rest = top.filter((_, i) => grouped[i]?.key !== first.key);
    const src = first.source(g);
    const having = lifted.map((x) => x.having(g)).join(" AND ");
    if (rest.length || !src.groupAlone) {
      // Other conditions filter the customers first and only their rows are joined and
      // grouped; or the rows stream in customer order and are grouped as they join.
      join = ` JOIN ${src.table} ON ${[`${g}.shop_id = c.shop_id`, `${g}.customer_id = c.id`, ...src.where].join(" AND ")}${src.joins}`;
      group = ` GROUP BY c.shop_id, c.id HAVING ${having}`;
      predicate = rest.length ? `(${rest.map(node).join(" AND ")})` : "true";
    } else {
      // Nothing else to filter by: the rows are grouped on their own, narrow and keyed by
      // customer_id, and only the passing customers are joined.
      const where = [`${g}.shop_id = ${p.shop}`, ...src.where].join(" AND ");
      join = ` JOIN (SELECT ${g}.customer_id FROM ${src.table}${src.joins} WHERE ${where} GROUP BY ${g}.customer_id HAVING ${having}) ${g}x ON ${g}x.customer_id = c.id`;
      predicate = "true";
    }
  } else {
    predicate = node(tree);
  }
  return {
    from: `FROM ${TABLES.customers} c${scoresJoin(cc)}${join}`,
    // Merged-away records are not customers any more: their orders live on the survivor.
    where: `c.shop_id = ${p.shop} AND c.merged_into_id IS NULL AND ${predicate}`,
    group,
    p,
  };
}

/** Member customer ids of the shop (column `id`, bigint as string). */
export function compileSegment(tree: SegmentNode, opts: CompileOptions): SqlQuery {
  const { from, where, group, p } = compileWhere(tree, opts);
  return { text: `SELECT c.id ${from} WHERE ${where}${group}`, values: p.values };
}

/** One customer: returns its id when a member, no row otherwise. Index lookups only. */
export function compileSegmentForCustomer(tree: SegmentNode, opts: CompileOptions & { customerId: bigint | string }): SqlQuery {
  const { from, where, p } = compileWhere(tree, opts, false);
  const id = p.add(String(opts.customerId), "bigint");
  return { text: `SELECT c.id ${from} WHERE c.id = ${id} AND ${where}`, values: p.values };
}

/**
 * One customer against many segments in one statement: the customer's row (and scores) read
 * once, one predicate per segment. Returns one row {segment_ids: text[]} with the ids of the
 * segments the customer belongs to, or no row when the customer is not live in the shop.
 */
export function compileSegmentsForCustomer(
  segments: readonly { id: string; tree: SegmentNode }[],
  opts: CompileOptions & { customerId: bigint | string },
): SqlQuery {
  const p = new Params(opts.shopId, opts.now, opts.timezone);
  const { cc, node } = treeCompiler(p, opts, false);
  // CASE WHEN treats a NULL predicate as false, as WHERE does in the single-segment query.
  const cases = segments.map((s) => `CASE WHEN ${node(s.tree)} THEN ${p.add(s.id, "text")} END`);
  const id = p.add(String(opts.customerId), "bigint");
  const ids = cases.length ? `array_remove(ARRAY[${cases.join(", ")}], NULL)` : `'{}'::text[]`;
  return {
    text: `SELECT ${ids} AS segment_ids FROM ${TABLES.customers} c${scoresJoin(cc)} WHERE c.id = ${id} AND c.shop_id = ${p.shop} AND c.merged_into_id IS NULL`,
    values: p.values,
  };
}

/**
 * Preview: one row {total, email_reach, sms_reach, sample}. Reach counts members we may
 * message on the channel: subscribed, with a contact the platform let us see.
 */
export function compileSegmentPreview(tree: SegmentNode, opts: CompileOptions & { sampleSize?: number }): SqlQuery {
  const { from, where, group, p } = compileWhere(tree, opts);
  const limit = p.add(opts.sampleSize ?? 20, "int");
  const text =
    `WITH members AS MATERIALIZED (SELECT c.id, c.email, c.email_available, c.email_consent, c.phone, c.phone_available, c.sms_consent ${from} WHERE ${where}${group}) ` +
    `SELECT count(*)::int AS total, ` +
    `count(*) FILTER (WHERE email_consent = 'subscribed' AND email IS NOT NULL AND email_available)::int AS email_reach, ` +
    `count(*) FILTER (WHERE sms_consent = 'subscribed' AND phone IS NOT NULL AND phone_available)::int AS sms_reach, ` +
    `ARRAY(SELECT id FROM members ORDER BY id LIMIT ${limit}) AS sample FROM members`;
  return { text, values: p.values };
}

export type ReachChannel = "email" | "sms";

/** Members reachable on one channel (ids), for sending. */
export function compileSegmentReach(tree: SegmentNode, opts: CompileOptions & { channel: ReachChannel }): SqlQuery {
  const { from, where, group, p } = compileWhere(tree, opts);
  let reach: string;
  switch (opts.channel) {
    case "email":
      reach = "c.email_consent = 'subscribed' AND c.email IS NOT NULL AND c.email_available";
      break;
    case "sms":
      reach = "c.sms_consent = 'subscribed' AND c.phone IS NOT NULL AND c.phone_available";
      break;
    default:
      return assertNever(opts.channel, "channel");
  }
  return { text: `SELECT c.id ${from} WHERE ${where} AND ${reach}${group}`, values: p.values };
}
