// The journey's draft as its definition (the one zod schema in core/journeys/schema.ts): edited
// as JSON, checked as the merchant types by the same publish validation the server runs
// (core/journeys/validate.ts), with each problem shown on the node it names; saved as the
// draft (an incomplete draft may be saved) and published from here. The visual canvas editor
// is not built yet: this is the complete, honest editing path until it is.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useMemo, useState } from "react";
import { validateJourney, type ValidationError } from "../../core/journeys/validate";
import { requireAdmin } from "../auth.server";
import { actorOf } from "../components/journeys/actions.server";
import { pool } from "../db.server";
import { publishJourney, updateJourneyDraft } from "../models/journeys.server";

export const meta: MetaFunction = () => [{ title: "Edit journey · Winback" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const id = String(params.id ?? "");
  if (!/^\d+$/.test(id)) throw new Response("Not found", { status: 404 });
  const r = await pool().query<{ name: string; draft: unknown }>(`select name, draft from journeys where shop_id = $1 and id = $2`, [admin.shopId, id]);
  if (!r.rows[0]) throw new Response("Not found", { status: 404 });
  return { id, name: r.rows[0].name, draft: JSON.stringify(r.rows[0].draft ?? {}, null, 2) };
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
  if (!(await updateJourneyDraft(pool(), admin.shopId, id, parsed.value))) return { ok: false, errors: [{ nodeId: null, message: "journey not found" }] };
  if (form.get("intent") !== "publish") return { ok: true, message: "Draft saved." };
  const r = await publishJourney(pool(), admin.shopId, id, actorOf(admin));
  if (r.ok) return { ok: true, message: `Published as version ${r.value.version}.` };
  return { ok: false, errors: r.error.kind === "invalid" ? r.error.errors : [{ nodeId: null, message: "journey not found" }] };
}

export default function JourneyEditor() {
  const { id, name, draft } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [text, setText] = useState(draft);
  const check = useMemo(() => {
    const p = parseDraft(text);
    if (!p.ok) return { nodes: [] as { id: string; type: string }[], errors: [{ nodeId: null, message: p.error }] };
    const nodes = Array.isArray(p.value.nodes) ? (p.value.nodes as { id?: unknown; type?: unknown }[]).map((n) => ({ id: String(n?.id ?? "?"), type: String(n?.type ?? "?") })) : [];
    const v = validateJourney(p.value);
    return { nodes, errors: v.ok ? [] : v.error };
  }, [text]);
  const journeyErrors = check.errors.filter((e) => e.nodeId === null || !check.nodes.some((n) => n.id === e.nodeId));
  const busy = navigation.state !== "idle";
  const submit = useSubmit();
  const send = (intent: "save" | "publish") => submit({ intent, definition: text }, { method: "post" });
  return (
    <Page title={`Edit: ${name}`} backAction={{ content: "Journey", url: `/app/journeys/${id}` }}>
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
            <BlockStack gap="300">
                <TextField label="Definition (JSON)" value={text} onChange={setText} multiline={24} autoComplete="off" monospaced
                  helpText="Trigger, entry rules, nodes, goal and exit criteria, as the journey schema describes them." />
                <InlineStack gap="200">
                  <Button onClick={() => send("save")} loading={busy && navigation.formData?.get("intent") === "save"}>Save draft</Button>
                  <Button onClick={() => send("publish")} variant="primary" disabled={check.errors.length > 0}
                    loading={busy && navigation.formData?.get("intent") === "publish"}>Publish</Button>
                </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Nodes</Text>
              {check.errors.length === 0 && <Badge tone="success">Ready to publish</Badge>}
              {journeyErrors.map((e, i) => <Text key={i} as="p" tone="critical"><span data-journey-error>{e.message}</span></Text>)}
              {check.nodes.map((n) => {
                const errors = check.errors.filter((e) => e.nodeId === n.id);
                return (
                  <div key={n.id} data-editor-node={n.id} data-node-state={errors.length ? "invalid" : "valid"}>
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="span" fontWeight="semibold">{n.id}</Text>
                      <Badge>{n.type}</Badge>
                      {errors.length > 0 && <Badge tone="critical">{`${errors.length} problem${errors.length > 1 ? "s" : ""}`}</Badge>}
                    </InlineStack>
                    {errors.map((e, i) => <Text key={i} as="p" variant="bodySm" tone="critical">{e.message}</Text>)}
                  </div>
                );
              })}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
