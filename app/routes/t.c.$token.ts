// GET /t/c/<token>: a tracked link. The token is signed over shop, message and target, so
// only links we wrote redirect anywhere (no open redirect) and an edited target is refused
// (400 malformed, 403 bad signature) with nothing recorded. A good one records
// message_clicked with the URL and answers 302 to the target.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { verifyClickToken } from "../../core/tracking/link-tokens";
import { appConfig } from "../config.server";
import { findSentMessage, recordEngagement } from "../models/outbox.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const claim = verifyClickToken(params.token ?? "", appConfig().trackingKey);
  if (!claim.ok) {
    const status = claim.error === "bad signature" ? 403 : 400;
    return new Response(status === 403 ? "This link is not valid." : "This link is malformed.", { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  }
  const { shopId, messageId, target } = claim.value;
  const message = await findSentMessage(shopId, messageId);
  // A message erased since (customer redact) still redirects; there is nobody to credit.
  if (message) await recordEngagement({ shopId, message, name: "message_clicked", at: new Date(), url: target });
  return new Response(null, { status: 302, headers: { location: target, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
}
