// Settings > Scoring: when a customer counts as at risk, dormant or lost against their own
// rhythm (multiples k of their usual gap between orders), how long a stage holds before it may
// change, and the lifetime-value horizon and discount rate. Used from the next nightly scoring.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { readScoringSettings, saveScoringSettings, scoringForm, type ScoringForm, type ScoringFormField } from "../models/scoring-settings.server";

export const meta: MetaFunction = () => [{ title: "Scoring · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return { form: scoringForm(await readScoringSettings(pool(), admin.shopId)) };
}

type ActionResult = { ok: true } | { ok: false; errors: { field: string; message: string }[] };

export async function action({ request }: ActionFunctionArgs): Promise<ActionResult> {
  const admin = await requireAdmin(request);
  const form = Object.fromEntries([...(await request.formData()).entries()].map(([k, v]) => [k, String(v)]));
  const saved = await saveScoringSettings(pool(), admin.shopId, form);
  return saved.ok ? { ok: true } : { ok: false, errors: saved.error };
}

const FIELDS: { name: ScoringFormField; label: string; help: string; suffix?: string }[] = [
  { name: "atRiskK", label: "At risk after", suffix: "× usual gap", help: "A customer is at risk once the time since their last order passes this multiple of their usual gap between orders." },
  { name: "dormancyK", label: "Dormant after (k)", suffix: "× usual gap", help: "Dormant against their own rhythm: 2 means twice as long as they usually wait." },
  { name: "lostK", label: "Lost after", suffix: "× usual gap", help: "Past this multiple the customer counts as lost." },
  { name: "minStageHoldDays", label: "Minimum time in a stage", suffix: "days", help: "A stage is kept at least this long so customers do not flap between stages (a new order still wins them back at once)." },
  { name: "horizonMonths", label: "Lifetime value over", suffix: "months", help: "Predicted value counts expected orders over this horizon." },
  { name: "discountPercent", label: "Annual discount rate", suffix: "%", help: "Future orders are worth less than today's; 0 leaves lifetime value undiscounted." },
];

export default function ScoringSettings() {
  const { form } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [values, setValues] = useState<ScoringForm>(form);
  const errorOf = (field: string) => (result && !result.ok ? result.errors.find((e) => e.field === field)?.message : undefined);
  const otherErrors = result && !result.ok ? result.errors.filter((e) => !FIELDS.some((f) => f.name === e.field)) : [];
  return (
    <Page title="Scoring" backAction={{ content: "Customers", url: "/app/customers" }}>
      <Layout>
        <Layout.Section>
          <Form method="post">
            <Card>
              <BlockStack gap="400">
                {result?.ok && (
                  <Banner tone="success" title="Saved">
                    <span data-testid="scoring-saved">Customers are scored with these settings from the next nightly run (03:00 shop time).</span>
                  </Banner>
                )}
                {otherErrors.map((e) => (
                  <Banner key={e.field} tone="critical" title={`${e.field}: ${e.message}`} />
                ))}
                <Text as="p" tone="subdued">
                  Stages are measured against each customer&apos;s own rhythm: their usual gap between orders (the shop&apos;s for one-time buyers).
                </Text>
                <FormLayout>
                  {FIELDS.map((f) => (
                    <div key={f.name} data-testid={`scoring-${f.name}`}>
                      <TextField
                        label={f.label}
                        name={f.name}
                        type="number"
                        autoComplete="off"
                        suffix={f.suffix}
                        helpText={f.help}
                        value={values[f.name]}
                        onChange={(v) => setValues({ ...values, [f.name]: v })}
                        error={errorOf(f.name)}
                      />
                    </div>
                  ))}
                </FormLayout>
                <div>
                  <Button submit variant="primary" loading={navigation.state === "submitting"}>
                    Save
                  </Button>
                </div>
              </BlockStack>
            </Card>
          </Form>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
