// The journey editor's Polaris forms: one per node kind, and one for the journey itself
// (name, trigger, entry rules, goal, exit criteria, stage, priority, alert target). Every field is a field
// of the one journey schema (core/journeys/schema.ts); the forms edit a draft, which may be
// incomplete, and the publish validation says what is still wrong.
import { Badge, BlockStack, Button, Checkbox, ChoiceList, Divider, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { Link as RemixLink } from "@remix-run/react";
import { createContext, useContext, useEffect, useState, type ReactElement } from "react";
import { NODE_KIND_LABELS, type DraftJourney, type DraftNode } from "../../../core/journeys/graph-layout";
import { DEFAULT_HEALTH } from "../../../core/journeys/health";
import type { NodeType } from "../../../core/journeys/schema";
import { WEBHOOK_CUSTOMER_FIELDS } from "../../../core/journeys/webhook-url";
import type { SegmentNode } from "../../../core/segments/schema";
import { validateSegment } from "../../../core/segments/validate";
import { lifecycleStageSchema } from "../../../core/scoring/schema";
import { defaultCondition, NodeEditor } from "../segments/SegmentBuilder";
import { CONSENT_CONDITIONS, withCurrent, type Choice, type EditorChoices } from "./editor-choices";

type Loose = Record<string, unknown>;
const isObj = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);
const s = (v: unknown): string => (typeof v === "string" ? v : "");

const CHANNELS: Choice[] = [{ value: "email", label: "Email" }, { value: "sms", label: "SMS" }, { value: "push", label: "Web push" }];
const PURPOSES: Choice[] = [{ value: "promotional", label: "Promotional" }, { value: "informational", label: "Informational" }, { value: "transactional", label: "Transactional" }];
const UNITS: Choice[] = [{ value: "minutes", label: "minutes" }, { value: "hours", label: "hours" }, { value: "days", label: "days" }];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const STAGES: Choice[] = lifecycleStageSchema.options.map((x) => ({ value: x, label: x.replace(/_/g, " ") }));

/** Sets or (for undefined) removes one key. */
function put<T extends Loose>(o: T, key: string, value: unknown): T {
  const copy: Loose = { ...o };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy as T;
}

/** A number field; empty is undefined (or the field's required state, left to validation). */
function NumberField(props: { label: string; value: unknown; onChange: (v: number | undefined) => void; helpText?: string; suffix?: string }) {
  const [text, setText] = useState(typeof props.value === "number" ? String(props.value) : "");
  useEffect(() => {
    if (Number(text) !== props.value || text === "") setText(typeof props.value === "number" ? String(props.value) : "");
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.value]);
  return (
    <TextField label={props.label} type="number" autoComplete="off" value={text} helpText={props.helpText} suffix={props.suffix}
      onChange={(t) => { setText(t); props.onChange(t.trim() === "" || !Number.isFinite(Number(t)) ? undefined : Number(t)); }} />
  );
}

function DurationField(props: { label: string; value: unknown; onChange: (v: Loose) => void }) {
  const d = isObj(props.value) ? props.value : { amount: 0, unit: "days" };
  return (
    <InlineStack gap="200" blockAlign="end" wrap={false}>
      <div style={{ flex: 1 }}><NumberField label={props.label} value={d.amount} onChange={(v) => props.onChange({ ...d, amount: v ?? 0 })} /></div>
      <Select label={`${props.label} unit`} labelHidden options={UNITS} value={s(d.unit)} onChange={(v) => props.onChange({ ...d, unit: v })} />
    </InlineStack>
  );
}

function WeekdaysField(props: { label: string; value: unknown; onChange: (v: number[]) => void }) {
  const days = Array.isArray(props.value) ? (props.value as number[]) : [];
  return (
    <ChoiceList title={props.label} allowMultiple choices={WEEKDAYS.map((w, i) => ({ label: w, value: String(i) }))}
      selected={days.map(String)} onChange={(v) => props.onChange(v.map(Number).sort((a, b) => a - b))} />
  );
}

const listText = (v: unknown) => (Array.isArray(v) ? v.join(", ") : "");
const textList = (t: string) => t.split(",").map((x) => x.trim()).filter((x) => x !== "");

