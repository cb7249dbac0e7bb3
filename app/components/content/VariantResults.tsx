// The content page's variant test card: figures per variant, whether they are significant
// yet (and roughly how many more sends it needs), and a button to adopt one by hand.
import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineStack, Text } from "@shopify/polaris";

export type VariantResultsData = {
  metric: "opens" | "clicks" | "conversions";
  adopted: { key: string; by: "auto" | "merchant"; at: string } | null;
  results: { key: string; sends: number; opens: number; clicks: number; conversions: number }[];
  decision: { kind: "adopt"; winner: string } | { kind: "wait"; message: string; moreSendsNeeded: number | null } | null;
};

const pct = (n: number, d: number) => (d === 0 ? "–" : `${((100 * n) / d).toFixed(1)}%`);

export function VariantResults({ data, error }: { data: VariantResultsData; error?: string }) {
  const { adopted, decision } = data;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">Variant test</Text>
          <Badge tone={adopted ? "success" : "info"}>{adopted ? `Winner: ${adopted.key} (${adopted.by === "auto" ? "adopted automatically" : "adopted by you"})` : `Testing on ${data.metric}`}</Badge>
        </InlineStack>
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "text"]}
          headings={["Variant", "Sends", "Opens", "Clicks", "Orders", ""]}
          rows={data.results.map((r) => [
            r.key, r.sends, `${r.opens} (${pct(r.opens, r.sends)})`, `${r.clicks} (${pct(r.clicks, r.sends)})`, `${r.conversions} (${pct(r.conversions, r.sends)})`,
            adopted ? (adopted.key === r.key ? "sending to everyone" : "") : (
              <Form method="post" key={r.key}>
                <input type="hidden" name="intent" value="adopt" />
                <input type="hidden" name="variant" value={r.key} />
                <Button submit size="slim">{`Adopt ${r.key}`}</Button>
              </Form>
            ),
          ])}
        />
        {!adopted && decision && (
          <Text as="p" tone={decision.kind === "adopt" ? "success" : "subdued"}>
            {decision.kind === "adopt" ? `${decision.winner} is significantly best; it will be adopted at the next nightly run.` : decision.message}
          </Text>
        )}
        {error && <Text as="p" tone="critical">{error}</Text>}
      </BlockStack>
    </Card>
  );
}
