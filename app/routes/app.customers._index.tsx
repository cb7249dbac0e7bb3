// /app/customers: every customer with their scores, paged on the server, sortable and
// filterable by stage, RFM group, behaviour group, RFM grid cell (?r=&fm=, which the grid links
// to), dormancy, P(alive) and lifetime value (all in the URL).
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Card, IndexTable, InlineStack, Page, Select, Tag, Text, TextField, type IndexTableProps } from "@shopify/polaris";
import { useState } from "react";
import { clusterLabel, RFM_LABELS, STAGE_LABELS, StageBadge } from "../components/customers/StageBadge";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { formatMoney } from "../lib/money";
import { listCustomers, parseCustomerListQuery, type CustomerSort } from "../models/customers.server";

export const meta: MetaFunction = () => [{ title: "Customers · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const query = parseCustomerListQuery(new URL(request.url).searchParams);
  const list = await listCustomers(pool(), admin.shopId, query);
  return { ...list, query };
}

const COLUMNS: { title: string; sort?: CustomerSort; numeric?: boolean }[] = [
  { title: "Customer", sort: "name" },
  { title: "Orders", sort: "orders", numeric: true },
  { title: "Spent", sort: "spent", numeric: true },
  { title: "Last order", sort: "last_order" },
  { title: "Stage" },
  { title: "RFM group" },
  { title: "Days overdue", sort: "overdue", numeric: true },
  { title: "P(alive)", sort: "p_alive", numeric: true },
  { title: "Lifetime value", sort: "clv", numeric: true },
];

const dateIn = (iso: string, timeZone: string) => new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone }).format(new Date(iso));

