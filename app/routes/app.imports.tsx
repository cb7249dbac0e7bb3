// Imports: every import run of the shop with live progress (rows read, written, rejected, rate,
// ETA; polled while one is running), cancel and resume, a CSV upload (Shopify customers or
// orders export, or plain transactions) queued as an import job, and each run's rejected-rows
// report as a CSV download.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, EmptyState, IndexTable, InlineStack, Layout, Page, ProgressBar, Select, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { requireAdmin } from "../auth.server";
import { pool, prisma } from "../db.server";
import { formatInstant } from "../lib/dates";
import {
  CSV_FORMAT_LABELS, CSV_FORMATS, cancelImportRun, listImportRuns, resumeImportRun, startCsvUpload, startShopifyImport,
} from "../models/imports.server";
import { queues } from "../../jobs/queues";

export const meta: MetaFunction = () => [{ title: "Imports · Winback" }];

/** Uploads above this are refused: the CLI takes any size. */
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const shop = await prisma().shop.findUniqueOrThrow({ where: { id: admin.shopId }, select: { timezone: true, platform: true } });
  const runs = await listImportRuns(pool(), admin.shopId);
  return {
    runs: runs.map((r) => ({ ...r, created: formatInstant(new Date(r.createdAt), shop.timezone) })),
    formats: CSV_FORMATS.map((f) => ({ value: f, label: CSV_FORMAT_LABELS[f] })),
    shopify: shop.platform === "shopify",
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_UPLOAD_BYTES) return { error: "The file is larger than 200 MB: import it with `winback import csv`" };
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const id = String(form.get("id") ?? "");
  if (intent === "cancel") {
    return (await cancelImportRun(pool(), admin.shopId, id, new Date())) ? { ok: true } : { error: "That import is not running" };
  }
  if (intent === "resume") {
    return (await resumeImportRun(pool(), queues(), admin.shopId, id)) ? { ok: true } : { error: "That import cannot be resumed" };
  }
  if (intent === "shopify-import") {
    return { ok: true, started: await startShopifyImport(pool(), queues(), admin.shopId) };
  }
  if (intent === "upload") {
    const file = form.get("file");
    if (!file || typeof file === "string") return { error: "Choose a CSV file" };
    const r = await startCsvUpload(pool(), queues(), admin.shopId, String(form.get("format") ?? ""), {
      name: file.name, bytes: new Uint8Array(await file.arrayBuffer()),
    });
    return r.ok ? { ok: true, started: r.value } : { error: r.error };
  }
  return { error: "Unknown action" };
}

const TONE: Record<string, "success" | "critical" | "attention" | "info" | undefined> = {
  succeeded: "success", failed: "critical", cancelled: "attention", running: "info", queued: undefined, paused: "attention",
};

function eta(seconds: number | null): string {
  if (seconds == null) return "";
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  return `${Math.ceil(seconds / 60)} min left`;
}

export default function Imports() {
  const { runs, formats, shopify } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const submit = useSubmit();
  const [format, setFormat] = useState<string>(formats[0].value);
  const active = runs.some((r) => r.status === "running" || r.status === "queued");

  // Poll while something is running; stop as soon as nothing is.
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 1000);
    return () => clearInterval(t);
  }, [active, revalidator]);

  const act = (intent: string, id: string) => submit({ intent, id }, { method: "post" });

  return (
    <Page
      title="Imports"
      subtitle="Shopify, WooCommerce and CSV imports"
      backAction={{ content: "Home", url: "/app" }}
      primaryAction={shopify ? { content: "Import from Shopify", onAction: () => submit({ intent: "shopify-import" }, { method: "post" }) } : undefined}
      secondaryActions={[{ content: "Connect WooCommerce", url: "/app/woocommerce/connect" }]}
    >
      <Layout>
        {result && "error" in result && result.error && (
          <Layout.Section>
            <Banner tone="critical">
              <span data-import-error>{result.error}</span>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <Form method="post" encType="multipart/form-data">
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Import a CSV file</Text>
                <input type="hidden" name="intent" value="upload" />
                <Select label="Format" name="format" options={formats} value={format} onChange={setFormat} />
                <input type="file" name="file" accept=".csv,text/csv" aria-label="CSV file" data-upload-file />
                <InlineStack>
                  <Button submit variant="primary" loading={navigation.state === "submitting" && navigation.formData?.get("intent") === "upload"}>
                    Upload and import
                  </Button>
                </InlineStack>
              </BlockStack>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {runs.length === 0 ? (
              <EmptyState heading="No imports yet" image="">
                <p>Upload a CSV file, or connect a store, to bring in customers and orders.</p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "import", plural: "imports" }}
                itemCount={runs.length}
                selectable={false}
                headings={[{ title: "Import" }, { title: "Status" }, { title: "Progress" }, { title: "Rows" }, { title: "" }]}
              >
                {runs.map((r, i) => (
                  <IndexTable.Row id={r.id} key={r.id} position={i}>
                    <IndexTable.Cell>
                      <BlockStack gap="050">
                        <Text as="span" fontWeight="semibold">{r.fileName ?? (r.source === "woocommerce" ? "WooCommerce sync" : r.source)}</Text>
                        <Text as="span" tone="subdued" variant="bodySm">{r.kind} · {r.created}</Text>
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <span data-run-status={r.id}><Badge tone={TONE[r.status]}>{r.status}</Badge></span>
                      {r.error && <Text as="p" tone="critical" variant="bodySm">{r.error}</Text>}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <div style={{ width: 160 }}>
                        <ProgressBar progress={Math.round((r.status === "succeeded" ? 1 : r.fraction ?? 0) * 100)} size="small"
                          tone={r.status === "failed" ? "critical" : r.status === "succeeded" ? "success" : "highlight"} />
                        <Text as="span" tone="subdued" variant="bodySm">
                          {r.rate != null && r.status === "running" ? `${Math.round(r.rate).toLocaleString("en-US")} rows/s ${eta(r.etaSeconds)}` : ""}
                        </Text>
                      </div>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <span data-run-counts={r.id}>
                        {`read ${r.rowsRead.toLocaleString("en-US")} · written ${r.rowsWritten.toLocaleString("en-US")} · rejected ${r.rowsRejected.toLocaleString("en-US")}`}
                      </span>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <InlineStack gap="200">
                        {(r.status === "running" || r.status === "queued") && <Button onClick={() => act("cancel", r.id)}>Cancel</Button>}
                        {(r.status === "cancelled" || r.status === "failed" || r.status === "paused") && r.source !== "shopify" && (
                          <Button onClick={() => act("resume", r.id)}>Resume</Button>
                        )}
                        {r.rowsRejected > 0 && (
                          <Button url={`/app/imports/${r.id}/report.csv`} download={`import-${r.id}-rejected.csv`} external={false}>
                            Rejected rows
                          </Button>
                        )}
                      </InlineStack>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
