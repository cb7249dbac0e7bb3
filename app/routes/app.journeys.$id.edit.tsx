// The journey's draft in a visual editor: a graph canvas (@xyflow/react, loaded on the client
// only) with a palette of node kinds, outcome handles to drag connections from, and a Polaris
// form for the selected node or for the journey itself (trigger, entry rules, goal, exits).
// Every field is from the one schema (core/journeys/schema.ts); the same publish validation
// the server runs (core/journeys/validate.ts) checks the draft as it changes, with each
// problem drawn on the node it names, and Publish stays off until there are none. The
// "Advanced" tab edits the same draft as JSON. Node positions are saved in the draft's layout.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Page, SkeletonBodyText, Tabs, Text, TextField } from "@shopify/polaris";
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { draftNodes, replaceNode, removeNode, TRIGGER_NODE_ID, type DraftJourney, type DraftNode } from "../../core/journeys/graph-layout";
import { validateJourney, type ValidationError } from "../../core/journeys/validate";
import { requireAdmin } from "../auth.server";
import { actorOf } from "../components/journeys/actions.server";
import { pool } from "../db.server";
import { journeyEditorChoices } from "../models/journey-editor.server";
import { publishJourney, updateJourneyDraft } from "../models/journeys.server";
import { JourneyForm, NodeForm, type FieldProblem } from "../components/journeys/JourneyForms";
import type { Selection } from "../components/journeys/JourneyCanvas";
import { CONSENT_CONDITIONS } from "../components/journeys/editor-choices";

// The canvas module (and @xyflow/react with it) is fetched in the browser only, after hydration.
const JourneyCanvas = lazy(() => import("../components/journeys/JourneyCanvas"));

export const meta: MetaFunction = () => [{ title: "Edit journey · Winback" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const id = String(params.id ?? "");
  if (!/^\d+$/.test(id)) throw new Response("Not found", { status: 404 });
  const r = await pool().query<{ name: string; draft: unknown }>(`select name, draft from journeys where shop_id = $1 and id = $2`, [admin.shopId, id]);
  if (!r.rows[0]) throw new Response("Not found", { status: 404 });
  const choices = await journeyEditorChoices(pool(), admin.shopId);
  return { id, name: r.rows[0].name, draft: JSON.stringify(r.rows[0].draft ?? {}, null, 2), choices };
}

type ActionResult = { ok: true; message: string } | { ok: false; errors: ValidationError[] };

/** The text as a draft object, or the parse error with its position. */
function parseDraft(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? { ok: true, value: v as Record<string, unknown> } : { ok: false, error: "the definition must be a JSON object" };
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
  }
}

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionResult> {
  const admin = await requireAdmin(request);
  const id = String(params.id ?? "");
  const form = await request.formData();
  const parsed = parseDraft(String(form.get("definition") ?? ""));
  if (!parsed.ok) return { ok: false, errors: [{ nodeId: null, message: parsed.error }] };
  if (!(await updateJourneyDraft(pool(), admin.shopId, id, parsed.value, actorOf(admin)))) return { ok: false, errors: [{ nodeId: null, message: "journey not found" }] };
  if (form.get("intent") !== "publish") return { ok: true, message: "Draft saved." };
  const r = await publishJourney(pool(), admin.shopId, id, actorOf(admin));
  if (r.ok) return { ok: true, message: `Published as version ${r.value.version}.` };
  return { ok: false, errors: r.error.kind === "invalid" ? r.error.errors : [{ nodeId: null, message: "journey not found" }] };
}


