// A row of headline figures, each a card with its label, value and an optional line of help.
// `attribute` names the data-* attribute that carries each figure's id (tests and the demo
// read the figures by it).
import { BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

export interface Stat {
  id: string;
  label: string;
  value: ReactNode;
  help?: string;
}

export function StatGrid({ stats, attribute, columns = 4 }: { stats: readonly Stat[]; attribute: string; columns?: 3 | 4 | 5 }) {
  return (
    <InlineGrid columns={{ xs: 1, sm: 2, md: columns }} gap="400">
      {stats.map((s) => (
        <Card key={s.id}>
          <BlockStack gap="200">
            <Text as="h2" variant="headingSm" tone="subdued">
              {s.label}
            </Text>
            <Text as="p" variant="headingLg">
              <span {...{ [`data-${attribute}`]: s.id }}>{s.value}</span>
            </Text>
            {s.help && (
              <Text as="p" variant="bodySm" tone="subdued">
                {s.help}
              </Text>
            )}
          </BlockStack>
        </Card>
      ))}
    </InlineGrid>
  );
}
