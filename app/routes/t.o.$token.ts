// GET /t/o/<token>: the open pixel. Answers a 1x1 transparent GIF and records
// message_opened at most once per message per hour (image proxies and re-opens refetch).
// A token that does not verify gets the same pixel with 400 and nothing is recorded.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { verifyOpenToken, openDedupeKey } from "../../core/tracking/link-tokens";
import { appConfig } from "../config.server";
import { findSentMessage, recordEngagement } from "../models/outbox.server";

const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

const pixel = (status: number) =>
  new Response(GIF, {
    status,
    headers: { "content-type": "image/gif", "content-length": String(GIF.length), "cache-control": "no-store, no-cache, must-revalidate, private", "referrer-policy": "no-referrer" },
  });

export async function loader({ params }: LoaderFunctionArgs) {
  const claim = verifyOpenToken(params.token ?? "", appConfig().trackingKey);
  if (!claim.ok) return pixel(400);
  const message = await findSentMessage(claim.value.shopId, claim.value.messageId);
  if (message) {
    const at = new Date();
    await recordEngagement({ shopId: claim.value.shopId, message, name: "message_opened", at, dedupeKey: openDedupeKey(message.id, at) });
  }
  return pixel(200);
}
