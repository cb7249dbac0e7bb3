import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../auth.server";
import { shopSummary } from "../models/shop.server";

// GET /api/v1/shop: the signed-in shop's counts. Embedded pages call it with the App
// Bridge session token (Authorization: Bearer ...).
export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const summary = await shopSummary(admin.shopId);
  return Response.json({ shop: admin.shopDomain, ...summary });
}
