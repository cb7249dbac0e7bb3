// /app/content/new?channel=email|sms|push: a new message in the content library.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect, useActionData, useLoaderData } from "@remix-run/react";
import { Page } from "@shopify/polaris";
import { channelSchema } from "../../core/content/schema";
import { ContentEditor, starterContent } from "../components/content/ContentEditor";
import { requireAdmin } from "../auth.server";
import { listBlocks, saveContent, shopEmail } from "../models/content.server";
import { listMedia } from "../models/media.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const channel = channelSchema.catch("email").parse(new URL(request.url).searchParams.get("channel"));
  const [blocks, media, email] = await Promise.all([listBlocks(admin.shopId), listMedia(admin.shopId), shopEmail(admin.shopId)]);
  return { channel, blocks, media: media.map((m) => ({ path: m.path, url: m.url, originalName: m.originalName })), shopEmail: email };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const input = (await request.json().catch(() => ({}))) as { name?: unknown; body?: unknown };
  const r = await saveContent(admin.shopId, { name: input.name, body: input.body });
  if (!r.ok) return { issues: r.error };
  return redirect(`/app/content/${r.value.id}`);
}

export default function NewContent() {
  const { channel, blocks, media, shopEmail } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page title="New message" backAction={{ content: "Content", url: "/app/content" }}>
      <ContentEditor key={channel} initialName="" initial={starterContent(channel)} channelLocked={false} blocks={blocks} media={media} shopEmail={shopEmail} saveIssues={result?.issues} />
    </Page>
  );
}
