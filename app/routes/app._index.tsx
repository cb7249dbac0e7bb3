import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { formatInstant } from "../lib/dates";
import { formatMoney } from "../lib/money";
import { shopSummary } from "../models/shop.server";

export const meta: MetaFunction = () => [{ title: "Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const summary = await shopSummary(admin.shopId);
  // Dates are formatted on the server in the shop's zone, so the page reads the same
  // wherever the merchant's browser is.
  const lastImport = summary.lastImportAt ? formatInstant(summary.lastImportAt, summary.timezone) : "never";
  return { shopDomain: admin.shopDomain, summary, lastImport };
}

// The areas the product grows into; each becomes a link as its page lands.
const AREAS = [
  { title: "Customers", text: "RFM, dormancy, churn risk and lifetime value for every customer." },
  { title: "Segments", text: "Live segments built from behaviour, orders and scores." },
  { title: "Journeys", text: "Multi-step win-back journeys over email, SMS and push." },
  { title: "Offers", text: "Unique codes that protect margin." },
  { title: "Results", text: "Recovered revenue and lift measured against holdouts." },
  { title: "Imports", text: "Shopify, WooCommerce and CSV imports with live progress." },
];

export default function Home() {
  const { shopDomain, summary, lastImport } = useLoaderData<typeof loader>();
  const stats = [
    { label: "Customers", value: summary.customers.toLocaleString("en-US"), id: "customers" },
    { label: "Orders", value: summary.orders.toLocaleString("en-US"), id: "orders" },
    { label: "Revenue", value: formatMoney(summary.revenue, summary.currency), id: "revenue" },
    { label: "Last import", value: lastImport, id: "last-import" },
  ];
  return (
    <Page title="Winback" subtitle={shopDomain}>
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            {stats.map((s) => (
              <Card key={s.id}>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingSm" tone="subdued">
                    {s.label}
                  </Text>
                  <Text as="p" variant="headingLg">
                    <span data-stat={s.id}>{s.value}</span>
                  </Text>
                </BlockStack>
              </Card>
            ))}
          </InlineGrid>
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
                    {a.title}
                  </Text>
                  <Badge>Coming next</Badge>
                  <Text as="span" variant="bodyMd" tone="subdued">
                    {a.text}
                  </Text>
                </InlineStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
