// What the journey editor's pickers offer (app/models/journey-editor.server.ts fills it).
export interface Choice { value: string; label: string }

export interface EditorChoices {
  /** Offer ids an offer node may name: "auto", "none", each offer, each offer set, each ladder. */
  offers: Array<Choice & { ladder?: boolean }>;
  /** The shop's messages; a send node lists those of its channel. */
  contents: Array<Choice & { channel: string }>;
  segments: Choice[];
}

/** Conditions that are not segments (jobs/journeys/step.ts answers them from consent). */
export const CONSENT_CONDITIONS: Choice[] = [
  { value: "email_consented", label: "Has email consent" },
  { value: "sms_consented", label: "Has SMS consent" },
  { value: "push_consented", label: "Has a web push subscription" },
];

/** The options with the current value kept (marked) when the shop no longer has it. */
export function withCurrent(options: Choice[], current: string | undefined, placeholder: string): Choice[] {
  const out = [{ value: "", label: placeholder }, ...options];
  if (current && !options.some((o) => o.value === current)) out.push({ value: current, label: `${current} (not found)` });
  return out;
}
