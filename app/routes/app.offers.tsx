// /app/offers: the merchant's offers and their limits, what each segment's bandit has learnt,
// the recent choices with their reasons, and the codes issued. The offer form and the action
// validate through the same schema (core/offers/offer-form.ts -> core/offers/schema.ts); the
// settings through core/offers/settings.ts.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { offerFromForm, type OfferFormFields } from "../../core/offers/offer-form";
import { requireAdmin } from "../auth.server";
import { offersPage, saveOffer, saveOfferSettings, saveProductCost } from "../models/offers.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return offersPage(admin.shopId);
}

const FIELDS = ["id", "kind", "value", "minimum", "expiresInDays", "scopeKind", "scopeIds"] as const;

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const str = (k: string) => String(form.get(k) ?? "");
  if (str("intent") === "cost") {
    const r = await saveProductCost(admin.shopId, { productId: str("productId"), unitCostMinor: Math.round(Number(str("unitCost")) * 100) });
    return r.ok ? { ok: true as const, saved: `cost of ${r.value.productId}` } : { ok: false as const, errors: { settings: r.error.join("; ") } };
  }
  if (str("intent") === "settings") {
    let input: unknown;
    try {
      input = {
        bounds: {
          allowedOfferIds: str("allowed").split(/[\s,]+/).filter(Boolean),
          maxPercent: Number(str("maxPercent") || 100),
          maxFixedAmountMinor: Math.round(Number(str("maxFixed") || 1e10) * 100),
          allowFreeShipping: str("allowFreeShipping") === "on",
        },
        sets: JSON.parse(str("sets") || "{}"),
        ladders: JSON.parse(str("ladders") || "[]"),
        collectionMargins: JSON.parse(str("collectionMargins") || "{}"),
      };
    } catch {
      return { ok: false as const, errors: { settings: "sets, ladders and collection margins must be JSON" } };
    }
    const r = await saveOfferSettings(admin.shopId, input);
    return r.ok ? { ok: true as const, saved: "settings" } : { ok: false as const, errors: { settings: r.error.join("; ") } };
  }
  const fields = Object.fromEntries(FIELDS.map((k) => [k, str(k)])) as unknown as OfferFormFields;
  const offer = offerFromForm(fields);
  if (!offer.ok) return { ok: false as const, errors: offer.errors };
  await saveOffer(admin.shopId, str("name") || offer.value.id, offer.value);
  return { ok: true as const, saved: offer.value.id };
}

const describeOffer = (d: { kind: string; percent?: number; amountMinor?: number }) =>
  d.kind === "percentage" ? `${d.percent}% off` : d.kind === "fixed_amount" ? `${((d.amountMinor ?? 0) / 100).toFixed(2)} off` : d.kind === "free_shipping" ? "Free shipping" : "No offer";

function reasonText(r: unknown): string {
  const x = r as { kind?: string; draws?: { offerId: string; sampledNetPerSend: number }[]; excluded?: { offerId: string; why: string }[]; step?: number; previousStep?: number; why?: string; error?: string };
  switch (x.kind) {
    case "bandit": return `bandit: ${(x.draws ?? []).map((d) => `${d.offerId} ${Math.round(d.sampledNetPerSend)}`).join(", ")}${x.excluded?.length ? `; excluded ${x.excluded.map((e) => e.offerId).join(", ")}` : ""}`;
    case "ladder": return `ladder rung ${x.step}`;
    case "ladder_responded": return `customer responded after rung ${x.previousStep}: no escalation`;
    case "out_of_bounds": return `blocked: ${x.why}`;
    case "fixed": return "fixed offer";
    default: return x.error ?? String(x.kind);
  }
}

/** A Polaris field that keeps its own value (the settings form posts what is typed). */
function KeptField({ label, name, initial, multiline }: { label: string; name: string; initial: string; multiline?: number }) {
  const [v, setV] = useState(initial);
  return <TextField label={label} name={name} value={v} onChange={setV} autoComplete="off" {...(multiline ? { multiline } : {})} />;
}