/** A field whose text is parsed on every change; a parse failure is shown, not saved. */
function JsonField(props: { label: string; value: unknown; onChange: (v: unknown) => void; helpText?: string }) {
  const [text, setText] = useState(JSON.stringify(props.value ?? {}, null, 1));
  const [error, setError] = useState<string | undefined>();
  return (
    <TextField label={props.label} multiline={3} autoComplete="off" monospaced value={text} error={error} helpText={props.helpText}
      onChange={(t) => {
        setText(t);
        try { props.onChange(JSON.parse(t)); setError(undefined); } catch (e) { setError((e as Error).message); }
      }} />
  );
}

/** A problem on the selected node; `field` (a path inside the node) puts it beside that field. */
export interface FieldProblem {
  message: string;
  field?: string;
}

/** The selected node's problems by field, for the fields that show their own. */
const FieldErrors = createContext<(field: string) => ReactElement | undefined>(() => undefined);

/** The problems whose field is `field` or inside it, as a Polaris field error. */
function fieldErrorOf(problems: readonly FieldProblem[], field: string): ReactElement | undefined {
  const mine = problems.filter((p) => p.field === field || p.field?.startsWith(`${field}.`));
  if (mine.length === 0) return undefined;
  return <span data-form-error data-field-error={field}>{mine.map((p) => p.message).join("; ")}</span>;
}

/**
 * The fields each kind shows its own problems beside (the field's root in the node). Any other
 * problem of the node is listed above its form.
 */
const INLINE_FIELDS: Partial<Record<NodeType, readonly string[]>> = {
  condition: ["conditionId", "segment"],
  webhook: ["url", "fields"],
  notify_merchant: ["message", "subject", "email"],
};

const isInline = (type: string, p: FieldProblem) =>
  p.field !== undefined && (INLINE_FIELDS[type as NodeType] ?? []).some((f) => p.field === f || p.field!.startsWith(`${f}.`));

export interface NodeFormProps {
  node: DraftNode;
  errors: FieldProblem[];
  choices: EditorChoices;
  takenIds: ReadonlySet<string>;
  onChange: (node: DraftNode) => void;
  onDelete: () => void;
}

/** The selected node's form: its id and label, then the fields of its kind. */
export function NodeForm({ node, errors, choices, takenIds, onChange, onDelete }: NodeFormProps) {
  const [id, setId] = useState(node.id);
  useEffect(() => setId(node.id), [node.id]);
  const idError = id.trim() === "" ? "an id is required" : id !== node.id && takenIds.has(id) ? "another node has this id" : undefined;
  const set = (key: string, value: unknown) => onChange(put(node, key, value));
  const general = errors.filter((e) => !isInline(node.type, e));
  return (
    <div data-node-form={node.id}>
      <FieldErrors.Provider value={(field) => fieldErrorOf(errors, field)}>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">{NODE_KIND_LABELS[node.type as NodeType] ?? node.type}</Text>
          <Button tone="critical" variant="plain" onClick={onDelete} accessibilityLabel={`Delete node ${node.id}`}>Delete</Button>
        </InlineStack>
        {general.length > 0 && (
          <BlockStack gap="100">
            {general.map((e, i) => <Text key={i} as="p" tone="critical" variant="bodySm"><span data-form-error>{e.message}</span></Text>)}
          </BlockStack>
        )}
        <BlockStack gap="300">
          <TextField label="Node id" autoComplete="off" value={id} error={idError} onChange={setId}
            onBlur={() => { if (!idError && id !== node.id) onChange({ ...node, id }); }} helpText="Renaming keeps every connection." />
          <TextField label="Label" autoComplete="off" value={s(node.label)} onChange={(v) => set("label", v === "" ? undefined : v)} />
          <KindFields node={node} choices={choices} set={set} onChange={onChange} />
        </BlockStack>
      </BlockStack>
      </FieldErrors.Provider>
    </div>
  );
}

const INLINE_CONDITION = "__inline";
const WEBHOOK_FIELD_LABELS: Record<(typeof WEBHOOK_CUSTOMER_FIELDS)[number], string> = {
  email: "Email", phone: "Phone", first_name: "First name", last_name: "Last name", locale: "Language (locale)", country: "Country",
  province: "State / province", city: "City", zip: "Postal code", timezone: "Time zone", tags: "Tags",
};

/**
 * A branch on the shop's segments or consent, or on a condition built here with the segment
 * builder (evaluated for the customer when the step runs). An inline condition needs its own
 * condition id: it is named after the node, so two branches never share one by accident.
 */
