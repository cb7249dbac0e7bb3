import { describe, expect, it } from "vitest";
import { checkConsent, type ConsentInput } from "../../../core/governance/consent";

describe("checkConsent", () => {
  const base: ConsentInput = { channel: "sms", purpose: "promotional", merchantMarkedTransactional: false, consent: {} };
  it.each([
    { why: "consented channel", input: { consent: { sms: true } }, want: { kind: "allowed", exempt: false } },
    { why: "no consent, no fallback", input: { consent: { email: true } }, want: { kind: "denied" } },
    { why: "no consent, consented fallback", input: { fallbackChannel: "email" as const, consent: { email: true } }, want: { kind: "fallback", channel: "email" } },
    { why: "no consent, fallback also without consent", input: { fallbackChannel: "push" as const, consent: { email: true } }, want: { kind: "denied" } },
    { why: "explicit opt-out", input: { consent: { sms: false } }, want: { kind: "denied" } },
    { why: "transactional but not marked by the merchant", input: { purpose: "transactional" as const }, want: { kind: "denied" } },
    { why: "transactional and marked", input: { purpose: "transactional" as const, merchantMarkedTransactional: true }, want: { kind: "allowed", exempt: true } },
    { why: "marked but promotional is not exempt", input: { merchantMarkedTransactional: true }, want: { kind: "denied" } },
  ])("$why", ({ input, want }) => expect(checkConsent({ ...base, ...input })).toEqual(want));
});