export default function Offers() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const [f, setF] = useState<OfferFormFields>({ id: "", kind: "percentage", value: "10", minimum: "", expiresInDays: "14", scopeKind: "all", scopeIds: "" });
  const [name, setName] = useState("");
  const set = (k: keyof OfferFormFields) => (v: string) => setF({ ...f, [k]: v });
  // The same check the action runs, live.
  const live = f.id ? offerFromForm(f) : null;
  const errors: Record<string, string> = { ...(live && !live.ok ? live.errors : {}), ...(result && !result.ok ? result.errors : {}) };
  const s = data.settings;
  return (
    <Page title="Offers">
      <BlockStack gap="400">
        {result?.ok && <Banner tone="success">Saved {result.saved}.</Banner>}
        {errors.settings && <Banner tone="critical">{errors.settings}</Banner>}
        <Card padding="0">
          <DataTable
            columnContentTypes={["text", "text", "text", "numeric", "numeric", "text"]}
            headings={["Id", "Name", "Offer", "Minimum", "Expires (days)", "Scope"]}
            rows={data.offers.map((o) => {
              const d = o.definition as { id: string; kind: string; minimumOrderMinor?: number; expiresInDays?: number; scope?: { kind: string } };
              return [d.id, o.name, describeOffer(d), ((d.minimumOrderMinor ?? 0) / 100).toFixed(2), d.expiresInDays ?? "-", d.scope?.kind ?? "all"];
            })}
          />
        </Card>
        <Card>
          <Form method="post">
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Add or update an offer</Text>
              <InlineStack gap="200">
                <TextField label="Id" name="id" value={f.id} onChange={set("id")} autoComplete="off" error={errors.id} />
                <TextField label="Name" name="name" value={name} onChange={setName} autoComplete="off" />
                <Select label="Type" name="kind" value={f.kind} onChange={set("kind")} options={[{ label: "Percentage", value: "percentage" }, { label: "Fixed amount", value: "fixed_amount" }, { label: "Free shipping", value: "free_shipping" }, { label: "No offer", value: "none" }]} />
                <TextField label={f.kind === "percentage" ? "Percent" : "Amount"} name="value" value={f.value} onChange={set("value")} autoComplete="off" error={errors.value} />
                <TextField label="Minimum order" name="minimum" value={f.minimum} onChange={set("minimum")} autoComplete="off" error={errors.minimum} />
                <TextField label="Expires after (days)" name="expiresInDays" value={f.expiresInDays} onChange={set("expiresInDays")} autoComplete="off" error={errors.expiresInDays} />
                <Select label="Applies to" name="scopeKind" value={f.scopeKind} onChange={set("scopeKind")} options={[{ label: "Everything", value: "all" }, { label: "Products", value: "products" }, { label: "Collections", value: "collections" }]} />
                {f.scopeKind !== "all" && <TextField label="Ids" name="scopeIds" value={f.scopeIds} onChange={set("scopeIds")} autoComplete="off" error={errors.scopeIds} />}
              </InlineStack>
              <InlineStack><Button submit variant="primary" disabled={!!live && !live.ok} loading={nav.state === "submitting"}>Save offer</Button></InlineStack>
            </BlockStack>
          </Form>
        </Card>
        <Card>
          <Form method="post">
            <input type="hidden" name="intent" value="settings" />
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Allowed offers and bounds</Text>
              <KeptField label="Allowed offer ids" name="allowed" initial={s.bounds.allowedOfferIds.join(", ")} />
              <InlineStack gap="200">
                <KeptField label="Max percent" name="maxPercent" initial={String(s.bounds.maxPercent)} />
                <KeptField label="Max fixed amount" name="maxFixed" initial={(s.bounds.maxFixedAmountMinor / 100).toFixed(2)} />
                <label><input type="checkbox" name="allowFreeShipping" defaultChecked={s.bounds.allowFreeShipping} /> Free shipping allowed</label>
              </InlineStack>
              <KeptField label="Offer sets (JSON: set id to offer ids)" name="sets" multiline={2} initial={JSON.stringify(s.sets)} />
              <KeptField label="Ladders (JSON)" name="ladders" multiline={2} initial={JSON.stringify(s.ladders)} />
              <KeptField label="Margin per collection (JSON: collection to rate 0..1)" name="collectionMargins" multiline={2} initial={JSON.stringify(s.collectionMargins)} />
              <InlineStack><Button submit>Save settings</Button></InlineStack>
            </BlockStack>
          </Form>
        </Card>
        <Card>
          <Form method="post">
            <input type="hidden" name="intent" value="cost" />
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Product cost</Text>
              <Text as="p">Shopify costs are imported (InventoryItem.unitCost); WooCommerce has no standard cost field, so enter costs here or give collection margins above.</Text>
              <InlineStack gap="200">
                <KeptField label="Product id" name="productId" initial="" />
                <KeptField label="Unit cost" name="unitCost" initial="" />
                <Button submit>Save cost</Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">What each segment has learnt</Text>
            {data.segments.length === 0 && <Text as="p">No offer has been chosen yet.</Text>}
            {data.segments.map((seg) => (
              <BlockStack key={seg.segmentKey} gap="100">
                <Text as="h3" variant="headingSm">{seg.segmentKey}</Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                  headings={["Arm", "Pulls", "Conversions", "Mean net margin", "Probability best"]}
                  rows={seg.arms.map((a) => [a.offerId, a.pulls, a.conversions, (a.meanNetMargin / 100).toFixed(2), `${Math.round(a.probabilityBest * 100)}%`])}
                />
              </BlockStack>
            ))}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">Codes</Text>
            <Text as="p">Issued {Object.values(data.codes).reduce((a, b) => a + b, 0)} · created {data.codes.created ?? 0} · redeemed {data.codes.used ?? 0} · expired {data.codes.expired ?? 0} · waiting {data.codes.requested ?? 0} · failed {data.codes.failed ?? 0}</Text>
          </BlockStack>
        </Card>
        <Card padding="0">
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "text"]}
            headings={["When", "Segment", "Node", "Offer", "Why"]}
            rows={data.choices.map((c) => [c.chosen_at.slice(0, 16).replace("T", " "), c.segment_key, c.node_id, c.offer_key, reasonText(c.reason)])}
          />
        </Card>
      </BlockStack>
    </Page>
  );
}
