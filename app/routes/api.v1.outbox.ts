// GET /api/v1/outbox?channel=email|sms|push&limit=N: the Outbox as JSON (recipients masked).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../auth.server";
import { listOutbox } from "../models/outbox.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const q = new URL(request.url).searchParams;
  const channel = q.get("channel");
  if (channel !== null && !["email", "sms", "push"].includes(channel)) return Response.json({ error: "channel is email, sms or push" }, { status: 400 });
  const limit = Math.max(1, Math.min(Number(q.get("limit") ?? 100) || 100, 500));
  const items = await listOutbox(admin.shopId, { limit, channel: (channel ?? undefined) as "email" | "sms" | "push" | undefined });
  return Response.json({ items });
}
