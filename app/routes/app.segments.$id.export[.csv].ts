// GET /app/segments/:id/export.csv: the segment's members as CSV, streamed page by page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { segmentMembersCsv } from "../models/segments.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const stream = await segmentMembersCsv(pool(), admin.shopId, params.id ?? "");
  if (!stream) throw new Response("Not found", { status: 404 });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="segment-${params.id}-members.csv"`,
      "cache-control": "no-store",
    },
  });
}