function ConditionFields({ node, choices, onChange }: { node: DraftNode; choices: EditorChoices; onChange: (n: DraftNode) => void }) {
  const fieldError = useContext(FieldErrors);
  const inline = isObj(node.segment);
  const options = [
    ...CONSENT_CONDITIONS,
    ...choices.segments.map((x) => ({ value: x.value, label: `In segment: ${x.label}` })),
    { value: INLINE_CONDITION, label: "Custom condition (build it here)" },
  ];
  const pick = (v: string) => {
    if (v === INLINE_CONDITION) {
      if (!inline) onChange({ ...node, conditionId: `${node.id}-condition`, segment: { kind: "and", children: [defaultCondition("orders")] } });
      return;
    }
    onChange(put({ ...node, conditionId: v }, "segment", undefined));
  };
  // The builder's own checks, with paths it can place on its nodes ("root.children[0]...").
  const tree = inline ? (node.segment as unknown as SegmentNode) : undefined;
  const checked = tree ? validateSegment(tree) : undefined;
  const treeErrors = checked && !checked.ok ? checked.error : [];
  return (
    <>
      <Select label="Condition" value={inline ? INLINE_CONDITION : s(node.conditionId)} onChange={pick}
        options={withCurrent(options, inline ? INLINE_CONDITION : s(node.conditionId), "Choose a condition")} error={fieldError("conditionId")}
        helpText="True when the customer has the consent, is in the segment, or matches the custom condition at this step." />
      {tree && (
        <div data-inline-condition>
          <BlockStack gap="200">
            <NodeEditor node={tree} path="root" errors={treeErrors} segments={choices.segments.map((x) => ({ id: x.value, name: x.label }))}
              onChange={(t) => onChange({ ...node, segment: t as unknown as Loose })} />
            {treeErrors.length === 0 && fieldError("segment")}
          </BlockStack>
        </div>
      )}
    </>
  );
}

/** POSTs the journey, node, enrollment and customer ids, and exactly the customer fields chosen. */
function WebhookFields({ node, set }: { node: DraftNode; set: (k: string, v: unknown) => void }) {
  const fieldError = useContext(FieldErrors);
  const chosen = Array.isArray(node.fields) ? (node.fields as string[]) : [];
  return (
    <>
      <TextField label="URL" type="url" autoComplete="off" value={s(node.url)} onChange={(v) => set("url", v)} error={fieldError("url")}
        helpText="HTTPS, on a public address." />
      <Text as="p" variant="bodySm">
        <span data-webhook-method>Method: POST, JSON body</span>, signed with your shop's secret in the <code>x-winback-signature</code> header
        (<RemixLink to="/app/settings/webhooks">Settings › Webhooks</RemixLink> shows the secret and how to check it). Failed calls are retried.
      </Text>
      <ChoiceList title="Customer fields to include" allowMultiple error={fieldError("fields")}
        choices={WEBHOOK_CUSTOMER_FIELDS.map((f) => ({ value: f, label: WEBHOOK_FIELD_LABELS[f] }))}
        selected={chosen} onChange={(v) => set("fields", WEBHOOK_CUSTOMER_FIELDS.filter((f) => v.includes(f)))} />
      <Text as="p" variant="bodySm" tone="subdued">The customer's id, the journey, the step and the enrollment are always sent; nothing else unless chosen.</Text>
    </>
  );
}

/** The merchant hears about the customer: always as an in-app alert, and by email when chosen. */
function NotifyFields({ node, set }: { node: DraftNode; set: (k: string, v: unknown) => void }) {
  const fieldError = useContext(FieldErrors);
  return (
    <>
      <TextField label="Subject" autoComplete="off" value={s(node.subject)} onChange={(v) => set("subject", v === "" ? undefined : v)} error={fieldError("subject")}
        placeholder="Winback: <journey name>" helpText="Optional; Liquid like the message." />
      <TextField label="Message" autoComplete="off" multiline={4} value={s(node.message)} onChange={(v) => set("message", v)} error={fieldError("message")}
        helpText="Liquid with the customer's and shop's variables: {{ customer.first_name }}, {{ customer.email }}, {{ customer.orders_count }}, {{ customer.total_spent }}, {{ customer.days_since_last_order }}, {{ shop.name }}. A blank value renders empty, so | default: works." />
      <BlockStack gap="100">
        <Text as="p" fontWeight="semibold">Channels</Text>
        <Checkbox label="In-app alert (Alerts page)" checked disabled helpText="Always: every notification is listed under Alerts." />
        <Checkbox label="Email to the shop's contact address" checked={node.email !== false} onChange={(v) => set("email", v)} error={fieldError("email")}
          helpText="Sent through your email channel (Settings › Channels)." />
      </BlockStack>
    </>
  );
}

