// Results: recovered revenue, lift against holdouts with its 95% interval, each journey, the
// breakdowns by channel, stage at entry and offer, and the A/B tests.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { AbPanels, Headline, JourneyTable, LiftCard, PerformanceTable } from "../components/results/ResultsSections";
import { formatInstant } from "../lib/dates";
import { prisma } from "../db.server";
import { resultsReport } from "../models/results.server";

export const meta: MetaFunction = () => [{ title: "Results · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const shop = await prisma().shop.findUniqueOrThrow({ where: { id: admin.shopId }, select: { timezone: true } });
  const report = await resultsReport(admin.shopId);
  return { report, period: `${formatInstant(report.from, shop.timezone)} – ${formatInstant(report.to, shop.timezone)}` };
}

export default function Results() {
  const { report, period } = useLoaderData<typeof loader>();
  const { currency } = report;
  const windows = `${Math.round(report.settings.clickWindowMs / 3_600_000)} hours after a click, ${Math.round(report.settings.openWindowMs / 3_600_000)} hours after an open`;
  return (
    <Page title="Results" subtitle={period} backAction={{ content: "Home", url: "/app" }}>
      <Layout>
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
          <AbPanels tests={report.abTests} />
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
