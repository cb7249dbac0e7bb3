// The journey engine's durable shell: PostgreSQL holds every enrollment, step and message;
// the `journeys` queue carries ids; the sweeper recovers whatever the queue lost.
export { enqueueJourneyEvent, enqueueJourneyEvents, JOURNEYS_QUEUE, type JourneyJob } from "./queue";
export { registerJourneyWorkers, processJourneyJob, type JourneyWorkerOptions } from "./worker";
export { handleJourneyEvent, removeFromJourneysOnChannel, triggerMatches } from "./events";
export { processEnrollment } from "./step";
export { processMessage } from "./send";
export { sweepJourneys } from "./sweeper";
export { pauseJourneys, resumeJourneys, type ResumePolicy, type PauseScopeKind } from "./pause";
export type { ChannelRegistry, JourneyChannel, JourneyDeps, OutboundMessage, ProviderRecord } from "./types";
