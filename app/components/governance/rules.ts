// How the settings page words the SMS rules (core/governance/compliance-rules.ts).
import { WEEKDAYS, type SmsRule } from "../../../core/governance/compliance-rules";

/** A rule's allowed hours, consecutive days with the same window together: "Sun none; Mon–Sat 08:00–20:00". */
export function describeDays(days: SmsRule["days"]): string {
  const name = (d: string) => d[0].toUpperCase() + d.slice(1);
  const key = (w: readonly [string, string] | null) => (w ? `${w[0]}–${w[1]}` : "none");
  const groups: { from: string; to: string; window: string }[] = [];
  for (const d of WEEKDAYS) {
    const w = key(days[d]);
    const last = groups[groups.length - 1];
    if (last && last.window === w) last.to = d;
    else groups.push({ from: d, to: d, window: w });
  }
  if (groups.length === 1) return `every day ${groups[0].window}`;
  return groups.map((g) => `${g.from === g.to ? name(g.from) : `${name(g.from)}–${name(g.to)}`} ${g.window}`).join("; ");
}
