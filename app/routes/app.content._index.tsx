// /app/content: the content library, newest version of each message, by channel and
// purpose, with the journeys that use it.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Card, DataTable, InlineStack, Page, Select, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { listContents } from "../models/content.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const url = new URL(request.url);
  const channel = url.searchParams.get("channel") ?? "";
  const purpose = url.searchParams.get("purpose") ?? "";
  return { contents: await listContents(admin.shopId, { channel, purpose }) };
}

const CHANNEL_LABEL = { email: "Email", sms: "SMS", push: "Web push" } as const;

export default function ContentLibrary() {
  const { contents } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };
  const rows = contents.map((c) => [
    <span key="n" data-content-name={c.name}>
      <Link to={`/app/content/${c.id}`}>{c.name}</Link> {c.templateKey && <Badge>Ready-made</Badge>}
    </span>,
    CHANNEL_LABEL[c.channel],
    c.purpose,
    `v${c.version}`,
    c.usedBy.length ? [...new Set(c.usedBy.map((u) => u.journeyName))].join(", ") : "—",
  ]);
  return (
    <Page
      title="Content"
      backAction={{ content: "Home", url: "/app" }}
      primaryAction={{ content: "New email", url: "/app/content/new?channel=email" }}
      secondaryActions={[
        { content: "New SMS", url: "/app/content/new?channel=sms" },
        { content: "New push", url: "/app/content/new?channel=push" },
        { content: "Blocks", url: "/app/content/blocks" },
        { content: "Media", url: "/app/media" },
      ]}
    >
      <Card padding="0">
        <div style={{ padding: 12 }}>
          <InlineStack gap="400">
            <Select
              label="Channel"
              labelInline
              options={[{ label: "All", value: "" }, { label: "Email", value: "email" }, { label: "SMS", value: "sms" }, { label: "Web push", value: "push" }]}
              value={params.get("channel") ?? ""}
              onChange={(v) => setFilter("channel", v)}
            />
            <Select
              label="Purpose"
              labelInline
              options={[{ label: "All", value: "" }, { label: "Promotional", value: "promotional" }, { label: "Informational", value: "informational" }, { label: "Transactional", value: "transactional" }]}
              value={params.get("purpose") ?? ""}
              onChange={(v) => setFilter("purpose", v)}
            />
          </InlineStack>
        </div>
        {rows.length ? (
          <DataTable columnContentTypes={["text", "text", "text", "text", "text"]} headings={["Message", "Channel", "Purpose", "Version", "Used in journeys"]} rows={rows} />
        ) : (
          <div style={{ padding: 16 }}>
            <Text as="p">No messages yet. Journeys send the shop&apos;s generic copy until you add yours.</Text>
          </div>
        )}
      </Card>
    </Page>
  );
}
