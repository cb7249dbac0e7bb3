// /app/content/:id: edit a message. Saving writes the next version; the version being
// edited stays as it is, so journeys that name it keep sending it.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, redirect, useActionData, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Page, Text } from "@shopify/polaris";
import { ContentEditor } from "../components/content/ContentEditor";
import { requireAdmin } from "../auth.server";
import { getContent, listBlocks, saveContent, shopEmail } from "../models/content.server";
import { listMedia } from "../models/media.server";
import { VariantResults } from "../components/content/VariantResults";
import { adoptVariant, variantTestStatus } from "../models/content-variants.server";
import { pool } from "../db.server";
import { actorOf } from "../components/journeys/actions.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const content = await getContent(admin.shopId, params.id ?? "");
  if (!content) throw new Response("Message not found", { status: 404 });
  const [blocks, media, email] = await Promise.all([listBlocks(admin.shopId), listMedia(admin.shopId), shopEmail(admin.shopId)]);
  const variants = content.body.variants ? await variantTestStatus(pool(), admin.shopId, content.id) : null;
  return { content, blocks, media: media.map((m) => ({ path: m.path, url: m.url, originalName: m.originalName })), shopEmail: email, variants: variants?.ok ? variants.value : null };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  if (!(request.headers.get("content-type") ?? "").includes("json")) {
    // The variant card's "Adopt" button (a form post).
    const form = await request.formData();
    if (form.get("intent") !== "adopt") return { adoptError: "unknown action" };
    const r = await adoptVariant(pool(), admin.shopId, params.id ?? "", String(form.get("variant") ?? ""), "merchant", actorOf(admin), new Date());
    return r.ok ? redirect(`/app/content/${params.id}`) : { adoptError: r.error };
  }
  const input = (await request.json().catch(() => ({}))) as { name?: unknown; body?: unknown };
  const r = await saveContent(admin.shopId, { fromId: params.id ?? "", name: input.name, body: input.body });
  if (!r.ok) return { issues: r.error };
  return redirect(`/app/content/${r.value.id}`);
}

export default function EditContent() {
  const { content, blocks, media, shopEmail, variants } = useLoaderData<typeof loader>();
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
        {variants && <VariantResults data={variants} error={result && "adoptError" in result ? result.adoptError : undefined} />}
        <ContentEditor key={content.id} initialName={content.name} initial={content.body} channelLocked blocks={blocks} media={media} shopEmail={shopEmail} saveIssues={result && "issues" in result ? result.issues : undefined} />
      </BlockStack>
    </Page>
  );
}
