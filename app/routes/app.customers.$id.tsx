// /app/customers/:id: one customer of this shop with every score, the plain-language reason,
// the model's confidence, the order timeline and the score history. Another shop's id is 404.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { TableCard } from "../components/TableCard";
import { clusterLabel, RFM_LABELS, StageBadge } from "../components/customers/StageBadge";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { formatInstant, horizonWords } from "../lib/dates";
import { formatMoney } from "../lib/money";
import { getCustomerDetail } from "../models/customers.server";

export const meta: MetaFunction = () => [{ title: "Customer · Winback" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const detail = await getCustomerDetail(pool(), admin.shopId, params.id ?? "");
  if (!detail) throw new Response("Customer not found", { status: 404 });
  return detail;
}

const CONFIDENCE_TONE = { high: "success", medium: "attention", low: "warning" } as const;

export default function CustomerPage() {
  const { customer, score, orders, history, stageChanges, cluster, model, currency, timezone } = useLoaderData<typeof loader>();
  const money = (v: unknown) => (v === null || v === undefined ? "—" : formatMoney(String(v), currency));
  const when = (v: unknown) => (v ? formatInstant(String(v), timezone) : "—");
  const num = (v: unknown, digits = 1) => (v === null || v === undefined ? "—" : Number(v).toFixed(digits));
  const horizon = horizonWords(model?.horizonDays ?? 365);
  const pct = (v: unknown) => (v === null || v === undefined ? "—" : `${Math.round(Number(v) * 100)}%`);
  const facts: [string, string][] = score
    ? [
        ["Orders", String(score.order_count)],
        ["Spent", money(score.total_spent)],
        ["First order", when(score.first_order_at)],
        ["Last order", when(score.last_order_at)],
        ["RFM (R / F / M)", `${score.recency_score} / ${score.frequency_score} / ${score.monetary_score}`],
        ["RFM group", RFM_LABELS[String(score.rfm_group)] ?? String(score.rfm_group)],
        ["Usual gap between orders", `${num(score.expected_gap_days, 0)} days`],
        ["Days overdue", num(score.days_overdue, 0)],
        ["Dormant", score.dormant ? "yes" : "no"],
        ["Stage since", when(score.stage_since)],
        ["P(alive)", pct(score.p_alive)],
        ["Churn risk", score.p_alive === null ? "—" : pct(1 - Number(score.p_alive))],
        [`Expected orders (${horizon})`, num(score.expected_purchases, 2)],
        ["Expected next order by", when(score.expected_next_order_at)],
        ["Expected spend per order", money(score.expected_spend)],
        [`Lifetime value (${horizon})`, money(score.clv)],
        ["Behaviour group", cluster ? clusterLabel(cluster) : "—"],
        ["Scored", when(score.scored_at)],
      ]
    : [];
  return (
    <Page
      title={customer.name}
      subtitle={customer.email ?? undefined}
      backAction={{ content: "Customers", url: "/app/customers" }}
      titleMetadata={<StageBadge stage={score ? String(score.stage) : null} />}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Why this score
                </Text>
                <Text as="p">
                  <span data-testid="reason">{score?.reason ? String(score.reason) : "Not scored yet: no kept orders, or the shop has not been scored."}</span>
                </Text>
                {score && (
                  <Text as="p" tone="subdued">
                    Confidence:{" "}
                    <span data-testid="confidence">
                      <Badge tone={CONFIDENCE_TONE[String(score.confidence) as keyof typeof CONFIDENCE_TONE]}>{String(score.confidence)}</Badge>
                    </span>
                    {model ? ` — the shop's model was ${model.reason}.` : ""}
                  </Text>
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Scores
                </Text>
                {facts.length ? (
                  <InlineGrid columns={{ xs: 1, sm: 2 }} gap="200">
                    {facts.map(([label, value]) => (
                      <div key={label} data-score={label}>
                        <Text as="span" tone="subdued">
                          {label}:{" "}
                        </Text>
                        <Text as="span" fontWeight="semibold">
                          {value}
                        </Text>
                      </div>
                    ))}
                  </InlineGrid>
                ) : (
                  <Text as="p">No scores yet.</Text>
                )}
              </BlockStack>
            </Card>
            <TableCard
              title="Order timeline"
              columnContentTypes={["text", "text", "numeric", "numeric", "text"]}
              headings={["Date", "Order", "Total", "Refunded", "Notes"]}
              rows={orders.map((o) => [
                when(o.processedAt),
                o.name ?? o.id,
                money(o.total),
                o.refunded === "0" ? "—" : money(o.refunded),
                [o.cancelled ? "cancelled" : "", o.discountCodes.length ? `code ${o.discountCodes.join(", ")}` : ""].filter(Boolean).join("; "),
              ])}
            />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Customer
                </Text>
                <Text as="p">{customer.email ?? "no email"}</Text>
                {customer.phone && <Text as="p">{customer.phone}</Text>}
                <Text as="p">{[customer.city, customer.country].filter(Boolean).join(", ") || "—"}</Text>
                <Text as="p" tone="subdued">
                  Customer since {when(customer.createdAt)}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Stage changes
                </Text>
                {stageChanges.length ? (
                  stageChanges.map((e) => (
                    <Text as="p" key={e.at + e.to}>
                      {when(e.at)}: {e.from ?? "—"} → {e.to}
                    </Text>
                  ))
                ) : (
                  <Text as="p">None yet.</Text>
                )}
              </BlockStack>
            </Card>
            <TableCard
              title="Score history"
              columnContentTypes={["text", "text", "numeric", "numeric"]}
              headings={["Day", "Stage", "P(alive)", "Value"]}
              rows={history.map((h) => [h.day, h.stage ?? "—", pct(h.pAlive), money(h.clv)])}
            />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
