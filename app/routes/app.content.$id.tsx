// /app/content/:id: edit a message. Saving writes the next version; the version being
// edited stays as it is, so journeys that name it keep sending it.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, redirect, useActionData, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Page, Text } from "@shopify/polaris";
import { ContentEditor } from "../components/content/ContentEditor";
import { requireAdmin } from "../auth.server";
import { getContent, listBlocks, saveContent, shopEmail } from "../models/content.server";
import { listMedia } from "../models/media.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const content = await getContent(admin.shopId, params.id ?? "");
  if (!content) throw new Response("Message not found", { status: 404 });
  const [blocks, media, email] = await Promise.all([listBlocks(admin.shopId), listMedia(admin.shopId), shopEmail(admin.shopId)]);
  return { content, blocks, media: media.map((m) => ({ path: m.path, url: m.url, originalName: m.originalName })), shopEmail: email };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const input = (await request.json().catch(() => ({}))) as { name?: unknown; body?: unknown };
  const r = await saveContent(admin.shopId, { fromId: params.id ?? "", name: input.name, body: input.body });
  if (!r.ok) return { issues: r.error };
  return redirect(`/app/content/${r.value.id}`);
}

export default function EditContent() {
  const { content, blocks, media, shopEmail } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const latest = content.versions[0]?.id === content.id;
  return (
    <Page
      title={content.name}
      titleMetadata={<Badge tone={latest ? "success" : "attention"}>{`Version ${content.version}${latest ? "" : " (older)"}`}</Badge>}
      backAction={{ content: "Content", url: "/app/content" }}
    >
      <BlockStack gap="400">
        <Card>
          <InlineStack gap="400" align="space-between">
            <Text as="p" tone="subdued">
              {content.usedBy.length
                ? `Used by ${content.usedBy.map((u) => `${u.journeyName} (${u.pinnedVersion === null ? "newest version" : `pinned to v${u.pinnedVersion}`})`).join(", ")}`
                : "Not used by any journey yet"}
              {content.templateKey ? ` · journeys that name “${content.templateKey}” get the newest version` : ""}
            </Text>
            <InlineStack gap="200">
              {content.versions.slice(0, 8).map((v) => (
                <Link key={v.id} to={`/app/content/${v.id}`}>
                  v{v.version}
                </Link>
              ))}
            </InlineStack>
          </InlineStack>
        </Card>
        <ContentEditor key={content.id} initialName={content.name} initial={content.body} channelLocked blocks={blocks} media={media} shopEmail={shopEmail} saveIssues={result?.issues} />
      </BlockStack>
    </Page>
  );
}
