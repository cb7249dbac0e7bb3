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

export type AdmissionRejection = { journeyId: string; reason: "already_active" | "stage_too_recent" | "max_concurrent" };

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
      rejected.push({ journeyId: c.journeyId, reason: "stage_too_recent" });
    } else eligible.push(c);
  }
  // Everyone competes for the slots; active enrollments keep theirs unless outranked.
  const pool: (JourneyRank & { enrollmentId?: string })[] = [...input.active, ...eligible];
  pool.sort((a, b) => compareRank(a, b, priority));
  const winners = pool.slice(0, input.maxConcurrent);
  const losers = pool.slice(input.maxConcurrent);
  return {
    start: winners.filter((w) => w.enrollmentId === undefined).map((w) => w.journeyId),
    preempt: losers.filter((l) => l.enrollmentId !== undefined).map((l) => l.enrollmentId!),
    rejected: [...rejected, ...losers.filter((l) => l.enrollmentId === undefined)
      .map((l) => ({ journeyId: l.journeyId, reason: "max_concurrent" as const }))],
  };
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
