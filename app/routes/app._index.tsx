import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { formatInstant } from "../lib/dates";
import { formatMoney } from "../lib/money";
import { shopSummary } from "../models/shop.server";
import { OpportunityCard } from "../components/results/OpportunityCard";
import { StatGrid } from "../components/StatGrid";
import { ThemeEmbedStatus } from "../components/ThemeEmbedStatus";
import { appConfig } from "../config.server";
import { opportunityEstimate } from "../models/opportunity.server";
import { AlertsBanner } from "../components/journeys/AlertsBanner";
import { alertSummary } from "../models/journey-list.server";
import { pool } from "../db.server";

export const meta: MetaFunction = () => [{ title: "Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const [summary, opportunity, alerts] = await Promise.all([shopSummary(admin.shopId), opportunityEstimate(admin.shopId), alertSummary(pool(), admin.shopId)]);
  // Dates are formatted on the server in the shop's zone, so the page reads the same
  // wherever the merchant's browser is.
  const lastImport = summary.lastImportAt ? formatInstant(summary.lastImportAt, summary.timezone) : "never";
  return { shopDomain: admin.shopDomain, summary, lastImport, opportunity, alerts, embedded: admin.mode === "shopify", apiKey: appConfig().SHOPIFY_API_KEY };
}

// The areas the product grows into; each becomes a link as its page lands.
const AREAS = [
  { title: "Customers", text: "RFM, dormancy, churn risk and lifetime value for every customer.", to: "/app/customers" },
  { title: "Segments", text: "Live segments built from behaviour, orders and scores.", to: "/app/segments" },
  { title: "Journeys", text: "Multi-step win-back journeys over email, SMS and push.", to: "/app/journeys" },
  { title: "Messages", text: "Email, SMS and push messages with Liquid personalisation and reusable blocks.", to: "/app/content" },
  { title: "Offers", text: "Unique codes that protect margin." },
  { title: "Results", text: "Recovered revenue and lift measured against holdouts.", to: "/app/results" },
  { title: "Imports", text: "Shopify, WooCommerce and CSV imports with live progress.", to: "/app/imports" },
];

export default function Home() {
  const { shopDomain, summary, lastImport, opportunity, alerts, embedded, apiKey } = useLoaderData<typeof loader>();
  const stats = [
    { label: "Customers", value: summary.customers.toLocaleString("en-US"), id: "customers" },
    { label: "Orders", value: summary.orders.toLocaleString("en-US"), id: "orders" },
    { label: "Revenue", value: formatMoney(summary.revenue, summary.currency), id: "revenue" },
    { label: "Last import", value: lastImport, id: "last-import" },
  ];
  return (
    <Page title="Winback" subtitle={shopDomain}>
      <Layout>
        {alerts.open > 0 && (
          <Layout.Section>
            <AlertsBanner summary={alerts} />
          </Layout.Section>
        )}
        <Layout.Section>
          <StatGrid stats={stats} attribute="stat" />
        </Layout.Section>
        <Layout.Section>
          <OpportunityCard estimate={opportunity} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Setup
              </Text>
              <ThemeEmbedStatus embedded={embedded} shopDomain={shopDomain} apiKey={apiKey} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                What Winback will do for this store
              </Text>
              {AREAS.map((a) => (
                <InlineStack key={a.title} gap="200" blockAlign="center">
                  <Text as="span" variant="bodyMd" fontWeight="semibold">
                    {"to" in a && a.to ? <Link to={a.to}>{a.title}</Link> : a.title}
                  </Text>
                  {!("to" in a && a.to) && <Badge>Coming next</Badge>}
                  <Text as="span" variant="bodyMd" tone="subdued">
                    {a.text}
                  </Text>
                </InlineStack>
              ))}
              <Text as="p" variant="bodyMd"><Link to="/app/outbox">Outbox</Link>: every email and text sent, as the customer saw it (and <Link to="/app/settings/channels">Channels</Link> to connect providers).</Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
