// /app/segments/new: the builder for a new segment.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect, useActionData, useLoaderData } from "@remix-run/react";
import { Page } from "@shopify/polaris";
import type { SegmentNode } from "../../core/segments/schema";
import { actorOf, refreshAfterSave } from "../components/segments/actions.server";
import { SegmentEditor } from "../components/segments/SegmentEditor";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { builderChoices } from "../models/segment-choices.server";
import { createSegment, listSegments } from "../models/segments.server";

const STARTER: SegmentNode = {
  kind: "and",
  children: [{ kind: "orders", metric: "last_order_at", window: { kind: "all_time" }, cmp: { op: "in_window", window: { kind: "older_than_days", days: 90 } } }],
};

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const segments = await listSegments(pool(), admin.shopId);
  return { segments: segments.map((s) => ({ id: s.id, name: s.name })), choices: await builderChoices(pool(), admin.shopId) };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const body = (await request.json().catch(() => ({}))) as { name?: unknown; definition?: unknown };
  const r = await createSegment(pool(), admin.shopId, { name: body.name, definition: body.definition }, actorOf(admin));
  if (!r.ok) return { errors: r.error };
  await refreshAfterSave(admin.shopId, r.value.id);
  return redirect(`/app/segments/${r.value.id}`);
}

export default function NewSegment() {
  const { segments, choices } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page title="New segment" backAction={{ content: "Segments", url: "/app/segments" }}>
      <SegmentEditor initialName="" initialTree={STARTER} segments={segments} choices={choices} saveErrors={result?.errors} />
    </Page>
  );
}
