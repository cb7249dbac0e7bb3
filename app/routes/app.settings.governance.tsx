// Settings > Sending rules: the shop's governance settings, one form over the one schema
// (core/governance/schema.ts): frequency caps per channel and in total, smart sending, the
// shop's SMS window, and the conflict rules between journeys; each field shows the product
// default and its own problem. Below, the SMS quiet-hour rules by jurisdiction as the data the
// engine applies (core/governance/compliance-rules.ts), each with its source. Saving is audited.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, DataTable, InlineStack, Layout, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { SMS_RULES } from "../../core/governance/compliance-rules";
import { DEFAULT_GOVERNANCE, SmsWindowSchema, type Channel, type GovernanceSettings } from "../../core/governance/schema";
import { requireAdmin } from "../auth.server";
import { describeDays } from "../components/governance/rules";
import { actorOf } from "../components/journeys/actions.server";
import { pool } from "../db.server";
import { governanceHistory, saveGovernance, shopGovernance, type GovernanceProblem } from "../models/governance.server";

export const meta: MetaFunction = () => [{ title: "Sending rules · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const [settings, history] = await Promise.all([shopGovernance(pool(), admin.shopId), governanceHistory(pool(), admin.shopId)]);
  return { settings, history };
}

type ActionResult = { ok: true; message: string } | { ok: false; problems: GovernanceProblem[] };

export async function action({ request }: ActionFunctionArgs): Promise<ActionResult> {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  let input: unknown;
  try {
    input = JSON.parse(String(form.get("settings") ?? ""));
  } catch {
    return { ok: false, problems: [{ path: "", message: "the settings were not sent as JSON" }] };
  }
  const r = await saveGovernance(pool(), admin.shopId, input, actorOf(admin));
  return r.ok ? { ok: true, message: "Sending rules saved. They apply to every message from now on." } : { ok: false, problems: r.error };
}

const SECTION_LABEL: Record<string, string> = { caps: "caps", smartSendingMs: "smart sending", quietHours: "quiet hours", conflicts: "competing journeys" };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHANNELS: { key: Channel; label: string }[] = [{ key: "email", label: "Email" }, { key: "sms", label: "SMS" }, { key: "push", label: "Web push" }];

/** A duration stored in ms, edited in hours or days (days when it is a whole number of them). */
function DurationMs(props: { label: string; value: number; onChange: (ms: number | undefined) => void; error?: string; helpText?: string }) {
  const [unit, setUnit] = useState<"hours" | "days">(props.value > 0 && props.value % DAY === 0 ? "days" : "hours");
  const per = unit === "days" ? DAY : HOUR;
  const [text, setText] = useState(String(props.value / per));
  useEffect(() => {
    if (Math.round(Number(text) * per) !== props.value) setText(String(props.value / per));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.value]);
  const emit = (t: string, p: number) => props.onChange(t.trim() === "" || !Number.isFinite(Number(t)) ? undefined : Math.round(Number(t) * p));
  return (
    <InlineStack gap="200" blockAlign="end" wrap={false}>
      <div style={{ flex: 1 }}>
        <TextField label={props.label} type="number" autoComplete="off" value={text} error={props.error} helpText={props.helpText}
          onChange={(t) => { setText(t); emit(t, per); }} />
      </div>
      <Select label={`${props.label} unit`} labelHidden value={unit} options={[{ value: "hours", label: "hours" }, { value: "days", label: "days" }]}
        onChange={(u) => { const next = u === "days" ? DAY : HOUR; setUnit(u as "hours" | "days"); emit(text, next); }} />
    </InlineStack>
  );
}

function IntField(props: { label: string; value: number; onChange: (n: number | undefined) => void; error?: string; helpText?: string; suffix?: string }) {
  const [text, setText] = useState(String(props.value));
  useEffect(() => { if (Number(text) !== props.value) setText(String(props.value)); /* eslint-disable-next-line react-hooks/exhaustive-deps */ }, [props.value]);
  return (
    <TextField label={props.label} type="number" autoComplete="off" value={text} error={props.error} helpText={props.helpText} suffix={props.suffix}
      onChange={(t) => { setText(t); props.onChange(t.trim() === "" || !Number.isFinite(Number(t)) ? undefined : Number(t)); }} />
  );
}

const span = (ms: number) => (ms % DAY === 0 ? `${ms / DAY} day${ms === DAY ? "" : "s"}` : `${ms / HOUR} h`);

/** Sets the value at a dotted path of the settings, or leaves them as they are when it is undefined (the field shows its problem). */
function setAt(s: GovernanceSettings, path: string, value: unknown): GovernanceSettings {
  const copy = structuredClone(s) as unknown as Record<string, unknown>;
  const keys = path.split(".");
  let o = copy;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
  return copy as unknown as GovernanceSettings;
}

export default function GovernanceSettingsPage() {
  const { settings: saved, history } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [s, setS] = useState<GovernanceSettings>(saved);
  // Fields left empty or not a number: kept here (by path) so the form shows them and saving waits.
  const [blank, setBlank] = useState<Set<string>>(new Set());
  const [formKey, setFormKey] = useState(0);
  const change = (path: string) => (v: unknown) => {
    setBlank((b) => { const n = new Set(b); if (v === undefined) n.add(path); else n.delete(path); return n; });
    if (v !== undefined) setS((cur) => setAt(cur, path, v));
  };
  const problems = result && !result.ok ? result.problems : [];
  const errorAt = (path: string) => (blank.has(path) ? "enter a number" : problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`)).map((p) => p.message).join("; ") || undefined);
  const d = DEFAULT_GOVERNANCE;
  const sms = s.quietHours.sms;
  // The window's rules as the schema states them (the save and the engine use the same), shown while editing.
  const windowCheck = SmsWindowSchema.safeParse(sms);
  const windowProblem = windowCheck.success ? undefined
    : windowCheck.error.issues.filter((i) => i.path.length === 0).map((i) => i.message).join("; ") || undefined;

  return (
    <Page title="Sending rules" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        {result && (
          <Layout.Section>
            {result.ok
              ? <Banner tone="success"><span data-governance-result="ok">{result.message}</span></Banner>
              : <Banner tone="critical" title="Not saved"><ul data-governance-result="errors">{result.problems.map((p, i) => <li key={i}>{p.path ? `${p.path}: ` : ""}{p.message}</li>)}</ul></Banner>}
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="400" key={formKey}>
            <Text as="p" tone="subdued">
              These rules apply to every journey's messages, counted over all journeys. Transactional messages are exempt from caps and
              smart sending; quiet hours always defer a message, never drop it.
            </Text>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Frequency caps</Text>
                <Text as="p" tone="subdued">The most marketing messages a customer gets in a rolling window. A capped send waits for the next free slot or is skipped, as its journey step says.</Text>
                {[...CHANNELS, { key: "total" as const, label: "All channels together" }].map((c) => (
                  <div key={c.key} data-cap={c.key}>
                    <InlineStack gap="300" blockAlign="start" wrap={false}>
                      <div style={{ flex: 1 }}>
                        <IntField label={`${c.label}: at most`} suffix="messages" value={s.caps[c.key].max} onChange={change(`caps.${c.key}.max`)}
                          error={errorAt(`caps.${c.key}.max`)} helpText={`Default ${d.caps[c.key].max}`} />
                      </div>
                      <div style={{ flex: 1 }}>
                        <DurationMs label={`${c.label}: per`} value={s.caps[c.key].windowMs} onChange={change(`caps.${c.key}.windowMs`)}
                          error={errorAt(`caps.${c.key}.windowMs`)} helpText={`Default ${span(d.caps[c.key].windowMs)}`} />
                      </div>
                    </InlineStack>
                  </div>
                ))}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Smart sending</Text>
                <Text as="p" tone="subdued">No marketing message on a channel if the customer got one there within this time. 0 turns it off.</Text>
                {CHANNELS.map((c) => (
                  <DurationMs key={c.key} label={`${c.label}: quiet for`} value={s.smartSendingMs[c.key]} onChange={change(`smartSendingMs.${c.key}`)}
                    error={errorAt(`smartSendingMs.${c.key}`)} helpText={`Default ${span(d.smartSendingMs[c.key])}`} />
                ))}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">SMS quiet hours</Text>
                <Text as="p" tone="subdued">
                  Marketing texts go out only inside this window, in the customer's own time (else inferred from their address, else the shop's).
                  It can only narrow the legal windows below: the strictest rule that may apply to the customer wins.
                </Text>
                <InlineStack gap="300" wrap={false}>
                  <div style={{ flex: 1 }}>
                    <TextField label="From (HH:MM)" autoComplete="off" value={sms[0]} onChange={(v) => change("quietHours.sms")([v, sms[1]])}
                      error={errorAt("quietHours.sms") ?? windowProblem} helpText={`Default ${d.quietHours.sms[0]}`} />
                  </div>
                  <div style={{ flex: 1 }}>
                    <TextField label="Until (HH:MM)" autoComplete="off" value={sms[1]} onChange={(v) => change("quietHours.sms")([sms[0], v])}
                      helpText={`Default ${d.quietHours.sms[1]}`} />
                  </div>
                </InlineStack>
                <Checkbox label="Also apply the states' calling-hour charts (laws written for calls that may reach texts)" checked={s.quietHours.applyCallChartStates}
                  onChange={change("quietHours.applyCallChartStates")} helpText="Default on. The rows marked “calling-hour chart” below." />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Journeys competing for a customer</Text>
                <IntField label="Journeys a customer may be in at once" value={s.conflicts.maxConcurrentJourneys} onChange={change("conflicts.maxConcurrentJourneys")}
                  error={errorAt("conflicts.maxConcurrentJourneys")} helpText={`Default ${d.conflicts.maxConcurrentJourneys}. Beyond it, the journey for the more urgent lifecycle stage, then the more valuable one, wins.`} />
                <DurationMs label="Time in a lifecycle stage before its journey starts" value={s.conflicts.minTimeInStageMs} onChange={change("conflicts.minTimeInStageMs")}
                  error={errorAt("conflicts.minTimeInStageMs")} helpText={`Default ${span(d.conflicts.minTimeInStageMs)}, so customers who pass through a stage quickly are not messaged for it.`} />
              </BlockStack>
            </Card>
            {history.length > 0 && (
              <Text as="p" tone="subdued" variant="bodySm">
                <span data-governance-history>
                  Changed {history.map((h) => `${h.when} by ${h.actor}${h.changed.length ? ` (${h.changed.map((c) => SECTION_LABEL[c] ?? c).join(", ")})` : ""}`).join("; ")}
                </span>
              </Text>
            )}
            <InlineStack gap="200" align="end">
              <Button onClick={() => { setS(structuredClone(DEFAULT_GOVERNANCE)); setBlank(new Set()); setFormKey((k) => k + 1); }}>Use the defaults</Button>
              <Button variant="primary" disabled={blank.size > 0} loading={navigation.state !== "idle"}
                onClick={() => submit({ settings: JSON.stringify(s) }, { method: "post" })}>Save</Button>
            </InlineStack>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">SMS rules by jurisdiction</Text>
              <Text as="p" tone="subdued">
                Applied by the customer's area code and address state (both, when they differ), in their local time; a window in a second
                zone is enforced too where sources disagree whose clock counts. Engineering reference from the sources shown, not legal advice.
              </Text>
              <div data-sms-rules>
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text", "text", "text"]}
                  headings={["Region", "Marketing texts allowed (local time)", "Most per 24 h", "Kind", "Confidence", "Source"]}
                  rows={SMS_RULES.map((r) => [
                    <span key="r" data-rule-region={r.region}>{r.region === "US" ? "United States (federal)" : r.region}</span>,
                    describeDays(r.days) + (r.alsoInZone ? ` (also in ${r.alsoInZone})` : ""),
                    r.maxPer24h ?? "—",
                    r.tier === "statute_table" ? "SMS law"
                      : <InlineStack key="t" gap="100">calling-hour chart {s.quietHours.applyCallChartStates ? <Badge tone="success">applied</Badge> : <Badge>off</Badge>}</InlineStack>,
                    r.confidence,
                    <Link key="s" url={r.source} target="_blank">{new URL(r.source).hostname}</Link>,
                  ])}
                />
              </div>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