function KindFields({ node, choices, set, onChange }: { node: DraftNode; choices: EditorChoices; set: (k: string, v: unknown) => void; onChange: (n: DraftNode) => void }) {
  switch (node.type) {
    case "wait":
      return <DurationField label="Wait for" value={node.duration} onChange={(v) => set("duration", v)} />;
    case "wait_until_local":
      return (
        <>
          <TextField label="Local time (HH:MM)" autoComplete="off" value={s(node.localTime)} onChange={(v) => set("localTime", v)} />
          <WeekdaysField label="On" value={node.weekdays ?? [0, 1, 2, 3, 4, 5, 6]} onChange={(v) => set("weekdays", v)} />
        </>
      );
    case "wait_for_event":
      return (
        <>
          <TextField label="Event name" autoComplete="off" value={s(node.event)} onChange={(v) => set("event", v)} helpText="The event outcome follows when it arrives; the timeout outcome otherwise." />
          <DurationField label="Timeout" value={node.timeout} onChange={(v) => set("timeout", v)} />
        </>
      );
    case "condition":
      return <ConditionFields node={node} choices={choices} onChange={onChange} />;
    case "ab_split": {
      const variants = Array.isArray(node.variants) ? (node.variants as Loose[]) : [];
      const setVariants = (v: Loose[]) => set("variants", v);
      return (
        <BlockStack gap="200">
          {variants.map((v, i) => (
            <InlineStack key={i} gap="200" blockAlign="end" wrap={false}>
              <TextField label={`Variant ${i + 1} key`} autoComplete="off" value={s(v.key)} onChange={(k) => setVariants(variants.map((x, j) => (j === i ? { ...x, key: k } : x)))} />
              <NumberField label="Weight" value={v.weight} onChange={(w) => setVariants(variants.map((x, j) => (j === i ? put(x, "weight", w) : x)))} />
              <Button onClick={() => setVariants(variants.filter((_, j) => j !== i))} accessibilityLabel={`Remove variant ${s(v.key)}`}>Remove</Button>
            </InlineStack>
          ))}
          <Button onClick={() => {
            let n = variants.length;
            const keys = new Set(variants.map((v) => s(v.key)));
            while (keys.has(String.fromCharCode(97 + n))) n++;
            setVariants([...variants, { key: String.fromCharCode(97 + (n % 26)), weight: 50 }]);
          }}>Add variant</Button>
        </BlockStack>
      );
    }
    case "holdout":
      return <NumberField label="Control group" suffix="%" value={node.controlPercent} onChange={(v) => set("controlPercent", v)} helpText="They get nothing and leave; their assignment measures lift." />;
    case "send": {
      const channel = s(node.channel);
      return (
        <>
          <Select label="Channel" options={CHANNELS} value={channel} onChange={(v) => {
            const keep = choices.contents.some((c) => c.channel === v && c.value === node.contentId);
            onChange({ ...node, channel: v, contentId: keep ? node.contentId : "" });
          }} />
          <Select label="Message" value={s(node.contentId)} onChange={(v) => set("contentId", v)}
            options={withCurrent(choices.contents.filter((c) => c.channel === channel), s(node.contentId), "Choose a message")} />
          <Select label="Purpose" options={PURPOSES} value={s(node.purpose)} onChange={(v) => set("purpose", v)} />
          <Select label="Fallback channel" options={[{ value: "", label: "None" }, ...CHANNELS]} value={s(node.fallbackChannel)}
            onChange={(v) => set("fallbackChannel", v === "" ? undefined : v)} />
          <Select label="When a cap or quiet hours hold it" value={s(node.whenCapped) || "wait"} onChange={(v) => set("whenCapped", v)}
            options={[{ value: "wait", label: "Wait until allowed" }, { value: "skip", label: "Skip this message" }]} />
        </>
      );
    }
    case "offer": {
      const ladder = choices.offers.some((o) => o.ladder && o.value === node.offerId);
      return (
        <>
          <Select label="Offer" value={s(node.offerId)} onChange={(v) => set("offerId", v)} options={withCurrent(choices.offers, s(node.offerId), "Choose an offer")} />
          {(ladder || node.ladderStep !== undefined) && (
            <NumberField label="Ladder step" value={node.ladderStep} onChange={(v) => set("ladderStep", v)} helpText="0 is the ladder's first step; empty lets the ladder move on by itself." />
          )}
        </>
      );
    }
    case "update_customer":
      return (
        <>
          <TextField label="Add tags" autoComplete="off" value={listText(node.addTags)} onChange={(v) => set("addTags", textList(v))} helpText="Comma separated" />
          <TextField label="Remove tags" autoComplete="off" value={listText(node.removeTags)} onChange={(v) => set("removeTags", textList(v))} helpText="Comma separated" />
          <JsonField label="Properties" value={node.properties} onChange={(v) => set("properties", v)} helpText='JSON: {"key": "text", "n": 1, "flag": true}' />
        </>
      );
    case "webhook":
      return <WebhookFields node={node} set={set} />;
    case "notify_merchant":
      return <NotifyFields node={node} set={set} />;
    case "exit":
      return <Text as="p" tone="subdued">Customers leave the journey here.</Text>;
    default:
      return <Text as="p" tone="critical">Unknown node type "{node.type}": edit it in the Advanced tab.</Text>;
  }
}

