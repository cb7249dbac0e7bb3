// The segment builder: nested AND / OR groups, NOT, and conditions picked by category from
// the schema's field lists (core/segments/schema.ts), with operators by field type and the
// validation errors shown on the node they name. It edits the one SegmentNode tree the API,
// validation and compiler share; conditions it has no form for are kept as they are.
import { useContext } from "react";
import { BuilderChoicesContext, defaultMoreCondition, isMoreKind, MORE_CATEGORIES, type BuilderChoices } from "./more-kinds";
import { MoreConditionBody } from "./MoreConditions";
import { clusterLabel, RFM_LABELS, STAGE_LABELS } from "../customers/StageBadge";
import { Badge, BlockStack, Box, Button, InlineError, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import {
  CHANNELS,
  CONSENT_STATES,
  CUSTOMER_FIELDS,
  OPERATORS_BY_TYPE,
  ORDER_METRICS,
  SCORE_FIELDS,
  type Comparison,
  type FieldType,
  type Operator,
  type SegmentNode,
  type TimeWindow,
} from "../../../core/segments/schema";

export type ErrorList = { path: string; message: string }[];

type Loose = Record<string, unknown>;

export const label = (s: string) => s.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

/** Field names whose generic label would read as jargon ("Cluster id", "P alive", "Clv"). */
const FIELD_LABELS: Record<string, string> = {
  cluster_id: "Behaviour group",
  p_alive: "P(alive)",
  clv: "Lifetime value",
  rfm_group: "RFM group",
  days_overdue: "Days overdue",
};
const fieldLabel = (f: string) => FIELD_LABELS[f] ?? label(f);

const OP_LABELS: Record<Operator, string> = {
  eq: "is",
  neq: "is not",
  gt: "greater than",
  gte: "at least",
  lt: "less than",
  lte: "at most",
  between: "between",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  ends_with: "ends with",
  has_any: "has any of",
  has_all: "has all of",
  has_none: "has none of",
  is_set: "is set",
  is_not_set: "is not set",
  is_true: "is true",
  is_false: "is false",
  in_window: "in",
  not_in_window: "not in",
};

export const CATEGORIES = [
  { value: "customer", label: "Customer" },
  { value: "score", label: "Scores" },
  { value: "orders", label: "Orders" },
  { value: "engagement", label: "Engagement" },
  { value: "in_segment", label: "Segment membership" },
  ...MORE_CATEGORIES,
] as const;

function fieldsOf(kind: string): Record<string, FieldType> {
  if (kind === "customer") return CUSTOMER_FIELDS;
  if (kind === "score") return SCORE_FIELDS;
  return ORDER_METRICS;
}

type ValueChoice = { value: string; label: string };

/**
 * Score fields whose values are names the scoring writes (stages, RFM groups) or the shop's
 * clusters: the merchant picks one by its label instead of typing "at_risk" or a cluster number.
 */
export function scoreValueChoices(field: string, clusters: BuilderChoices["clusters"]): ValueChoice[] | undefined {
  switch (field) {
    case "stage":
      return Object.entries(STAGE_LABELS).map(([value, s]) => ({ value, label: s.label }));
    case "rfm_group":
      return Object.entries(RFM_LABELS).map(([value, label]) => ({ value, label }));
    case "cluster_id":
      return clusters.length ? clusters.map((c) => ({ value: String(c.id), label: clusterLabel(c) })) : undefined;
    default:
      return undefined;
  }
}

/** A sensible comparison for a field type, so switching fields never leaves an invalid op. */
export function defaultComparison(type: FieldType): Comparison {
  switch (type) {
    case "number":
      return { op: "gte", value: 1 };
    case "date":
      return { op: "in_window", window: { kind: "last_days", days: 30 } };
    case "boolean":
      return { op: "is_true" };
    case "consent":
      return { op: "in", values: ["subscribed"] };
    case "list":
      return { op: "has_any", values: ["vip"] };
    default:
      return { op: "eq", value: "" };
  }
}

export function defaultCondition(kind: string, segments: { id: string }[] = []): SegmentNode {
  switch (kind) {
    case "customer":
      return { kind: "customer", field: "country", cmp: { op: "eq", value: "US" } };
    case "score":
      return { kind: "score", field: "recency_score", cmp: { op: "gte", value: 4 } };
    case "engagement":
      return { kind: "engagement", action: "opened", window: { kind: "last_days", days: 30 }, count: { op: "gte", value: 1 } };
    case "in_segment":
      return { kind: "in_segment", segment_id: segments[0]?.id ?? "1", member: true };
    default:
      return { kind: "orders", metric: "count", window: { kind: "all_time" }, cmp: { op: "gte", value: 1 } };
  }
}

function comparisonFor(op: Operator, type: FieldType, prev: Comparison): Comparison {
  const num = (v: unknown, d = 0) => (typeof v === "number" ? v : d);
  const p = prev as Loose;
  switch (op) {
    case "eq":
    case "neq":
      return { op, value: type === "number" ? num(p.value) : typeof p.value === "string" ? p.value : "" };
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return { op, value: num(p.value, 1) };
    case "between":
      return { op, min: 0, max: 10 };
    case "in":
    case "not_in":
      return { op, values: type === "consent" ? ["subscribed"] : type === "number" ? [1] : ["a"] };
    case "contains":
    case "not_contains":
    case "starts_with":
    case "ends_with":
      return { op, value: typeof p.value === "string" && p.value ? p.value : "a" };
    case "has_any":
    case "has_all":
    case "has_none":
      return { op, values: ["vip"] };
    case "in_window":
    case "not_in_window":
      return { op, window: "window" in prev ? prev.window : { kind: "last_days", days: 30 } };
    default:
      return { op } as Comparison;
  }
}

export const splitList = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

export function WindowEditor({ value, onChange, testId }: { value: TimeWindow; onChange: (w: TimeWindow) => void; testId: string }) {
  const kinds = [
    { value: "all_time", label: "all time" },
    { value: "last_days", label: "the last N days" },
    { value: "older_than_days", label: "more than N days ago" },
    { value: "between_days_ago", label: "between N and M days ago" },
    { value: "next_days", label: "the next N days" },
  ];
  const set = (kind: string) => {
    if (kind === "all_time") onChange({ kind: "all_time" });
    else if (kind === "between_days_ago") onChange({ kind, min: 30, max: 60 });
    else onChange({ kind: kind as "last_days", days: "days" in value ? value.days : 30 });
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      <div data-testid={`${testId}-kind`}>
        <Select label="Window" labelHidden options={value.kind === "absolute" ? [...kinds, { value: "absolute", label: "dates" }] : kinds} value={value.kind} onChange={set} />
      </div>
      {"days" in value && (
        <div data-testid={`${testId}-days`} style={{ width: 90 }}>
          <TextField label="Days" labelHidden type="number" autoComplete="off" value={String(value.days)} onChange={(v) => onChange({ ...value, days: Number(v) } as TimeWindow)} suffix="days" />
        </div>
      )}
      {value.kind === "between_days_ago" && (
        <>
          <div style={{ width: 80 }}>
            <TextField label="From" labelHidden type="number" autoComplete="off" value={String(value.min)} onChange={(v) => onChange({ ...value, min: Number(v) })} />
          </div>
          <Text as="span">and</Text>
          <div style={{ width: 80 }}>
            <TextField label="To" labelHidden type="number" autoComplete="off" value={String(value.max)} onChange={(v) => onChange({ ...value, max: Number(v) })} suffix="days ago" />
          </div>
        </>
      )}
    </InlineStack>
  );
}

export function ComparisonEditor({
  type,
  value,
  onChange,
  testId,
  countOnly,
  choices,
}: {
  type: FieldType;
  value: Comparison;
  onChange: (c: Comparison) => void;
  testId: string;
  countOnly?: boolean;
  /** Known values of the field: "is" / "is not" pick one of them. */
  choices?: ValueChoice[];
}) {
  const ops = (countOnly ? (["eq", "neq", "gt", "gte", "lt", "lte", "between"] as Operator[]) : OPERATORS_BY_TYPE[type]).map((o) => ({ value: o, label: OP_LABELS[o] }));
  const v = value as Loose;
  const isNumber = type === "number" || countOnly;
  return (
    <InlineStack gap="200" blockAlign="center">
      <div data-testid={`${testId}-op`}>
        <Select label="Operator" labelHidden options={ops} value={value.op} onChange={(op) => onChange(comparisonFor(op as Operator, countOnly ? "number" : type, value))} />
      </div>
      {"value" in value && choices && (value.op === "eq" || value.op === "neq") && (
        <div data-testid={`${testId}-value`}>
          <Select
            label="Value"
            labelHidden
            // A stored value outside the list (edited as JSON) stays visible rather than silently changing.
            options={choices.some((c) => c.value === String(v.value)) ? choices : [{ value: String(v.value ?? ""), label: String(v.value ?? "") }, ...choices]}
            value={String(v.value ?? "")}
            onChange={(s) => onChange({ ...value, value: isNumber ? Number(s) : s } as Comparison)}
          />
        </div>
      )}
      {"value" in value && !(choices && (value.op === "eq" || value.op === "neq")) && (
        <div data-testid={`${testId}-value`} style={{ width: 160 }}>
          <TextField
            label="Value"
            labelHidden
            autoComplete="off"
            type={isNumber ? "number" : "text"}
            value={String(v.value ?? "")}
            onChange={(s) => onChange({ ...value, value: isNumber ? Number(s) : s } as Comparison)}
          />
        </div>
      )}
      {value.op === "between" && (
        <>
          <div style={{ width: 90 }}>
            <TextField label="Min" labelHidden type="number" autoComplete="off" value={String(value.min)} onChange={(s) => onChange({ ...value, min: Number(s) })} />
          </div>
          <Text as="span">and</Text>
          <div style={{ width: 90 }}>
            <TextField label="Max" labelHidden type="number" autoComplete="off" value={String(value.max)} onChange={(s) => onChange({ ...value, max: Number(s) })} />
          </div>
        </>
      )}
      {"values" in value && (
        <div data-testid={`${testId}-values`} style={{ width: 220 }}>
          <TextField
            label="Values"
            labelHidden
            autoComplete="off"
            helpText={type === "consent" ? CONSENT_STATES.join(", ") : choices ? `comma-separated: ${choices.map((c) => `${c.value} (${c.label})`).join(", ")}` : "comma-separated"}
            value={(value.values as unknown[]).join(", ")}
            onChange={(s) => onChange({ ...value, values: type === "number" ? splitList(s).map(Number) : splitList(s) } as Comparison)}
          />
        </div>
      )}
      {"window" in value && <WindowEditor testId={`${testId}-window`} value={value.window} onChange={(w) => onChange({ ...value, window: w } as Comparison)} />}
    </InlineStack>
  );
}

interface NodeProps {
  node: SegmentNode;
  path: string;
  errors: ErrorList;
  segments: { id: string; name: string }[];
  onChange: (n: SegmentNode) => void;
  onRemove?: () => void;
}

function NodeErrors({ path, errors }: { path: string; errors: ErrorList }) {
  // Errors on this node itself or on its own fields (not on child nodes).
  const mine = errors.filter((e) => e.path === path || (e.path.startsWith(path + ".") && !/\.(children\[\d+\]|child)(\.|\[|$)/.test(e.path.slice(path.length))));
  if (!mine.length) return null;
  return (
    <div data-testid="node-error">
      {mine.map((e) => (
        <InlineError key={e.path + e.message} fieldID={path} message={`${e.path}: ${e.message}`} />
      ))}
    </div>
  );
}

function ConditionEditor({ node, path, errors, segments, onChange, onRemove }: NodeProps) {
  const n = node as Loose & SegmentNode;
  const choices = useContext(BuilderChoicesContext);
  const category = CATEGORIES.some((c) => c.value === n.kind) ? n.kind : null;
  const testId = `cond-${path.replace(/[^a-z0-9]+/gi, "-")}`;
  let body: JSX.Element;
  if (n.kind === "customer" || n.kind === "score") {
    const fields = fieldsOf(n.kind);
    const type = fields[n.field] ?? "text";
    const valueChoices = n.kind === "score" ? scoreValueChoices(n.field, choices.clusters) : undefined;
    const firstChoice = (f: string) => {
      const first = n.kind === "score" ? scoreValueChoices(f, choices.clusters)?.[0] : undefined;
      if (!first) return defaultComparison(fields[f]);
      return { op: "eq", value: fields[f] === "number" ? Number(first.value) : first.value } as Comparison;
    };
    body = (
      <>
        <div data-testid={`${testId}-field`}>
          <Select
            label="Field"
            labelHidden
            options={Object.keys(fields).map((f) => ({ value: f, label: fieldLabel(f) }))}
            value={n.field}
            onChange={(f) => onChange({ ...n, field: f, cmp: firstChoice(f) } as SegmentNode)}
          />
        </div>
        <ComparisonEditor testId={testId} type={type} value={n.cmp} choices={valueChoices} onChange={(cmp) => onChange({ ...n, cmp } as SegmentNode)} />
      </>
    );
  } else if (n.kind === "orders") {
    const type = ORDER_METRICS[n.metric as keyof typeof ORDER_METRICS] ?? "number";
    body = (
      <>
        <div data-testid={`${testId}-field`}>
          <Select
            label="Metric"
            labelHidden
            options={Object.keys(ORDER_METRICS).map((f) => ({ value: f, label: label(f) }))}
            value={n.metric}
            onChange={(m) => onChange({ ...n, metric: m, cmp: defaultComparison(ORDER_METRICS[m as keyof typeof ORDER_METRICS]) } as SegmentNode)}
          />
        </div>
        <ComparisonEditor testId={testId} type={type} value={n.cmp} onChange={(cmp) => onChange({ ...n, cmp } as SegmentNode)} />
        <Text as="span" tone="subdued">
          over orders in
        </Text>
        <WindowEditor testId={`${testId}-orders-window`} value={n.window} onChange={(w) => onChange({ ...n, window: w } as SegmentNode)} />
      </>
    );
  } else if (n.kind === "engagement") {
    body = (
      <>
        <Select label="Action" labelHidden options={["received", "opened", "clicked", "unsubscribed"].map((a) => ({ value: a, label: label(a) }))} value={n.action} onChange={(a) => onChange({ ...n, action: a as "opened" })} />
        <Select
          label="Channel"
          labelHidden
          options={[{ value: "", label: "any channel" }, ...CHANNELS.map((c) => ({ value: c, label: c }))]}
          value={n.channel ?? ""}
          onChange={(c) => onChange({ ...n, channel: (c || undefined) as "email" | undefined })}
        />
        <ComparisonEditor testId={testId} type="number" countOnly value={n.count} onChange={(count) => onChange({ ...n, count })} />
        <Text as="span" tone="subdued">
          times in
        </Text>
        <WindowEditor testId={`${testId}-engagement-window`} value={n.window} onChange={(w) => onChange({ ...n, window: w })} />
      </>
    );
  } else if (n.kind === "in_segment") {
    body = (
      <>
        <Select label="Member" labelHidden options={[{ value: "yes", label: "is in" }, { value: "no", label: "is not in" }]} value={n.member ? "yes" : "no"} onChange={(m) => onChange({ ...n, member: m === "yes" })} />
        <Select
          label="Segment"
          labelHidden
          options={segments.length ? segments.map((s) => ({ value: s.id, label: s.name })) : [{ value: n.segment_id, label: `segment ${n.segment_id}` }]}
          value={n.segment_id}
          onChange={(id) => onChange({ ...n, segment_id: id })}
        />
      </>
    );
  } else {
    body = <MoreConditionBody testId={testId} node={n as Extract<SegmentNode, { kind: (typeof MORE_CATEGORIES)[number]["value"] }>} onChange={onChange} />;
  }
  return (
    <Box padding="200" borderWidth="025" borderColor="border" borderRadius="200">
      <div data-testid={testId}>
        <InlineStack gap="200" blockAlign="center" wrap>
          {category ? (
            <div data-testid={`${testId}-category`}>
              <Select label="Category" labelHidden options={[...CATEGORIES]} value={category} onChange={(k) => onChange(isMoreKind(k) ? defaultMoreCondition(k, choices) : defaultCondition(k, segments))} />
            </div>
          ) : (
            <Badge>{label(n.kind)}</Badge>
          )}
          {body}
          {onRemove && (
            <Button variant="plain" tone="critical" onClick={onRemove} accessibilityLabel="Remove condition">
              Remove
            </Button>
          )}
        </InlineStack>
        <NodeErrors path={path} errors={errors} />
      </div>
    </Box>
  );
}

export function NodeEditor(props: NodeProps) {
  const { node, path, errors, onChange, onRemove } = props;
  if (node.kind === "not") {
    return (
      <Box padding="200" borderWidth="025" borderColor="border-critical" borderRadius="200">
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Badge tone="critical">NOT</Badge>
            <Button variant="plain" onClick={() => onChange(node.child)}>
              Remove NOT
            </Button>
          </InlineStack>
          <NodeEditor {...props} node={node.child} path={`${path}.child`} onChange={(child) => onChange({ kind: "not", child })} onRemove={onRemove} />
        </BlockStack>
      </Box>
    );
  }
  if (node.kind === "and" || node.kind === "or") {
    const testId = `group-${path.replace(/[^a-z0-9]+/gi, "-")}`;
    const setChild = (i: number, c: SegmentNode) => onChange({ ...node, children: node.children.map((x, j) => (j === i ? c : x)) });
    return (
      <Box padding="300" borderWidth="025" borderColor="border" borderRadius="300" background="bg-surface-secondary">
        <div data-testid={testId}>
          <BlockStack gap="200">
            <InlineStack gap="200" blockAlign="center">
              <div data-testid={`${testId}-kind`}>
                <Select
                  label="Match"
                  labelHidden
                  options={[
                    { value: "and", label: "All of (AND)" },
                    { value: "or", label: "Any of (OR)" },
                  ]}
                  value={node.kind}
                  onChange={(k) => onChange({ ...node, kind: k as "and" | "or" })}
                />
              </div>
              {onRemove && (
                <Button variant="plain" tone="critical" onClick={onRemove}>
                  Remove group
                </Button>
              )}
            </InlineStack>
            <NodeErrors path={path} errors={errors} />
            {node.children.map((c, i) => (
              <InlineStack key={i} gap="100" blockAlign="start" wrap={false}>
                <div style={{ flex: 1 }}>
                  <NodeEditor
                    {...props}
                    node={c}
                    path={`${path}.children[${i}]`}
                    onChange={(x) => setChild(i, x)}
                    onRemove={node.children.length > 1 ? () => onChange({ ...node, children: node.children.filter((_, j) => j !== i) }) : undefined}
                  />
                </div>
                {c.kind !== "not" && (
                  <Button variant="plain" onClick={() => setChild(i, { kind: "not", child: c })}>
                    NOT
                  </Button>
                )}
              </InlineStack>
            ))}
            <InlineStack gap="200">
              <Button onClick={() => onChange({ ...node, children: [...node.children, defaultCondition("orders")] })}>Add condition</Button>
              <Button onClick={() => onChange({ ...node, children: [...node.children, { kind: node.kind === "and" ? "or" : "and", children: [defaultCondition("customer")] }] })}>
                Add group
              </Button>
            </InlineStack>
          </BlockStack>
        </div>
      </Box>
    );
  }
  return <ConditionEditor {...props} />;
}
