// /app/content/preview: what the content editor calls as the merchant types.
//   GET  ?q=...                       customer picker (shop-scoped search on email and name)
//   POST {intent:"preview", body, customerId}   server-rendered preview for that customer
//   POST {intent:"test", body, customerId, to}  test send to the merchant
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../auth.server";
import { previewContent, searchCustomers, sendContentTest } from "../models/content.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const q = new URL(request.url).searchParams.get("q") ?? "";
  return Response.json({ customers: await searchCustomers(admin.shopId, q.slice(0, 200)) });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const input = (await request.json().catch(() => null)) as { intent?: unknown; body?: unknown; customerId?: unknown; to?: unknown } | null;
  if (!input || typeof input !== "object") return Response.json({ ok: false, error: "expected JSON {intent, body}" }, { status: 400 });
  const customerId = typeof input.customerId === "string" && input.customerId ? input.customerId : null;
  if (input.intent === "test") {
    const r = await sendContentTest(admin.shopId, admin.shopDomain, { body: input.body, customerId, to: typeof input.to === "string" ? input.to : "" });
    return Response.json(r.ok ? { ok: true, intent: "test", to: r.value.to } : { ok: false, intent: "test", error: r.error });
  }
  const r = await previewContent(admin.shopId, input.body, customerId);
  if (r.ok) return Response.json({ ok: true, intent: "preview", preview: r.value });
  return Response.json(r.error.kind === "invalid" ? { ok: false, intent: "preview", issues: r.error.issues } : { ok: false, intent: "preview", error: r.error.message });
}
