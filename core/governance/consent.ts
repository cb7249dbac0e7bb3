// Consent per channel. Transactional messages skip consent only when the merchant marked the
// content as transactional; the purpose label alone is not enough (it is easy to mislabel).
import type { Channel, Purpose } from "./schema";

export type ChannelConsent = Partial<Record<Channel, boolean>>;

export interface ConsentInput {
  channel: Channel;
  fallbackChannel?: Channel;
  purpose: Purpose;
  merchantMarkedTransactional: boolean;
  consent: ChannelConsent;
}

export type ConsentDecision =
  | { kind: "allowed"; exempt: boolean }
  | { kind: "fallback"; channel: Channel }
  | { kind: "denied" };

export function isTransactionalExempt(purpose: Purpose, merchantMarkedTransactional: boolean): boolean {
  return purpose === "transactional" && merchantMarkedTransactional;
}

export function checkConsent(input: ConsentInput): ConsentDecision {
  if (isTransactionalExempt(input.purpose, input.merchantMarkedTransactional)) return { kind: "allowed", exempt: true };
  if (input.consent[input.channel] === true) return { kind: "allowed", exempt: false };
  const fb = input.fallbackChannel;
  if (fb && fb !== input.channel && input.consent[fb] === true) return { kind: "fallback", channel: fb };
  return { kind: "denied" };
}