/** Renders its children only after hydration: the server and the first client render show the fallback. */
function ClientOnly({ children, fallback }: { children: () => ReactNode; fallback: ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return <>{mounted ? children() : fallback}</>;
}

/**
 * The draft's problems, by graph node: a problem naming a node is drawn on it; the rest
 * (trigger, entry, goal, a missing start) belong to the journey, drawn on the trigger.
 */
function problemsByNode(errors: readonly ValidationError[], nodeIds: ReadonlySet<string>): Map<string, FieldProblem[]> {
  const out = new Map<string, FieldProblem[]>();
  for (const e of errors) {
    const at = e.nodeId !== null && nodeIds.has(e.nodeId) ? e.nodeId : TRIGGER_NODE_ID;
    const message = plainMessage(e.message, at !== TRIGGER_NODE_ID);
    const mine = out.get(at) ?? [];
    // The server's problems (on a failed publish) repeat the ones found here: list each once.
    if (!mine.some((p) => p.message === message)) mine.push({ message, ...(e.field && at !== TRIGGER_NODE_ID ? { field: e.field } : {}) });
    out.set(at, mine);
  }
  return out;
}

/** A schema message as the merchant reads it on a node: the field, without the path to the node. */
function plainMessage(message: string, onNode: boolean): string {
  const m = onNode ? message.replace(/^nodes\.\d+\./, "") : message;
  const required = /^([\w.]+): Too small: expected string to have >=1 characters$/.exec(m);
  return required ? `${required[1]} is required` : m;
}

const TABS = [{ id: "canvas", content: "Canvas" }, { id: "advanced", content: "Advanced (JSON)" }];

export default function JourneyEditor() {
  const { id, name, draft: initial, choices } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [text, setText] = useState(initial);
  const [draft, setDraft] = useState<DraftJourney>(() => { const p = parseDraft(initial); return p.ok ? p.value : {}; });
  const [tab, setTab] = useState(0);
  const [selection, setSelection] = useState<Selection>(null);

  const change = useCallback((d: DraftJourney) => { setDraft(d); setText(JSON.stringify(d, null, 2)); }, []);
  const changeText = (t: string) => { setText(t); const p = parseDraft(t); if (p.ok) setDraft(p.value); };

  const parsed = useMemo(() => parseDraft(text), [text]);
  const nodes = useMemo(() => draftNodes(draft), [draft]);
  const nodeIds = useMemo(() => new Set(nodes.map((n) => n.id)), [nodes]);
  // What publishing checks: the draft named and numbered as the server will (models/journeys.server.ts).
  const errors = useMemo<ValidationError[]>(() => {
    if (!parsed.ok) return [{ nodeId: null, message: parsed.error }];
    const v = validateJourney({ ...draft, name: draft.name ?? name, id, version: 1 });
    return v.ok ? [] : v.error;
  }, [parsed, draft, name, id]);
  const [savedText, setSavedText] = useState(initial);
  // A failed publish's problems hold until the draft changes: some (Liquid in a notification,
  // what this server allows a webhook to call) are found on the server only.
  const serverErrors = useMemo(() => (result && !result.ok && text === savedText ? result.errors : []), [result, text, savedText]);
  const fieldProblems = useMemo(() => problemsByNode([...errors, ...serverErrors], nodeIds), [errors, serverErrors, nodeIds]);
  const problems = useMemo(() => new Map([...fieldProblems].map(([id, ps]) => [id, ps.map((p) => p.message)])), [fieldProblems]);
  const journeyErrors = problems.get(TRIGGER_NODE_ID) ?? [];

  const names = useMemo(() => new Map<string, string>([...CONSENT_CONDITIONS, ...choices.segments, ...choices.contents, ...choices.offers].map((c) => [c.value, c.label])), [choices]);
  const dirty = text !== savedText;
  const busy = navigation.state !== "idle";
  const submit = useSubmit();
  const send = (intent: "save" | "publish") => { setSavedText(text); submit({ intent, definition: text }, { method: "post" }); };
  const selected: DraftNode | undefined = selection?.kind === "node" ? nodes.find((n) => n.id === selection.id) : undefined;

  return (
    <Page title={`Edit: ${name}`} backAction={{ content: "Journey", url: `/app/journeys/${id}` }} fullWidth>
      <Layout>
        {result && (
          <Layout.Section>
            {result.ok ? (
              <Banner tone="success"><span data-editor-result="ok">{result.message}</span></Banner>
            ) : (
              <Banner tone="critical" title="Not published">
                <ul data-editor-result="errors">{result.errors.map((e, i) => <li key={i}>{e.nodeId ? `${e.nodeId}: ` : ""}{e.message}</li>)}</ul>
              </Banner>
            )}
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <InlineStack gap="200" blockAlign="center">
                {errors.length === 0
                  ? <Badge tone="success">Ready to publish</Badge>
                  : <span data-problem-count={errors.length}><Badge tone="critical">{`${errors.length} problem${errors.length > 1 ? "s" : ""} to fix before publishing`}</Badge></span>}
                {dirty && <span data-dirty><Badge tone="attention">Unsaved changes</Badge></span>}
              </InlineStack>
              <InlineStack gap="200">
                <Button onClick={() => send("save")} disabled={!parsed.ok} loading={busy && navigation.formData?.get("intent") === "save"}>Save draft</Button>
                <Button onClick={() => send("publish")} variant="primary" disabled={errors.length > 0}
                  loading={busy && navigation.formData?.get("intent") === "publish"}>Publish</Button>
              </InlineStack>
            </InlineStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Tabs tabs={TABS} selected={tab} onSelect={setTab} />
        </Layout.Section>
        {tab === 0 ? (
          <>
            <Layout.Section>
              <Card>
                {parsed.ok ? (
                  <ClientOnly fallback={<SkeletonBodyText lines={12} />}>
                    {() => (
                      <Suspense fallback={<SkeletonBodyText lines={12} />}>
                        <JourneyCanvas draft={draft} names={names} errors={problems} selection={selection} onSelect={setSelection} onChange={change} />
                      </Suspense>
                    )}
                  </ClientOnly>
                ) : (
                  <Banner tone="warning" title="The definition is not valid JSON">
                    <p>{parsed.error}. Fix it in the Advanced tab to see the canvas.</p>
                  </Banner>
                )}
              </Card>
            </Layout.Section>
            <Layout.Section variant="oneThird">
              <Card>
                {selected ? (
                  <NodeForm key={selected.id} node={selected} errors={fieldProblems.get(selected.id) ?? []} choices={choices} takenIds={nodeIds}
                    onChange={(n) => { change(replaceNode(draft, selected.id, n)); if (n.id !== selected.id) setSelection({ kind: "node", id: n.id }); }}
                    onDelete={() => { change(removeNode(draft, selected.id)); setSelection(null); }} />
                ) : (
                  <JourneyForm draft={draft} errors={journeyErrors} choices={choices} onChange={change} />
                )}
              </Card>
            </Layout.Section>
          </>
        ) : (
          <>
            <Layout.Section>
              <Card>
                <TextField label="Definition (JSON)" value={text} onChange={changeText} multiline={24} autoComplete="off" monospaced
                  helpText="Trigger, entry rules, nodes, goal, exit criteria and layout, as the journey schema describes them: the same draft the canvas edits." />
              </Card>
            </Layout.Section>
            <Layout.Section variant="oneThird">
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">Problems</Text>
                  {errors.length === 0 && <Text as="p" tone="success">None</Text>}
                  {errors.map((e, i) => <Text key={i} as="p" tone="critical"><span data-journey-error>{e.nodeId ? `${e.nodeId}: ` : ""}{e.message}</span></Text>)}
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        )}
      </Layout>
    </Page>
  );
}
