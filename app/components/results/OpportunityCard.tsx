// The home page's opportunity estimate: dormant customers, what they used to spend, and a
// conservative / expected / optimistic range for a win-back journey, with its assumptions.
import { Badge, BlockStack, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import type { OpportunityEstimate } from "../../models/opportunity.server";
import { money, pct } from "./format";

export function OpportunityCard({ estimate }: { estimate: OpportunityEstimate }) {
  const { currency, range } = estimate;
  const basis =
    estimate.dormancyBasis === "scores"
      ? "Dormant means overdue against the customer's own buying rhythm (customer scores)."
      : `Dormant means no order for more than twice this store's median time between orders (${Math.round(estimate.medianGapDays)} days), until customer scores are ready.`;
  const rates =
    range.rates.source === "measured_lift"
      ? `Reactivation rates are this store's measured lift against holdouts over the last year: ${pct(range.rates.conservative)}, ${pct(range.rates.expected)} and ${pct(range.rates.optimistic)} of dormant customers.`
      : `Reactivation rates are rule-of-thumb win-back rates, not measurements of this store: ${pct(range.rates.conservative, 0)} (conservative), ${pct(range.rates.expected, 0)} (expected) and ${pct(range.rates.optimistic, 0)} (optimistic) of dormant customers buying again. Your own results replace them once a journey with a holdout has run.`;
  const scenarios = [
    { id: "conservative", label: "Conservative", value: range.conservativeMinor },
    { id: "expected", label: "Expected", value: range.expectedMinor },
    { id: "optimistic", label: "Optimistic", value: range.optimisticMinor },
  ];
  return (
    <Card>
      <div data-opportunity-card>
        <BlockStack gap="300">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Win-back opportunity
            </Text>
            <Badge tone="info">Estimate</Badge>
          </InlineStack>
          <Text as="p" variant="bodyMd">
            <span data-opportunity="dormant">{estimate.dormantCustomers.toLocaleString("en-US")}</span> of{" "}
            {estimate.customersWithOrders.toLocaleString("en-US")} customers are dormant. They used to spend{" "}
            <span data-opportunity="per-year">{money(estimate.dormantRevenuePerYearMinor, currency)}</span> a year (
            {money(estimate.dormantLifetimeRevenueMinor, currency)} in all).
          </Text>
          <InlineGrid columns={{ xs: 1, sm: 3 }} gap="300">
            {scenarios.map((s) => (
              <BlockStack key={s.id} gap="100">
                <Text as="h3" variant="headingSm" tone="subdued">
                  {s.label}
                </Text>
                <Text as="p" variant="headingLg">
                  <span data-opportunity={s.id}>{money(s.value, currency)}</span>
                </Text>
              </BlockStack>
            ))}
          </InlineGrid>
          <Text as="p" variant="bodySm" tone="subdued">
            Estimated revenue a win-back journey could recover in a year. Assumptions: a customer who comes back spends, over the next
            year, what they used to spend in a year. {rates} {basis}
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}
