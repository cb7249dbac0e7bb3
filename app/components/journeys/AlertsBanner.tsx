// A banner for the top of a page (the home page) while the shop has open alerts. Feed it
// alertSummary(pool(), shopId) from app/models/journey-list.server.ts in the page's loader.
import { Banner, Text } from "@shopify/polaris";

export interface AlertsBannerProps {
  summary: { open: number; bySeverity: Record<string, number>; latest: { message: string; severity: string } | null };
}

export function AlertsBanner({ summary }: AlertsBannerProps) {
  if (summary.open === 0) return null;
  const serious = (summary.bySeverity.critical ?? 0) + (summary.bySeverity.error ?? 0);
  const title = `${summary.open.toLocaleString("en-US")} open alert${summary.open === 1 ? "" : "s"}${serious ? ` (${serious} need attention)` : ""}`;
  return (
    <div data-alerts-banner>
      <Banner tone={serious ? "critical" : "warning"} title={title} action={{ content: "Review alerts", url: "/app/alerts" }}>
        {summary.latest && (
          <Text as="p" variant="bodySm">
            Latest: {summary.latest.message}
          </Text>
        )}
      </Banner>
    </div>
  );
}
