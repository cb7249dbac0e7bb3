// POST /api/v1/segments/preview {definition, segmentId?}: count, sample and reach per
// channel of an unsaved tree, or the validation errors naming the node. The builder calls it
// (debounced) as the merchant edits.
import type { ActionFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { previewSegment } from "../models/segments.server";

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  if (request.method !== "POST") return Response.json({ ok: false, errors: [{ path: "request", message: "POST only" }] }, { status: 405 });
  const body = (await request.json().catch(() => null)) as { definition?: unknown; segmentId?: unknown } | null;
  if (!body || typeof body !== "object") return Response.json({ ok: false, errors: [{ path: "root", message: "expected JSON {definition}" }] }, { status: 400 });
  const segmentId = typeof body.segmentId === "string" ? body.segmentId : undefined;
  const r = await previewSegment(pool(), admin.shopId, body.definition, new Date(), { segmentId });
  if (!r.ok) return Response.json({ ok: false, errors: r.error });
  return Response.json({ ok: true, ...r.value });
}
