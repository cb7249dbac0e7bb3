// GET /app/outbox/<id>/html?t=<view token>: one captured email's HTML, for the Outbox's
// sandboxed iframe. Authorised by the short-lived signed token the Outbox page made for the
// signed-in shop (an iframe's request carries no admin session). Served with a CSP that
// allows no scripts and no framing by anyone else, and with the open pixel dropped and
// links inert, so the merchant's preview never counts as the customer's open or click.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { appConfig } from "../config.server";
import { inertPreview, outboxHtml, verifyOutboxViewToken } from "../models/outbox.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = params.id ?? "";
  const token = new URL(request.url).searchParams.get("t") ?? "";
  const shopId = verifyOutboxViewToken(id, token, appConfig().trackingKey);
  if (shopId === null) return new Response("This preview link has expired. Reload the Outbox.", { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
  const html = await outboxHtml(shopId, id);
  if (html === null) return new Response("not found", { status: 404 });
  return new Response(inertPreview(html), {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "private, no-store",
      "content-security-policy": "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline' https:; font-src https: data:; frame-ancestors 'self'; sandbox",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}