export default function Customers() {
  const { rows, clusters, model, page, hasNext, currency, timezone, query } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const navigation = useNavigation();
  const set = (changes: Record<string, string | undefined>, keepPage = false) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === "") next.delete(k);
      else next.set(k, v);
    }
    if (!keepPage) next.delete("page");
    setParams(next);
  };
  const [minPAlive, setMinPAlive] = useState(query.minPAlive?.toString() ?? "");
  const [maxPAlive, setMaxPAlive] = useState(query.maxPAlive?.toString() ?? "");
  const [minClv, setMinClv] = useState(query.minClv?.toString() ?? "");

  const sortIndex = COLUMNS.findIndex((c) => c.sort === query.sort);
  const headings = COLUMNS.map((c) => ({ title: c.title, alignment: c.numeric ? "end" : undefined })) as IndexTableProps["headings"];
  const rowMarkup = rows.map((c, i) => (
    <IndexTable.Row id={c.id} key={c.id} position={i}>
      <IndexTable.Cell>
        <Link to={`/app/customers/${c.id}`} data-customer-link={c.id}>
          <Text as="span" fontWeight="semibold">
            {c.name}
          </Text>
        </Link>
        <div>
          <Text as="span" tone="subdued">
            {c.email ?? "no email"}
          </Text>
        </div>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {c.orders.toLocaleString("en-US")}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {formatMoney(c.spent, currency)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{c.lastOrderAt ? dateIn(c.lastOrderAt, timezone) : "—"}</IndexTable.Cell>
      <IndexTable.Cell>
        <StageBadge stage={c.stage} />
      </IndexTable.Cell>
      <IndexTable.Cell>{c.rfmGroup ? RFM_LABELS[c.rfmGroup] ?? c.rfmGroup : "—"}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {c.daysOverdue === null ? "—" : c.daysOverdue > 0 ? Math.round(c.daysOverdue).toLocaleString("en-US") : "not yet due"}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {c.pAlive === null ? "—" : `${Math.round(c.pAlive * 100)}%`}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {c.clv === null ? "—" : formatMoney(c.clv, currency)}
        </Text>
      </IndexTable.Cell>
    </IndexTable.Row>
  ));

  return (
    <Page
      title="Customers"
      backAction={{ content: "Home", url: "/app" }}
      pagination={{
        hasPrevious: page > 1,
        hasNext,
        onPrevious: () => set({ page: String(page - 1) }, true),
        onNext: () => set({ page: String(page + 1) }, true),
      }}
    >
      <BlockStack gap="400">
        {model && model.confidence !== "high" && (
          // Small or young shops get shrunk or heuristic predictions: say so beside the numbers.
          <div data-testid="model-confidence">
            <Banner tone={model.confidence === "low" ? "warning" : "info"} title={`Predictions are ${model.confidence} confidence`}>
              <Text as="p">
                {model.reason.replace(/^./, (c) => c.toUpperCase())}. P(alive) and lifetime value are estimates to read with that in mind.
              </Text>
            </Banner>
          </div>
        )}
        <Card padding="0">
          <div style={{ padding: 12 }}>
            <InlineStack gap="300" blockAlign="end" wrap>
              <Select
                label="Stage"
                id="filter-stage"
                name="stage"
                options={[{ label: "Any stage", value: "" }, ...Object.entries(STAGE_LABELS).map(([value, s]) => ({ label: s.label, value }))]}
                value={query.stage ?? ""}
                onChange={(v) => set({ stage: v })}
              />
              <Select
                label="RFM group"
                id="filter-rfm"
                name="rfm"
                options={[{ label: "Any group", value: "" }, ...Object.entries(RFM_LABELS).map(([value, label]) => ({ label, value }))]}
                value={query.rfm ?? ""}
                onChange={(v) => set({ rfm: v })}
              />
              {clusters.length > 0 && (
                <Select
                  label="Behaviour group"
                  id="filter-cluster"
                  name="cluster"
                  options={[{ label: "Any behaviour", value: "" }, ...clusters.map((c) => ({ label: clusterLabel(c), value: String(c.id) }))]}
                  value={query.cluster === undefined ? "" : String(query.cluster)}
                  onChange={(v) => set({ cluster: v })}
                />
              )}
              <Select
                label="Dormant"
                id="filter-dormant"
                name="dormant"
                options={[
                  { label: "Either", value: "" },
                  { label: "Dormant", value: "yes" },
                  { label: "Not dormant", value: "no" },
                ]}
                value={query.dormant ?? ""}
                onChange={(v) => set({ dormant: v })}
              />
              <div style={{ width: 110 }}>
                <TextField label="Min P(alive) %" type="number" autoComplete="off" value={minPAlive} onChange={setMinPAlive} onBlur={() => set({ minPAlive })} />
              </div>
              <div style={{ width: 110 }}>
                <TextField label="Max P(alive) %" type="number" autoComplete="off" value={maxPAlive} onChange={setMaxPAlive} onBlur={() => set({ maxPAlive })} />
              </div>
              <div style={{ width: 130 }}>
                <TextField label={`Min lifetime value (${currency})`} type="number" autoComplete="off" value={minClv} onChange={setMinClv} onBlur={() => set({ minClv })} />
              </div>
              {(query.r !== undefined || query.fm !== undefined) && (
                <span data-testid="rfm-cell-filter">
                  <Tag onRemove={() => set({ r: undefined, fm: undefined })}>
                    {`RFM cell: recency ${query.r ?? "any"}, frequency/monetary ${query.fm ?? "any"}`}
                  </Tag>
                </span>
              )}
            </InlineStack>
          </div>
          <IndexTable
            resourceName={{ singular: "customer", plural: "customers" }}
            itemCount={rows.length}
            headings={headings}
            selectable={false}
            loading={navigation.state === "loading"}
            sortable={COLUMNS.map((c) => c.sort !== undefined)}
            sortColumnIndex={sortIndex >= 0 ? sortIndex : undefined}
            sortDirection={query.dir === "asc" ? "ascending" : "descending"}
            onSort={(index, direction) => set({ sort: COLUMNS[index].sort, dir: direction === "ascending" ? "asc" : "desc" })}
            emptyState={
              <div style={{ padding: 16 }}>
                <Text as="p">No customers match these filters.</Text>
              </div>
            }
          >
            {rowMarkup}
          </IndexTable>
          <div style={{ padding: 12 }}>
            <Text as="p" tone="subdued">
              <span data-page={page}>Page {page}</span>
            </Text>
          </div>
        </Card>
      </BlockStack>
    </Page>
  );
}
