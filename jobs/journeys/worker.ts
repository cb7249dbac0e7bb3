// The journeys worker: translates a queue message (ids) into a call on the engine.
import { assertNever } from "../../core/result";
import { Background } from "./coalesce";
import { forActiveShop } from "../shop-guard";
import { processEffect } from "./effects/run";
import { handleJourneyEvent } from "./events";
import { JOURNEYS_QUEUE, type JourneyJob } from "./queue";
import { sendMessage } from "./send-batch";
import { stepEnrollment } from "./step-batch";
import { sweepJourneys } from "./sweeper";
import type { JourneyDeps } from "./types";

export interface JourneyWorkerOptions {
  concurrency?: number;
  /** Register the repeatable sweep (every sweepEveryMs) on the journeys queue. */
  schedule?: boolean;
  sweepEveryMs?: number;
  sweepGraceMs?: number;
  /** Also sweep from a timer in this process (used where a stuck queue must not stop recovery). */
  localSweepMs?: number;
  /**
   * Events a job may hand on (entry, first steps and what follows inline) instead of carrying
   * them itself: many in flight fill the batches. 0 carries everything in the job.
   */
  inFlight?: number;
}

export interface JourneyWorkers {
  close(): Promise<void>;
}

export async function processJourneyJob(deps: JourneyDeps, job: JourneyJob, graceMs = 60_000): Promise<unknown> {
  switch (job.kind) {
    case "event":
      return handleJourneyEvent(deps, job.shopId, job.eventId);
    case "step":
      return forActiveShop(deps.db, job.shopId, () => stepEnrollment(deps, job.shopId, job.enrollmentId));
    case "send":
      return forActiveShop(deps.db, job.shopId, () => sendMessage(deps, job.shopId, job.messageId));
    case "effect":
      return forActiveShop(deps.db, job.shopId, () => processEffect(deps, job.shopId, job.effectId));
    case "sweep":
      return sweepJourneys(deps, { graceMs });
    default:
      return assertNever(job, "journey job");
  }
}

/**
 * Channels are injected. Rendering content into the SMTP/Twilio/web-push adapters is not
 * wired yet, so a process that passes none records each send as failed ("no channel
 * configured") with an alert, rather than pretending it went.
 */
export async function registerJourneyWorkers(
  given: Omit<JourneyDeps, "channels"> & { channels?: JourneyDeps["channels"] }, opts: JourneyWorkerOptions = {},
): Promise<JourneyWorkers> {
  const inFlight = opts.inFlight ?? 1000;
  const deps: JourneyDeps = {
    ...given, channels: given.channels ?? {},
    ...(inFlight > 0 && given.batch !== false
      ? { background: new Background(inFlight, (e) => given.logger?.error({ err: e }, "journey step failed; the sweeper retries it")) }
      : {}),
  };
  const grace = opts.sweepGraceMs ?? 60_000;
  deps.qs.worker<JourneyJob>(JOURNEYS_QUEUE, async (job) => processJourneyJob(deps, job.data, grace), { concurrency: opts.concurrency ?? 8 });
  if (opts.schedule ?? true) {
    await deps.qs.queue<JourneyJob>(JOURNEYS_QUEUE).upsertJobScheduler("sweep-journeys", { every: opts.sweepEveryMs ?? 30_000 }, { name: "sweep", data: { kind: "sweep" } });
  }
  let timer: NodeJS.Timeout | undefined;
  let sweeping = false;
  if (opts.localSweepMs) {
    timer = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      sweepJourneys(deps, { graceMs: grace }).catch((e) => deps.logger?.error({ err: e }, "journey sweep failed")).finally(() => { sweeping = false; });
    }, opts.localSweepMs);
  }
  return {
    async close() {
      if (timer) clearInterval(timer);
      while (sweeping) await new Promise((r) => setTimeout(r, 20));
      await deps.background?.drain();
    },
  };
}
