// Live segment membership: full refresh, single-customer re-evaluation, clock-driven rechecks.
export {
  loadShopSegments,
  processDueRechecks,
  reevaluateCustomer,
  refreshSegment,
  refreshShopSegments,
  scheduleRechecks,
  type MembershipOptions,
  type OnSegmentEvents,
  type ReevaluateResult,
  type RefreshResult,
} from "./membership";
export { installPresetSegments } from "./presets";
export {
  enqueueCustomerReevaluation,
  enqueueRecheckScheduling,
  enqueueSegmentRefresh,
  requestCustomerReevaluation,
  enqueueShopifyMembersSync,
  enqueueNightlyShopifyMembersSync,
  journeyEventsHook,
  processSegmentJob,
  registerSegmentWorkers,
  runDueRechecks,
  SEGMENTS_QUEUE,
  type SegmentJob,
} from "./worker";
export { referencedShopifySegments, syncShopifySegmentMembers, type ShopifyMembersSyncResult } from "./shopify-members";
