// The `journeys` queue. Messages carry ids only and every job id is derived from them, so a
// re-queue (a retry, the sweeper, a resume) never makes a second job for the same work:
//   event-<shop>-<event>               an event that may trigger, convert or exit journeys
//   step-<shop>-<enrollment>-<lock>    advance an enrollment from the state it had at <lock>
//   send-<shop>-<message>[-<at>]       carry out one messages row (again after a deferral)
//   effect-<shop>-<effect>-<attempt>   one attempt of a journey_effects row (webhook, merchant email)
import type { QueueSystem } from "../queues";

export const JOURNEYS_QUEUE = "journeys";

export type JourneyJob =
  | { kind: "event"; shopId: number; eventId: string }
  | { kind: "step"; shopId: number; enrollmentId: string }
  | { kind: "send"; shopId: number; messageId: string }
  | { kind: "effect"; shopId: number; effectId: string }
  | { kind: "sweep" };

export const eventJobId = (shopId: number, eventId: string) => `event-${shopId}-${eventId}`;
export const stepJobId = (shopId: number, enrollmentId: string, lockVersion: number, suffix = "") => `step-${shopId}-${enrollmentId}-${lockVersion}${suffix}`;
export const sendJobId = (shopId: number, messageId: string, suffix = "") => `send-${shopId}-${messageId}${suffix}`;

/** Hand an event row to the journeys queue. Any shell that records such an event calls this. */
export async function enqueueJourneyEvent(qs: QueueSystem, shopId: number, eventId: string | bigint): Promise<void> {
  const id = String(eventId);
  await qs.queue<JourneyJob>(JOURNEYS_QUEUE).add("event", { kind: "event", shopId, eventId: id }, { jobId: eventJobId(shopId, id) });
}

/** Many events at once (imports, segment refreshes): one round trip per thousand. */
export async function enqueueJourneyEvents(qs: QueueSystem, shopId: number, eventIds: readonly (string | bigint)[]): Promise<void> {
  const q = qs.queue<JourneyJob>(JOURNEYS_QUEUE);
  for (let i = 0; i < eventIds.length; i += 1000) {
    await q.addBulk(eventIds.slice(i, i + 1000).map((e) => ({
      name: "event", data: { kind: "event" as const, shopId, eventId: String(e) }, opts: { jobId: eventJobId(shopId, String(e)) },
    })));
  }
}

export async function enqueueStep(qs: QueueSystem, shopId: number, enrollmentId: string, lockVersion: number, at?: Date, now = new Date(), suffix = ""): Promise<void> {
  const delay = at ? Math.max(0, at.getTime() - now.getTime()) : 0;
  await qs.queue<JourneyJob>(JOURNEYS_QUEUE).add("step", { kind: "step", shopId, enrollmentId }, { jobId: stepJobId(shopId, enrollmentId, lockVersion, suffix), delay });
}

export async function enqueueSend(qs: QueueSystem, shopId: number, messageId: string, at?: Date, now = new Date(), suffix = ""): Promise<void> {
  const delay = at ? Math.max(0, at.getTime() - now.getTime()) : 0;
  await qs.queue<JourneyJob>(JOURNEYS_QUEUE).add("send", { kind: "send", shopId, messageId }, { jobId: sendJobId(shopId, messageId, suffix), delay });
}

export async function enqueueEffect(qs: QueueSystem, shopId: number, effectId: string, attempt: number, at?: Date, now = new Date()): Promise<void> {
  const delay = at ? Math.max(0, at.getTime() - now.getTime()) : 0;
  await qs.queue<JourneyJob>(JOURNEYS_QUEUE).add("effect", { kind: "effect", shopId, effectId }, { jobId: `effect-${shopId}-${effectId}-${attempt}`, delay });
}