const TRIGGERS: Choice[] = [
  { value: "segment_entered", label: "Enters a segment" },
  { value: "segment_exited", label: "Leaves a segment" },
  { value: "order_placed", label: "Places an order" },
  { value: "lifecycle_stage_changed", label: "Lifecycle stage changes" },
  { value: "behaviour_event", label: "Storefront behaviour event" },
  { value: "custom_event", label: "Custom event" },
  { value: "first_order_anniversary", label: "First order anniversary" },
  { value: "birthday", label: "Birthday" },
  { value: "expected_next_order_passed", label: "Expected next order has passed" },
  { value: "scheduled_campaign", label: "Scheduled campaign" },
];

function newTrigger(kind: string): Loose {
  switch (kind) {
    case "segment_entered": case "segment_exited": return { kind, segmentId: "" };
    case "behaviour_event": case "custom_event": return { kind, name: "" };
    case "first_order_anniversary": case "birthday": return { kind, localTime: "10:00" };
    case "expected_next_order_passed": return { kind, graceDays: 7 };
    case "scheduled_campaign": return { kind, segmentId: "", schedule: { kind: "once", date: "", localTime: "10:00" } };
    default: return { kind };
  }
}

function TriggerFields({ trigger, choices, onChange }: { trigger: Loose; choices: EditorChoices; onChange: (t: Loose) => void }) {
  const set = (k: string, v: unknown) => onChange(put(trigger, k, v));
  const segment = (
    <Select label="Segment" value={s(trigger.segmentId)} onChange={(v) => set("segmentId", v)} options={withCurrent(choices.segments, s(trigger.segmentId), "Choose a segment")} />
  );
  const schedule = isObj(trigger.schedule) ? trigger.schedule : { kind: "once" };
  const setSchedule = (k: string, v: unknown) => set("schedule", put(schedule, k, v));
  return (
    <>
      <Select label="Trigger" options={withCurrent(TRIGGERS, s(trigger.kind), "Choose a trigger")} value={s(trigger.kind)} onChange={(v) => onChange(newTrigger(v))} />
      {(trigger.kind === "segment_entered" || trigger.kind === "segment_exited" || trigger.kind === "scheduled_campaign") && segment}
      {trigger.kind === "lifecycle_stage_changed" && (
        <>
          <Select label="From stage" options={[{ value: "", label: "Any" }, ...STAGES]} value={s(trigger.fromStage)} onChange={(v) => set("fromStage", v || undefined)} />
          <Select label="To stage" options={[{ value: "", label: "Any" }, ...STAGES]} value={s(trigger.toStage)} onChange={(v) => set("toStage", v || undefined)} />
        </>
      )}
      {(trigger.kind === "behaviour_event" || trigger.kind === "custom_event") && (
        <TextField label="Event name" autoComplete="off" value={s(trigger.name)} onChange={(v) => set("name", v)} />
      )}
      {(trigger.kind === "first_order_anniversary" || trigger.kind === "birthday") && (
        <TextField label="Local time (HH:MM)" autoComplete="off" value={s(trigger.localTime)} onChange={(v) => set("localTime", v)} />
      )}
      {trigger.kind === "expected_next_order_passed" && (
        <NumberField label="Grace days" value={trigger.graceDays} onChange={(v) => set("graceDays", v)} />
      )}
      {trigger.kind === "scheduled_campaign" && (
        <>
          <Select label="Schedule" options={[{ value: "once", label: "Once" }, { value: "recurring", label: "Recurring" }]} value={s(schedule.kind)}
            onChange={(v) => set("schedule", v === "once" ? { kind: v, date: "", localTime: s(schedule.localTime) || "10:00" } : { kind: v, weekdays: [1], localTime: s(schedule.localTime) || "10:00" })} />
          {schedule.kind === "once" ? (
            <TextField label="Date (YYYY-MM-DD)" autoComplete="off" value={s(schedule.date)} onChange={(v) => setSchedule("date", v)} />
          ) : (
            <>
              <WeekdaysField label="Every" value={schedule.weekdays} onChange={(v) => setSchedule("weekdays", v)} />
              <TextField label="Start date (optional)" autoComplete="off" value={s(schedule.startDate)} onChange={(v) => setSchedule("startDate", v || undefined)} />
              <TextField label="End date (optional)" autoComplete="off" value={s(schedule.endDate)} onChange={(v) => setSchedule("endDate", v || undefined)} />
            </>
          )}
          <TextField label="Local time (HH:MM)" autoComplete="off" value={s(schedule.localTime)} onChange={(v) => setSchedule("localTime", v)} helpText="In each customer's own time zone." />
        </>
      )}
    </>
  );
}

