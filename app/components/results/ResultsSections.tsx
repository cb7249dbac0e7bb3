// Pieces of the Results page: the headline figures, the lift card, the per-journey and
// breakdown tables, and the A/B panels. Everything arrives computed (app/models/results.server.ts).
import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import type { AbPanel, JourneyResult, LiftView, PerformanceRow, ResultsReport } from "../../models/results.server";
import { money, moneyInterval, pct, ptsInterval, roiText } from "./format";
import { StatGrid } from "../StatGrid";

export function Headline({ report }: { report: ResultsReport }) {
  const { overall, currency } = report;
  const stats = [
    { id: "recovered", label: "Recovered revenue", value: money(overall.recoveredMinor, currency), help: `${overall.recoveredOrders} orders from customers at risk, dormant or lost when they entered` },
    { id: "credited", label: "Credited revenue", value: money(overall.creditedMinor, currency), help: `${overall.creditedOrders} orders credited to Winback messages` },
    { id: "win-back-rate", label: "Win-back rate", value: pct(overall.winBackRate), help: "Treated customers who ordered" },
    { id: "roi", label: "ROI", value: roiText(overall.costs.roi), help: "(Incremental margin − discounts − messages) / cost" },
  ];
  return <StatGrid stats={stats} attribute="results" />;
}

export function LiftCard({ lift, note, currency, title }: { lift: LiftView | null; note: string | null; currency: string; title: string }) {
  return (
    <Card>
      <div data-results="lift">
        <BlockStack gap="300">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {title}
            </Text>
            {lift && (lift.significant ? <Badge tone="success">Significant at 95%</Badge> : <Badge>Not significant yet</Badge>)}
          </InlineStack>
          {lift ? (
            <BlockStack gap="200">
              <Text as="p" variant="bodyMd">
                Conversion: treated {pct(lift.treatedRate)} of {lift.treatedCustomers.toLocaleString("en-US")} vs holdout {pct(lift.holdoutRate)} of{" "}
                {lift.holdoutCustomers.toLocaleString("en-US")}.
              </Text>
              <Text as="p" variant="bodyMd">
                Lift: <span data-results="lift-interval">{ptsInterval(lift.absoluteLift)}</span>
                {lift.relativeLift && ` · relative ${pct(lift.relativeLift.estimate, 0)} (95% CI ${pct(lift.relativeLift.lower, 0)} to ${pct(lift.relativeLift.upper, 0)})`}
              </Text>
              <Text as="p" variant="bodyMd">
                Revenue per customer: treated {money(lift.treatedRevenuePerCustomer, currency)} vs holdout {money(lift.holdoutRevenuePerCustomer, currency)}. Incremental
                revenue: {moneyInterval(lift.incrementalRevenueMinor, currency)}.
              </Text>
            </BlockStack>
          ) : null}
          {note && (
            <Text as="p" variant="bodySm" tone="subdued">
              {note}
            </Text>
          )}
        </BlockStack>
      </div>
    </Card>
  );
}

export function JourneyTable({ journeys, currency }: { journeys: JourneyResult[]; currency: string }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Journeys
        </Text>
        {journeys.length === 0 ? (
          <Text as="p" tone="subdued">
            No journey has sent messages or assigned a holdout in this window yet.
          </Text>
        ) : (
          <div data-results="journeys">
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "text", "text", "numeric"]}
              headings={["Journey", "Credited", "Recovered", "Win-back rate", "Lift (95% CI)", "Incremental revenue", "ROI"]}
              rows={journeys.map((j) => [
                j.name,
                money(j.creditedMinor, currency),
                money(j.recoveredMinor, currency),
                pct(j.winBackRate),
                j.lift ? ptsInterval(j.lift.absoluteLift) : "No holdout result",
                j.lift ? moneyInterval(j.lift.incrementalRevenueMinor, currency) : "—",
                roiText(j.costs.roi),
              ])}
            />
          </div>
        )}
      </BlockStack>
    </Card>
  );
}

export function PerformanceTable({ title, rows, currency, id }: { title: string; rows: PerformanceRow[]; currency: string; id: string }) {
  if (rows.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <div data-results={id}>
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
            headings={["", "Messages", "Customers", "Converted", "Credited revenue", "Discounts"]}
            rows={rows.map((r) => [r.label, r.messages.toLocaleString("en-US"), r.customers.toLocaleString("en-US"), pct(r.conversionRate), money(r.creditedMinor, currency), money(r.discountMinor, currency)])}
          />
        </div>
      </BlockStack>
    </Card>
  );
}

/** Adopt the winner; without one, the likeliest best variant "anyway" after a confirm (force). */
function AdoptForm({ test }: { test: AbPanel }) {
  const winner = test.verdict.kind === "significant" ? test.verdict.best : null;
  const variant = winner ?? test.variants.reduce((a, b) => (b.probabilityBest > a.probabilityBest ? b : a)).id;
  const confirmForce = (e: React.FormEvent) => {
    if (!winner && !window.confirm(`No significant difference yet. Send everyone to ${variant} anyway?`)) e.preventDefault();
  };
  return (
    <Form method="post" onSubmit={confirmForce} data-ab-adopt={`${test.journeyId}:${test.nodeId}`}>
      <input type="hidden" name="intent" value="adopt-variant" />
      <input type="hidden" name="journeyId" value={test.journeyId} />
      <input type="hidden" name="nodeId" value={test.nodeId} />
      <input type="hidden" name="variant" value={variant} />
      {!winner && <input type="hidden" name="force" value="1" />}
      <Button submit variant={winner ? "primary" : "secondary"}>{winner ? `Adopt ${variant}` : `Adopt ${variant} anyway`}</Button>
    </Form>
  );
}

export function AbPanels({ tests, adoptable = [] }: { tests: AbPanel[]; adoptable?: string[] }) {
  return (
    <Card>
      <div data-results="ab">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            A/B tests
          </Text>
          {tests.length === 0 && (
            <Text as="p" tone="subdued">
              No A/B split has assigned customers in this window.
            </Text>
          )}
          {tests.map((t) => (
            <BlockStack key={`${t.journeyId}:${t.nodeId}`} gap="200">
              <Text as="h3" variant="headingSm">
                {t.journeyName} · {t.nodeId}
              </Text>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Variant", "Customers", "Conversion", "Probability best", "Always-valid p vs control"]}
                rows={t.variants.map((v) => [
                  v.id,
                  v.customers.toLocaleString("en-US"),
                  pct(v.rate),
                  pct(v.probabilityBest),
                  v.alwaysValidP === null ? "control" : `${v.alwaysValidP.toFixed(3)}${v.significant ? " (significant)" : ""}`,
                ])}
              />
              <Text as="p" variant="bodyMd">
                <span data-ab-verdict={t.verdict.kind}>{t.verdict.message}</span>
              </Text>
              {adoptable.includes(`${t.journeyId}:${t.nodeId}`) && <AdoptForm test={t} />}
            </BlockStack>
          ))}
          <Text as="p" variant="bodySm" tone="subdued">
            Significance uses an always-valid test (mixture sequential probability ratio), so it stays correct however often you look.
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}
