// Forms for the behaviour, product, discount, journey and Shopify-segment conditions of the
// builder (the customer / score / order / engagement / membership forms are in SegmentBuilder).
// Each edits the condition in place through the same SegmentNode tree; choices that come from
// the shop (its journeys, its own Shopify segments) arrive through BuilderChoices.
import { Button, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useContext } from "react";
import type { Condition, PropertyFilter, SegmentNode, Step } from "../../../core/segments/schema";
import { BuilderChoicesContext, step } from "./more-kinds";
import { ComparisonEditor, WindowEditor, label, splitList } from "./SegmentBuilder";

const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));

function NumberField({ testId, label: l, value, suffix, onChange }: { testId: string; label: string; value: number; suffix?: string; onChange: (n: number) => void }) {
  return (
    <div data-testid={testId} style={{ width: 110 }}>
      <TextField label={l} labelHidden type="number" autoComplete="off" value={Number.isFinite(value) ? String(value) : ""} suffix={suffix} onChange={(s) => onChange(num(s))} />
    </div>
  );
}

function FiltersEditor({ filters, onChange, testId }: { filters: PropertyFilter[]; onChange: (f: PropertyFilter[]) => void; testId: string }) {
  const set = (i: number, f: PropertyFilter) => onChange(filters.map((x, j) => (j === i ? f : x)));
  return (
    <>
      {filters.map((f, i) => (
        <InlineStack key={i} gap="100" blockAlign="center">
          <Text as="span" tone="subdued">where</Text>
          <div data-testid={`${testId}-filter-${i}-property`} style={{ width: 140 }}>
            <TextField label="Property" labelHidden autoComplete="off" placeholder="property (a.b)" value={f.property} onChange={(p) => set(i, { ...f, property: p })} />
          </div>
          <ComparisonEditor testId={`${testId}-filter-${i}`} type="text" value={f.cmp} onChange={(cmp) => set(i, { ...f, cmp })} />
          <Button variant="plain" tone="critical" onClick={() => onChange(filters.filter((_, j) => j !== i))}>Remove filter</Button>
        </InlineStack>
      ))}
      <div data-testid={`${testId}-add-filter`}>
        <Button variant="plain" onClick={() => onChange([...filters, { property: "", cmp: { op: "eq", value: "" } }])}>Add property filter</Button>
      </div>
    </>
  );
}

function StepEditor({ value, onChange, testId }: { value: Step; onChange: (s: Step) => void; testId: string }) {
  return (
    <>
      <div data-testid={`${testId}-source`}>
        <Select label="Step" labelHidden options={[{ value: "event", label: "event" }, { value: "order", label: "any order" }]} value={value.source}
          onChange={(s) => onChange(s === "order" ? { source: "order" } : step(""))} />
      </div>
      {value.source === "event" && (
        <>
          <div data-testid={`${testId}-name`} style={{ width: 160 }}>
            <TextField label="Event name" labelHidden autoComplete="off" placeholder="event name" value={value.name} onChange={(name) => onChange({ ...value, name })} />
          </div>
          <FiltersEditor testId={testId} filters={value.filters} onChange={(filters) => onChange({ ...value, filters })} />
        </>
      )}
    </>
  );
}

