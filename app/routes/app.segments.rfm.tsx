// /app/segments/rfm: the RFM grid. Rows are recency scores (5 = bought most recently), columns
// the average of frequency and monetary scores; each cell counts customers, shows a sample of
// them, opens all of them in the Customers page (/app/customers?r=&fm=, paged) and can be
// saved as a segment.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, redirect, useActionData, useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, InlineError, Layout, List, Page, Text } from "@shopify/polaris";
import { actorOf, refreshAfterSave } from "../components/segments/actions.server";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { createSegment, previewSegment, rfmCellTree, rfmGrid } from "../models/segments.server";

const score = (v: string | null) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 5 ? n : null;
};

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const url = new URL(request.url);
  const r = score(url.searchParams.get("r"));
  const fm = score(url.searchParams.get("fm"));
  const grid = await rfmGrid(pool(), admin.shopId);
  let cell = null;
  if (r && fm) {
    const p = await previewSegment(pool(), admin.shopId, rfmCellTree(r, fm), new Date(), { sampleSize: 50 });
    if (p.ok) cell = { r, fm, ...p.value };
  }
  return { grid, cell };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const r = score(String(form.get("r")));
  const fm = score(String(form.get("fm")));
  if (!r || !fm) return { error: "Pick a cell of the grid first" };
  const created = await createSegment(pool(), admin.shopId, { name: `RFM: recency ${r}, frequency/monetary ${fm}`, definition: rfmCellTree(r, fm) }, actorOf(admin));
  if (!created.ok) return { error: created.error.map((e) => `${e.path}: ${e.message}`).join("; ") };
  await refreshAfterSave(admin.shopId, created.value.id);
  return redirect(`/app/segments/${created.value.id}`);
}

export default function RfmGrid() {
  const { grid, cell } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const max = Math.max(1, ...grid.cells.flat());
  const cellStyle = (n: number, selected: boolean) => ({
    padding: "10px 8px",
    textAlign: "center" as const,
    background: `rgba(0, 91, 211, ${(0.08 + 0.6 * (n / max)).toFixed(2)})`,
    outline: selected ? "2px solid #303030" : undefined,
    borderRadius: 6,
  });
  return (
    <Page title="RFM grid" backAction={{ content: "Segments", url: "/app/segments" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p" tone="subdued">
                Rows: recency score (5 = ordered most recently). Columns: average of frequency and monetary scores. {grid.unscored.toLocaleString("en-US")} customers are not scored yet.
              </Text>
              <table data-testid="rfm-grid" style={{ borderCollapse: "separate", borderSpacing: 4, width: "100%" }}>
                <thead>
                  <tr>
                    <th>R \ FM</th>
                    {[1, 2, 3, 4, 5].map((fm) => (
                      <th key={fm}>{fm}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {[5, 4, 3, 2, 1].map((r) => (
                    <tr key={r}>
                      <th>{r}</th>
                      {[1, 2, 3, 4, 5].map((fm) => {
                        const n = grid.cells[r - 1][fm - 1];
                        return (
                          <td key={fm} style={cellStyle(n, cell?.r === r && cell?.fm === fm)} data-rfm-cell={`${r}-${fm}`}>
                            <Link to={`/app/segments/rfm?r=${r}&fm=${fm}`}>{n.toLocaleString("en-US")}</Link>
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            {cell ? (
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Recency {cell.r}, frequency/monetary {cell.fm}
                </Text>
                <Text as="p">
                  <span data-testid="rfm-cell-count">{cell.total.toLocaleString("en-US")}</span> customers; reach {cell.reach.email.toLocaleString("en-US")} by email, {cell.reach.sms.toLocaleString("en-US")} by SMS.
                </Text>
                <List>
                  {cell.sample.map((c) => (
                    <List.Item key={c.id}>
                      <Link to={`/app/customers/${c.id}`}>{c.name ?? c.email ?? `customer ${c.id}`}</Link>
                    </List.Item>
                  ))}
                </List>
                <Link to={`/app/customers?r=${cell.r}&fm=${cell.fm}`} data-testid="rfm-cell-customers">
                  View all {cell.total.toLocaleString("en-US")} customers
                </Link>
                <Form method="post">
                  <input type="hidden" name="r" value={cell.r} />
                  <input type="hidden" name="fm" value={cell.fm} />
                  <Button submit variant="primary">
                    Save as segment
                  </Button>
                </Form>
                {result?.error && <InlineError fieldID="rfm" message={result.error} />}
              </BlockStack>
            ) : (
              <Text as="p" tone="subdued">
                Pick a cell to see its customers and save it as a segment.
              </Text>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
