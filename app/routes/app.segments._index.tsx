// /app/segments: every live segment with its size, 30-day trend, and members' average
// lifetime value and churn risk.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Card, DataTable, Page, Text } from "@shopify/polaris";
import { Sparkline } from "../components/segments/Sparkline";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { listSegments } from "../models/segments.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const [segments, shop] = await Promise.all([
    listSegments(pool(), admin.shopId),
    pool().query<{ currency: string }>(`select currency from shops where id = $1`, [admin.shopId]),
  ]);
  return { segments, currency: shop.rows[0]?.currency ?? "USD" };
}

const money = (minor: number | null, currency: string) =>
  minor === null ? "—" : new Intl.NumberFormat("en-US", { style: "currency", currency }).format(minor / 100);

export default function SegmentsList() {
  const { segments, currency } = useLoaderData<typeof loader>();
  const rows = segments.map((s) => [
    <span key="n" data-segment-name={s.name}>
      <Link to={`/app/segments/${s.id}`}>{s.name}</Link> {s.templateKey && <Badge>Ready-made</Badge>}
    </span>,
    <span key="c" data-segment-size={s.id}>
      {s.memberCount.toLocaleString("en-US")}
    </span>,
    <Sparkline key="t" points={s.trend.map((t) => t.count)} />,
    money(s.avgClv, currency),
    s.avgChurnRisk === null ? "—" : `${Math.round(s.avgChurnRisk * 100)}%`,
    <a key="e" href={`/app/segments/${s.id}/export.csv`}>
      CSV
    </a>,
  ]);
  return (
    <Page
      title="Segments"
      backAction={{ content: "Home", url: "/app" }}
      primaryAction={{ content: "New segment", url: "/app/segments/new" }}
      secondaryActions={[{ content: "RFM grid", url: "/app/segments/rfm" }]}
    >
      <Card padding="0">
        {rows.length ? (
          <DataTable
            columnContentTypes={["text", "numeric", "text", "numeric", "numeric", "text"]}
            headings={["Segment", "Members", "Trend (30 days)", "Avg. lifetime value", "Avg. churn risk", "Export"]}
            rows={rows}
          />
        ) : (
          <div style={{ padding: 16 }}>
            <Text as="p">No segments yet.</Text>
          </div>
        )}
      </Card>
    </Page>
  );
}