/** The form for one of MORE_CATEGORIES; `testId` prefixes every control. */
export function MoreConditionBody({ node, onChange, testId }: { node: Condition; onChange: (n: SegmentNode) => void; testId: string }) {
  const choices = useContext(BuilderChoicesContext);
  switch (node.kind) {
    case "event":
      return (
        <>
          <div data-testid={`${testId}-name`} style={{ width: 160 }}>
            <TextField label="Event name" labelHidden autoComplete="off" placeholder="event name" value={node.name} onChange={(name) => onChange({ ...node, name })} />
          </div>
          <ComparisonEditor testId={`${testId}-count`} type="number" countOnly value={node.count} onChange={(count) => onChange({ ...node, count })} />
          <Text as="span" tone="subdued">times in</Text>
          <WindowEditor testId={`${testId}-event-window`} value={node.window} onChange={(window) => onChange({ ...node, window })} />
          <FiltersEditor testId={testId} filters={node.filters} onChange={(filters) => onChange({ ...node, filters })} />
        </>
      );
    case "sequence":
      return (
        <>
          <StepEditor testId={`${testId}-first`} value={node.first} onChange={(first) => onChange({ ...node, first })} />
          <Text as="span" tone="subdued">then</Text>
          <StepEditor testId={`${testId}-then`} value={node.then} onChange={(then) => onChange({ ...node, then })} />
          <Text as="span" tone="subdued">within</Text>
          <NumberField testId={`${testId}-within`} label="Within days" value={node.within_days} suffix="days" onChange={(within_days) => onChange({ ...node, within_days })} />
          <Text as="span" tone="subdued">starting in</Text>
          <WindowEditor testId={`${testId}-sequence-window`} value={node.window} onChange={(window) => onChange({ ...node, window })} />
        </>
      );
    case "reordered_after_first":
      return (
        <>
          <Text as="span" tone="subdued">ordered again within</Text>
          <NumberField testId={`${testId}-within`} label="Within days" value={node.within_days} suffix="days" onChange={(within_days) => onChange({ ...node, within_days })} />
          <Text as="span" tone="subdued">of the first order</Text>
        </>
      );
    case "consecutive_days":
      return (
        <>
          <StepEditor testId={`${testId}-step`} value={node.step} onChange={(s) => onChange({ ...node, step: s })} />
          <Text as="span" tone="subdued">on</Text>
          <NumberField testId={`${testId}-days`} label="Days in a row" value={node.days} suffix="days in a row" onChange={(days) => onChange({ ...node, days })} />
          <Text as="span" tone="subdued">in</Text>
          <WindowEditor testId={`${testId}-consecutive-window`} value={node.window} onChange={(window) => onChange({ ...node, window })} />
        </>
      );
    case "purchased":
      return (
        <>
          <div data-testid={`${testId}-bought`}>
            <Select label="Bought" labelHidden options={[{ value: "yes", label: "bought" }, { value: "no", label: "never bought" }]} value={node.bought ? "yes" : "no"} onChange={(b) => onChange({ ...node, bought: b === "yes" })} />
          </div>
          <Text as="span" tone="subdued">any of these</Text>
          <div data-testid={`${testId}-by`}>
            <Select label="By" labelHidden options={["product", "variant", "collection", "vendor"].map((b) => ({ value: b, label: `${b}s` }))} value={node.by} onChange={(by) => onChange({ ...node, by: by as typeof node.by })} />
          </div>
          <div data-testid={`${testId}-values`} style={{ width: 220 }}>
            <TextField label="Values" labelHidden autoComplete="off" helpText={node.by === "vendor" ? "vendor names, comma-separated" : "ids, comma-separated"} value={node.values.join(", ")} onChange={(s) => onChange({ ...node, values: splitList(s) })} />
          </div>
          <Text as="span" tone="subdued">in</Text>
          <WindowEditor testId={`${testId}-purchased-window`} value={node.window} onChange={(window) => onChange({ ...node, window })} />
        </>
      );
    case "discount_codes":
      return (
        <>
          <div data-testid={`${testId}-used`}>
            <Select label="Used" labelHidden options={[{ value: "yes", label: "used" }, { value: "no", label: "never used" }]} value={node.used ? "yes" : "no"} onChange={(u) => onChange({ ...node, used: u === "yes" })} />
          </div>
          <div data-testid={`${testId}-codes`} style={{ width: 220 }}>
            <TextField label="Codes" labelHidden autoComplete="off" placeholder="any code" helpText="empty: any code" value={node.codes.join(", ")} onChange={(s) => onChange({ ...node, codes: splitList(s) })} />
          </div>
          <Text as="span" tone="subdued">in</Text>
          <WindowEditor testId={`${testId}-discount-window`} value={node.window} onChange={(window) => onChange({ ...node, window })} />
        </>
      );
    case "journey":
      return (
        <>
          <div data-testid={`${testId}-journey`}>
            <Select label="Journey" labelHidden options={choices.journeys.length ? choices.journeys.map((j) => ({ value: j.id, label: j.name })) : [{ value: node.journey_id, label: `journey ${node.journey_id}` }]}
              value={node.journey_id} onChange={(journey_id) => onChange({ ...node, journey_id })} />
          </div>
          <div data-testid={`${testId}-status`}>
            <Select label="Status" labelHidden options={[{ value: "in", label: "is in it" }, { value: "completed", label: "completed it" }, { value: "converted", label: "converted in it" }]}
              value={node.status} onChange={(status) => onChange({ ...node, status: status as typeof node.status })} />
          </div>
        </>
      );
    case "shopify_segment": {
      const known = choices.shopifySegments.some((s) => s.id === node.segment_id);
      const options = [
        ...(known ? [] : [{ value: node.segment_id, label: node.segment_id ? `segment ${node.segment_id}` : "pick a Shopify segment" }]),
        ...choices.shopifySegments.map((s) => ({ value: s.id, label: s.name })),
      ];
      return (
        <>
          <div data-testid={`${testId}-member`}>
            <Select label="Member" labelHidden options={[{ value: "yes", label: "is in" }, { value: "no", label: "is not in" }]} value={node.member ? "yes" : "no"} onChange={(m) => onChange({ ...node, member: m === "yes" })} />
          </div>
          <div data-testid={`${testId}-shopify-segment`}>
            <Select label="Shopify segment" labelHidden options={options} value={node.segment_id} onChange={(segment_id) => onChange({ ...node, segment_id })} />
          </div>
          {!choices.shopifySegments.length && <Text as="span" tone="subdued">No Shopify segments synced yet</Text>}
        </>
      );
    }
    default:
      return (
        <Text as="span" tone="subdued">
          <code>{JSON.stringify(node)}</code>
        </Text>
      );
  }
}
