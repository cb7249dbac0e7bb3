// Which journeys a customer may be in at once. Priority: lifecycle stage first (the order the
// merchant ranks stages in), then business value; a cap on concurrent journeys; and a minimum
// time in a stage before a stage-triggered journey starts (stages flap near thresholds).

export interface JourneyRank {
  journeyId: string;
  /** The lifecycle stage the journey serves, if any. */
  stage?: string;
  /** Expected value in minor units (e.g. predicted CLV at stake); higher wins ties. */
  businessValue: number;
}

export interface ActiveEnrollment extends JourneyRank {
  enrollmentId: string;
}

export const DEFAULT_STAGE_PRIORITY: readonly string[] = [
  "at_risk", "dormant", "lapsed", "one_time", "new", "active", "loyal",
];

export function compareRank(a: JourneyRank, b: JourneyRank, stagePriority: readonly string[]): number {
  const pos = (s?: string) => {
    const i = s === undefined ? -1 : stagePriority.indexOf(s);
    return i === -1 ? stagePriority.length : i;
  };
  return pos(a.stage) - pos(b.stage) || b.businessValue - a.businessValue || a.journeyId.localeCompare(b.journeyId);
}

export interface AdmissionInput {
  candidates: readonly JourneyRank[];
  active: readonly ActiveEnrollment[];
  customerStage?: { stage: string; since: Date };
  maxConcurrent: number;
  minTimeInStageMs: number;
  stagePriority?: readonly string[];
}

/**
 * Why a candidate journey is refused:
 * - already_active: the customer is in it now;
 * - stage_too_recent: the customer has not been in the journey's stage for the minimum time;
 * - lost_priority: it would have had a slot but for higher-ranked journeys the customer
 *   qualified for at the same time (`by`: those journeys);
 * - max_concurrent: the customer's running journeys that outrank it fill every slot (`by`: those journeys).
 */
export type AdmissionRejection =
  | { journeyId: string; reason: "already_active" }
  | { journeyId: string; reason: "stage_too_recent"; stage: string; until: Date }
  | { journeyId: string; reason: "lost_priority" | "max_concurrent"; by: string[] };

export interface Admission {
  start: string[];
  /** Lower-ranked active enrollments a higher-ranked journey displaces. */
  preempt: string[];
  rejected: AdmissionRejection[];
}

export function admitJourneys(input: AdmissionInput, now: Date): Admission {
  const priority = input.stagePriority ?? DEFAULT_STAGE_PRIORITY;
  const rejected: AdmissionRejection[] = [];
  const eligible: JourneyRank[] = [];
  for (const c of input.candidates) {
    if (input.active.some((a) => a.journeyId === c.journeyId)) rejected.push({ journeyId: c.journeyId, reason: "already_active" });
    else if (c.stage !== undefined && input.customerStage?.stage === c.stage
      && now.getTime() - input.customerStage.since.getTime() < input.minTimeInStageMs) {
      rejected.push({
        journeyId: c.journeyId, reason: "stage_too_recent", stage: c.stage,
        until: new Date(input.customerStage.since.getTime() + input.minTimeInStageMs),
      });
    } else eligible.push(c);
  }
  // Everyone competes for the slots; active enrollments keep theirs unless outranked.
  const pool: (JourneyRank & { enrollmentId?: string })[] = [...input.active, ...eligible];
  pool.sort((a, b) => compareRank(a, b, priority));
  const winners = pool.slice(0, input.maxConcurrent);
  const losers = pool.slice(input.maxConcurrent);
  // A loser the running journeys alone keep out hit the cap; otherwise new journeys outranked it.
  const runningWinners = winners.filter((w) => w.enrollmentId !== undefined).map((w) => w.journeyId);
  const newWinners = winners.filter((w) => w.enrollmentId === undefined).map((w) => w.journeyId);
  const capped = runningWinners.length >= input.maxConcurrent;
  return {
    start: newWinners,
    preempt: losers.filter((l) => l.enrollmentId !== undefined).map((l) => l.enrollmentId!),
    rejected: [...rejected, ...losers.filter((l) => l.enrollmentId === undefined)
      .map((l): AdmissionRejection => (capped
        ? { journeyId: l.journeyId, reason: "max_concurrent", by: runningWinners }
        : { journeyId: l.journeyId, reason: "lost_priority", by: newWinners }))],
  };
}

/** Why a journey was refused, as analytics record it: a conflict suppression, or null for what is not one. */
export type ConflictSuppression =
  | { kind: "conflict"; reason: "lost_priority" | "max_concurrent"; detail: { by: string[] } }
  | { kind: "conflict"; reason: "min_time_in_stage"; detail: { stage: string; until: string } };

export function conflictSuppression(r: AdmissionRejection): ConflictSuppression | null {
  switch (r.reason) {
    case "already_active":
      return null; // the customer is in the journey already: an entry rule, nothing was withheld
    case "stage_too_recent":
      return { kind: "conflict", reason: "min_time_in_stage", detail: { stage: r.stage, until: r.until.toISOString() } };
    case "lost_priority":
    case "max_concurrent":
      return { kind: "conflict", reason: r.reason, detail: { by: r.by } };
  }
}

/** At send time: an enrollment outranked out of the allowed slots must not send. */
export function sendBlockedBy(
  enrollmentId: string, active: readonly ActiveEnrollment[], maxConcurrent: number,
  stagePriority: readonly string[] = DEFAULT_STAGE_PRIORITY,
): string | null {
  const ranked = [...active].sort((a, b) => compareRank(a, b, stagePriority));
  const index = ranked.findIndex((a) => a.enrollmentId === enrollmentId);
  if (index === -1 || index < maxConcurrent) return null;
  return ranked[0].journeyId;
}

/** What a journey is worth per customer it enrolls, for ranking within a stage. */
export interface JourneyValueInput {
  /** Revenue attributed to the journey's messages (active attributions), minor units. */
  attributedMinor: number;
  /** Customers the journey has enrolled (all time). */
  enrolled: number;
  /** The merchant's estimate per enrolled customer (minor units), used until the journey has data. */
  priorityValue?: number;
}

/** Below this many enrollments the measured average is mostly noise. */
export const MIN_MEASURED_ENROLLMENTS = 50;

export function journeyBusinessValue(v: JourneyValueInput, minEnrolled = MIN_MEASURED_ENROLLMENTS): { value: number; source: "measured" | "priority" | "none" } {
  if (v.enrolled >= minEnrolled) return { value: Math.round(v.attributedMinor / v.enrolled), source: "measured" };
  if (v.priorityValue !== undefined) return { value: v.priorityValue, source: "priority" };
  return { value: 0, source: "none" };
}
