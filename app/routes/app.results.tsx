// Results: recovered revenue, lift against holdouts with its 95% interval, each journey, the
// breakdowns by channel, stage at entry and offer, and the A/B tests.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { actorOf } from "../components/journeys/actions.server";
import { AbPanels, Headline, JourneyTable, LiftCard, PerformanceTable } from "../components/results/ResultsSections";
import { formatInstant } from "../lib/dates";
import { pool, prisma } from "../db.server";
import { adoptAbWinner, liveSplits } from "../models/journey-ab.server";
import { resultsReport } from "../models/results.server";

export const meta: MetaFunction = () => [{ title: "Results · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const shop = await prisma().shop.findUniqueOrThrow({ where: { id: admin.shopId }, select: { timezone: true } });
  const [report, adoptable] = await Promise.all([resultsReport(admin.shopId), liveSplits(pool(), admin.shopId)]);
  return { report, adoptable, period: `${formatInstant(report.from, shop.timezone)} – ${formatInstant(report.to, shop.timezone)}` };
}

type ActionResult = { ok: true; message: string } | { ok: false; error: string };

/** intent=adopt-variant: publish the journey with everyone on the chosen variant (force=1 overrides the report). */
export async function action({ request }: ActionFunctionArgs): Promise<ActionResult> {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent !== "adopt-variant") return { ok: false, error: `Unknown action "${intent}".` };
  const [journeyId, nodeId, variant] = ["journeyId", "nodeId", "variant"].map((k) => String(form.get(k) ?? ""));
  if (!/^\d+$/.test(journeyId) || !nodeId || !variant) return { ok: false, error: "Adopting a variant needs a journey id, a split and a variant." };
  const r = await adoptAbWinner(pool(), admin.shopId, journeyId, nodeId, variant, actorOf(admin), { force: form.get("force") === "1" });
  if (!r.ok) return { ok: false, error: r.error.message };
  return {
    ok: true,
    message: `Variant ${variant} adopted${r.value.forced ? " (without a significant result)" : ""}: published as version ${r.value.version}; customers already in the journey keep their version.`,
  };
}

export default function Results() {
  const { report, adoptable, period } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { currency } = report;
  const windows = `${Math.round(report.settings.clickWindowMs / 3_600_000)} hours after a click, ${Math.round(report.settings.openWindowMs / 3_600_000)} hours after an open`;
  return (
    <Page title="Results" subtitle={period} backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        {result && (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"}>
              <span data-results="adopt-message">{result.ok ? result.message : result.error}</span>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Headline report={report} />
        </Layout.Section>
        <Layout.Section>
          <LiftCard title="Lift against holdouts (all journeys)" lift={report.overall.lift} note={report.overall.liftNote} currency={currency} />
        </Layout.Section>
        <Layout.Section>
          <JourneyTable journeys={report.journeys} currency={currency} />
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="400">
            <PerformanceTable id="by-channel" title="By channel" rows={report.byChannel} currency={currency} />
            <PerformanceTable id="by-segment" title="By stage at entry" rows={report.bySegment} currency={currency} />
            <PerformanceTable id="by-offer" title="By offer" rows={report.byOffer} currency={currency} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <AbPanels tests={report.abTests} adoptable={adoptable} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingSm">
                How these figures are made
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                An order is credited to a Winback message when it used a code the message carried, otherwise to the customer's last touch: {windows}.
                Each order is credited once; refunds reduce the credit and cancellations or full refunds reverse it. Recovered revenue is credited
                revenue from customers who were at risk, dormant or lost when they entered a journey. Lift compares customers in each journey's
                treated group with its holdout (orders from assignment to the end of the period, net of refunds); intervals are 95%. ROI is
                (incremental margin − discounts − message costs) divided by discounts plus message costs, with margin from product costs where
                known, else {Math.round(report.settings.marginRate * 100)}% of revenue.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
