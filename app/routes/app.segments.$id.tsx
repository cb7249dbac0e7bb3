// /app/segments/:id: edit a segment (each save is a new version), archive it, export members.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect, useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { Page, Text } from "@shopify/polaris";
import { actorOf, refreshAfterSave } from "../components/segments/actions.server";
import { SegmentEditor } from "../components/segments/SegmentEditor";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { builderChoices } from "../models/segment-choices.server";
import { archiveSegment, getSegment, listSegments, updateSegment } from "../models/segments.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const segment = await getSegment(pool(), admin.shopId, params.id ?? "");
  if (!segment || segment.archivedAt) throw new Response("Segment not found", { status: 404 });
  const segments = await listSegments(pool(), admin.shopId);
  return { segment, segments: segments.map((s) => ({ id: s.id, name: s.name })), choices: await builderChoices(pool(), admin.shopId) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const id = params.id ?? "";
  const body = (await request.json().catch(() => ({}))) as { intent?: unknown; name?: unknown; definition?: unknown };
  if (body.intent === "archive") {
    await archiveSegment(pool(), admin.shopId, id, actorOf(admin));
    return redirect("/app/segments");
  }
  const r = await updateSegment(pool(), admin.shopId, id, { name: body.name, definition: body.definition }, actorOf(admin));
  if (!r.ok) return { errors: r.error, saved: false };
  await refreshAfterSave(admin.shopId, id);
  return { errors: [], saved: true };
}

export default function EditSegment() {
  const { segment, segments, choices } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submit = useSubmit();
  return (
    <Page
      title={segment.name}
      subtitle={`Version ${segment.version} · ${segment.memberCount.toLocaleString("en-US")} members`}
      backAction={{ content: "Segments", url: "/app/segments" }}
      secondaryActions={[
        { content: "Export members (CSV)", url: `/app/segments/${segment.id}/export.csv`, external: false },
        { content: "Archive", destructive: true, onAction: () => submit({ intent: "archive" }, { method: "post", encType: "application/json" }) },
      ]}
    >
      {result?.saved && (
        <div data-testid="saved" style={{ marginBottom: 12 }}>
          <Text as="p" tone="success">
            Saved as version {segment.version}.
          </Text>
        </div>
      )}
      <span data-testid="member-count" hidden>
        {segment.memberCount}
      </span>
      <SegmentEditor key={`${segment.id}-${segment.version}`} initialName={segment.name} initialTree={segment.definition} segmentId={segment.id} segments={segments} choices={choices} saveErrors={result?.errors} />
    </Page>
  );
}