const EXIT_KINDS: Choice[] = [
  { value: "unsubscribed", label: "Unsubscribes" },
  { value: "entered_stage", label: "Enters a lifecycle stage" },
  { value: "event", label: "An event happens" },
];

/** The journey's own fields: what the trigger node stands for, and everything not on a node. */
export function JourneyForm({ draft, errors, choices, onChange }: { draft: DraftJourney; errors: string[]; choices: EditorChoices; onChange: (d: DraftJourney) => void }) {
  const set = (k: string, v: unknown) => onChange(put(draft, k, v));
  const entry = isObj(draft.entry) ? draft.entry : {};
  const setEntry = (k: string, v: unknown) => set("entry", put(entry, k, v));
  const excluded = Array.isArray(entry.exclusionSegmentIds) ? (entry.exclusionSegmentIds as string[]) : [];
  const goal = isObj(draft.goal) ? draft.goal : undefined;
  const exits = Array.isArray(draft.exitCriteria) ? (draft.exitCriteria as Loose[]) : [];
  const alerts = isObj(draft.alerts) ? draft.alerts : {};
  // No settings left: drop the object, so the draft says "no alerts set" rather than "{}".
  const setAlerts = (k: string, v: unknown) => {
    const next = put(k === "conversionTargetPercent" && v === undefined ? put(alerts, "minSample", undefined) : alerts, k, v);
    set("alerts", Object.keys(next).length > 0 ? next : undefined);
  };
  return (
    <div data-journey-form>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">Journey</Text>
        {errors.length > 0 && (
          <BlockStack gap="100">
            {errors.map((e, i) => <Text key={i} as="p" tone="critical" variant="bodySm"><span data-form-error>{e}</span></Text>)}
          </BlockStack>
        )}
        <BlockStack gap="300">
          <TextField label="Name" autoComplete="off" value={s(draft.name)} onChange={(v) => set("name", v)} />
        </BlockStack>
        <Divider />
        <Text as="h3" variant="headingSm">Trigger</Text>
        <BlockStack gap="300">
          <TriggerFields trigger={isObj(draft.trigger) ? draft.trigger : {}} choices={choices} onChange={(t) => set("trigger", t)} />
        </BlockStack>
        <Divider />
        <Text as="h3" variant="headingSm">Entry rules</Text>
        <BlockStack gap="300">
          <ChoiceList title="Never enrol customers in" allowMultiple
            choices={[...choices.segments, ...excluded.filter((x) => !choices.segments.some((c) => c.value === x)).map((x) => ({ value: x, label: `${x} (not found)` }))]}
            selected={excluded} onChange={(v) => setEntry("exclusionSegmentIds", v)} />
          <Checkbox label="Customers may enter again" checked={entry.reentry === true} onChange={(v) => setEntry("reentry", v)} />
          <Checkbox label="Wait between entries" checked={isObj(entry.reentryCooldown)}
            onChange={(v) => setEntry("reentryCooldown", v ? { amount: 30, unit: "days" } : undefined)} />
          {isObj(entry.reentryCooldown) && <DurationField label="Cooldown" value={entry.reentryCooldown} onChange={(v) => setEntry("reentryCooldown", v)} />}
          <NumberField label="Most entries per customer" value={entry.maxEntriesPerCustomer} onChange={(v) => setEntry("maxEntriesPerCustomer", v)} helpText="Empty: no limit" />
        </BlockStack>
        <Divider />
        <Text as="h3" variant="headingSm">Goal and exits</Text>
        <BlockStack gap="300">
          <Select label="Goal" value={s(goal?.kind)} onChange={(v) => set("goal", v === "" ? undefined : v === "event" ? { kind: v, name: "" } : { kind: v })}
            options={[{ value: "", label: "None" }, { value: "order_placed", label: "Places an order" }, { value: "event", label: "An event happens" }]}
            helpText="Reaching the goal ends the journey for that customer." />
          {goal?.kind === "event" && <TextField label="Goal event name" autoComplete="off" value={s(goal.name)} onChange={(v) => set("goal", { ...goal, name: v })} />}
          <BlockStack gap="200">
            <Text as="p">Leave the journey when the customer…</Text>
            {exits.map((x, i) => (
              <InlineStack key={i} gap="200" blockAlign="end" wrap={false}>
                <Badge>{EXIT_KINDS.find((k) => k.value === x.kind)?.label ?? s(x.kind)}</Badge>
                {x.kind === "entered_stage" && (
                  <Select label="Stage" labelHidden options={withCurrent(STAGES, s(x.stage), "Choose a stage")} value={s(x.stage)}
                    onChange={(v) => set("exitCriteria", exits.map((e, j) => (j === i ? { ...e, stage: v } : e)))} />
                )}
                {x.kind === "event" && (
                  <TextField label="Exit event name" labelHidden autoComplete="off" value={s(x.name)}
                    onChange={(v) => set("exitCriteria", exits.map((e, j) => (j === i ? { ...e, name: v } : e)))} />
                )}
                <Button onClick={() => set("exitCriteria", exits.filter((_, j) => j !== i))} accessibilityLabel={`Remove exit ${i + 1}`}>Remove</Button>
              </InlineStack>
            ))}
            <InlineStack gap="200">
              {EXIT_KINDS.map((k) => (
                <Button key={k.value} size="slim" onClick={() => set("exitCriteria", [...exits, k.value === "unsubscribed" ? { kind: k.value } : k.value === "entered_stage" ? { kind: k.value, stage: "" } : { kind: k.value, name: "" }])}>
                  {`+ ${k.label}`}
                </Button>
              ))}
            </InlineStack>
          </BlockStack>
          <Select label="Lifecycle stage it serves" options={[{ value: "", label: "None" }, ...STAGES]} value={s(draft.stage)} onChange={(v) => set("stage", v || undefined)}
            helpText="Ranks it against other journeys when they conflict." />
          <NumberField label="Expected value per customer (minor units)" value={draft.priorityValue} onChange={(v) => set("priorityValue", v)}
            helpText="Ranks it until attribution has data." />
        </BlockStack>
        <Divider />
        <Text as="h3" variant="headingSm">Alerts</Text>
        <BlockStack gap="300">
          <Text as="p" tone="subdued" variant="bodySm">Sudden drop-offs at a step and failing channels always raise an alert (see Alerts).</Text>
          <NumberField label="Conversion target" suffix="%" value={alerts.conversionTargetPercent} onChange={(v) => setAlerts("conversionTargetPercent", v)}
            helpText="Alert when fewer of the customers who finish the journey convert. Empty: no conversion alert." />
          {alerts.conversionTargetPercent !== undefined && (
            <NumberField label="Judge after at least" suffix="finished customers" value={alerts.minSample} onChange={(v) => setAlerts("minSample", v)}
              helpText={`Empty: ${DEFAULT_HEALTH.conversionMinSample}.`} />
          )}
        </BlockStack>
      </BlockStack>
    </div>
  );
}
