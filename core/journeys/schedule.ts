// Scheduled campaigns run at a wall-clock time in each customer's own zone, so one campaign
// becomes many instants. Dates are the customer's local calendar dates.
import { addLocalDays, nextLocalTime, parseHhMm, zonedTimeToUtc } from "../governance/local-time";
import { assertNever } from "../result";
import type { Trigger } from "./schema";

type Schedule = Extract<Trigger, { kind: "scheduled_campaign" }>["schedule"];

const localDate = (zone: string, ms: number) => {
  const d = addLocalDays(zone, ms, 0);
  return `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
};

/** The campaign's next run for a customer in `zone` at or after `from`; null when it is over. */
export function nextCampaignRun(schedule: Schedule, zone: string, from: Date): Date | null {
  const minute = parseHhMm(schedule.localTime);
  const fromMs = from.getTime();
  switch (schedule.kind) {
    case "once": {
      const [y, m, d] = schedule.date.split("-").map(Number);
      const at = zonedTimeToUtc(zone, y, m, d, Math.floor(minute / 60), minute % 60);
      return at >= fromMs ? new Date(at) : null;
    }
    case "recurring": {
      let cursor = fromMs - 1; // nextLocalTime is strictly-after; include `from` itself
      for (let i = 0; i < 8; i++) {
        const at = nextLocalTime(zone, cursor, minute, schedule.weekdays);
        if (at === null) return null;
        const date = localDate(zone, at);
        if (schedule.endDate && date > schedule.endDate) return null;
        if (!schedule.startDate || date >= schedule.startDate) return new Date(at);
        // Before the start date: jump to the start date's local midnight and look again.
        const [y, m, d] = schedule.startDate.split("-").map(Number);
        cursor = Math.max(at, zonedTimeToUtc(zone, y, m, d, 0, 0) - 1);
      }
      return null;
    }
    default:
      return assertNever(schedule, "schedule");
  }
}
