// Shared by the segment routes: who is acting, and the refresh that follows a save.
import type { AdminContext } from "../../auth.server";
import { pool } from "../../db.server";
import { logger } from "../../logger.server";
import { shopifySegmentsOf } from "../../models/segment-choices.server";

export function actorOf(admin: AdminContext): string {
  if (admin.mode === "demo") return "demo";
  const user = admin.session.onlineAccessInfo?.associated_user;
  return user?.email ? `staff:${user.id}` : `shop:${admin.shopDomain}`;
}

/** Recomputes the members right away (set-based, one statement) so the page shows them. */
export async function refreshAfterSave(shopId: number, segmentId: string): Promise<void> {
  const { refreshSegment, journeyEventsHook, enqueueRecheckScheduling } = await import("../../../jobs/segments");
  const { queues } = await import("../../../jobs/queues");
  // A newly picked Shopify segment: its members are read from Shopify off the request; the
  // sync recomputes this segment once they are in.
  const { enqueueShopifyMembersSync } = await import("../../../jobs/segments");
  for (const id of await shopifySegmentsOf(pool(), shopId, segmentId)) {
    await enqueueShopifyMembersSync(queues(), shopId, id).catch((e) => logger.warn({ err: String(e) }, "shopify segment sync not queued"));
  }
  await refreshSegment(pool(), shopId, segmentId, new Date(), {
    // Events are already stored; the journeys sweeper picks up any the queue did not get.
    onEvents: (shop, ids) => journeyEventsHook(queues())(shop, ids).catch((e) => logger.warn({ err: String(e) }, "segment events not queued")),
  });
  // The new tree's clock-driven changes for every customer, off the request.
  await enqueueRecheckScheduling(queues(), shopId).catch((e) => logger.warn({ err: String(e) }, "segment rechecks not queued"));
}
