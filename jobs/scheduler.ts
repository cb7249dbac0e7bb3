// Repeatable work: BullMQ job schedulers (idempotent upserts, so every worker process may
// register them at start without making duplicates).
import type { QueueSystem } from "./queues";

export const MAINTENANCE_QUEUE = "maintenance";

export const SCHEDULES = [
  { id: "sweep-webhooks", name: "sweep-webhooks", repeat: { every: 60_000 } },
  // Customers whose segment membership changes by the clock (segment_rechecks.due_at).
  { id: "segment-rechecks", name: "segment-rechecks", repeat: { every: 60_000 } },
  // Date-triggered journeys (birthdays, anniversaries, campaigns at local times): each shop's elapsed window.
  { id: "journey-date-triggers", name: "journey-date-triggers", repeat: { every: 300_000 } },
  // Journey health alerts: sudden drop-offs, channel failure rates, conversion below target.
  { id: "journey-health", name: "journey-health", repeat: { every: 900_000 } },
  // Nightly work for every shop (scoring, segment refresh, reconciliation) fans out from here.
  { id: "nightly", name: "nightly", repeat: { pattern: "0 7 * * *", tz: "UTC" } },
] as const;

export type MaintenanceJobName = (typeof SCHEDULES)[number]["name"];

export async function registerSchedules(qs: QueueSystem): Promise<void> {
  const q = qs.queue(MAINTENANCE_QUEUE);
  for (const s of SCHEDULES) {
    await q.upsertJobScheduler(s.id, { ...s.repeat }, { name: s.name, data: {} });
  }
}
