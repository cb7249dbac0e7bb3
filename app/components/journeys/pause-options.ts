// The pause scopes, resume policies and pausable channels (jobs/journeys/pause.ts), as values
// the pages can check form input against and the browser bundle can list.
import type { PauseScopeKind, ResumePolicy } from "../../../jobs/journeys/pause";

export const PAUSE_SCOPES = ["shop", "journey", "channel"] as const satisfies readonly PauseScopeKind[];
export const RESUME_POLICIES = ["send_now", "skip", "reschedule"] as const satisfies readonly ResumePolicy[];
export const PAUSABLE_CHANNELS = ["email", "sms", "push"] as const;

export const isResumePolicy = (v: unknown): v is ResumePolicy => typeof v === "string" && (RESUME_POLICIES as readonly string[]).includes(v);
export const isPauseScope = (v: unknown): v is PauseScopeKind => typeof v === "string" && (PAUSE_SCOPES as readonly string[]).includes(v);
