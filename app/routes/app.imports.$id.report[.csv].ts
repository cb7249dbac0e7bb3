// GET /app/imports/:id/report.csv: the run's rejected rows (line, reason) as a CSV download.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../auth.server";
import { pool } from "../db.server";
import { rejectedRowsCsv } from "../models/imports.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const csv = await rejectedRowsCsv(pool(), admin.shopId, params.id ?? "");
  if (csv === undefined) throw new Response("Not found", { status: 404 });
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="import-${params.id}-rejected.csv"`,
      "cache-control": "no-store",
    },
  });
}
