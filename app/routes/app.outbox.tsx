// The Outbox: what the shop's providers carried, newest first (channel, masked recipient,
// subject or text, status, time), and a sent email rendered in a sandboxed iframe. In the
// demo the local SMTP server and Twilio simulator fill it, so a merchant sees journeys work.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link as RemixLink, useLoaderData, useRevalidator, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, EmptyState, IndexTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { appConfig } from "../config.server";
import { prisma } from "../db.server";
import { formatInstant } from "../lib/dates";
import { listOutbox, outboxViewToken } from "../models/outbox.server";

export const meta: MetaFunction = () => [{ title: "Outbox · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const shop = await prisma().shop.findUniqueOrThrow({ where: { id: admin.shopId }, select: { timezone: true } });
  const rows = await listOutbox(admin.shopId, { limit: 100 });
  const viewId = new URL(request.url).searchParams.get("view");
  const withTime = rows.map((r) => ({ ...r, time: formatInstant(r.receivedAt, shop.timezone) }));
  const selected = withTime.find((r) => r.id === viewId && r.hasHtml) ?? null;
  return {
    rows: withTime,
    selected: selected && { ...selected, src: `/app/outbox/${selected.id}/html?t=${encodeURIComponent(outboxViewToken(admin.shopId, selected.id, appConfig().trackingKey))}` },
  };
}

const STATUS_TONE: Record<string, "success" | "critical" | "attention" | "info" | undefined> = {
  delivered: "success",
  sent: "info",
  queued: "attention",
  failed: "critical",
  undelivered: "critical",
  suppressed: undefined,
};

const CHANNEL_LABEL: Record<string, string> = { email: "Email", sms: "SMS", push: "Push" };

export default function Outbox() {
  const { rows, selected } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const [, setSearchParams] = useSearchParams();

  return (
    <Page
      title="Outbox"
      subtitle="What Winback sent through your providers"
      backAction={{ content: "Home", url: "/app" }}
      primaryAction={{ content: "Refresh", onAction: () => revalidator.revalidate(), loading: revalidator.state === "loading" }}
    >
      <Layout>
        {selected && (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingMd">
                      <span data-preview-subject>{selected.subject ?? "(no subject)"}</span>
                    </Text>
                    <Text as="p" tone="subdued">
                      To {selected.recipient} · {selected.time}
                    </Text>
                  </BlockStack>
                  <Button onClick={() => setSearchParams({})}>Close</Button>
                </InlineStack>
                {/* No allow-scripts, no allow-same-origin: the email cannot run code or reach the app. */}
                <iframe
                  title={`Email: ${selected.subject ?? ""}`}
                  src={selected.src}
                  sandbox=""
                  referrerPolicy="no-referrer"
                  data-outbox-preview
                  style={{ width: "100%", height: 560, border: "1px solid #e1e3e5", borderRadius: 8, background: "#fff" }}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card padding="0">
            {rows.length === 0 ? (
              <EmptyState heading="Nothing sent yet" image="">
                <p>
                  Messages appear here as journeys send them. <RemixLink to="/app/settings/channels">Send a test from Channels</RemixLink> to try it.
                </p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "message", plural: "messages" }}
                itemCount={rows.length}
                selectable={false}
                headings={[{ title: "Channel" }, { title: "Recipient" }, { title: "Subject / text" }, { title: "Status" }, { title: "Time" }, { title: "" }]}
              >
                {rows.map((r, i) => (
                  <IndexTable.Row id={r.id} key={r.id} position={i}>
                    <IndexTable.Cell>
                      <span data-outbox-row={r.id} data-channel={r.channel}>{CHANNEL_LABEL[r.channel] ?? r.channel}</span>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{r.recipient}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" variant="bodyMd" fontWeight={r.subject ? "semibold" : "regular"}>
                        <span data-outbox-subject>{r.subject ?? r.preview}</span>
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={STATUS_TONE[r.status]}>{r.status}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{r.time}</IndexTable.Cell>
                    <IndexTable.Cell>
                      {r.hasHtml && (
                        <RemixLink to={`?view=${r.id}`} data-outbox-view={r.id}>
                          View
                        </RemixLink>
                      )}
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
