import { describe, expect, it } from "vitest";
import { decideSend, type SendInput } from "../../../core/governance/decide-send";
import { DEFAULT_GOVERNANCE } from "../../../core/governance/schema";

const HOUR = 3_600_000;
const NY = "America/New_York";
// 2026-07-01 (Wednesday) 14:00 EDT
const now = new Date("2026-07-01T18:00:00Z");
const ago = (h: number) => new Date(now.getTime() - h * HOUR);

const base: SendInput = {
  channel: "sms", purpose: "promotional", merchantMarkedTransactional: false, whenCapped: "wait",
  consent: { sms: true, email: true }, recipient: { zone: NY, phone: "+12015550100" }, priorSends: [], settings: DEFAULT_GOVERNANCE,
};

describe("decideSend", () => {
  it.each([
    { why: "nothing blocks", input: {}, at: now, want: { kind: "send_now" } },
    { why: "no sms consent, email fallback", input: { consent: { email: true }, fallbackChannel: "email" as const }, at: now, want: { kind: "fallback", channel: "email", reason: { kind: "consent", channel: "sms" } } },
    { why: "no consent at all", input: { consent: {} }, at: now, want: { kind: "skip", reason: { kind: "consent", channel: "sms" } } },
    {
      why: "sms cap, node waits", input: { priorSends: [{ channel: "sms" as const, at: ago(48), purpose: "promotional" as const }] }, at: now,
      want: { kind: "defer_until", at: new Date(ago(48).getTime() + 168 * HOUR), reason: { kind: "cap", scope: "channel", channel: "sms", max: 1, windowMs: 168 * HOUR } },
    },
    {
      why: "sms cap, node skips", input: { whenCapped: "skip" as const, priorSends: [{ channel: "sms" as const, at: ago(48), purpose: "promotional" as const }] }, at: now,
      want: { kind: "skip", reason: { kind: "cap", scope: "channel", channel: "sms", max: 1, windowMs: 168 * HOUR } },
    },
    {
      why: "email smart sending defers 16 h after the last promo", input: { channel: "email" as const, priorSends: [{ channel: "email" as const, at: ago(10), purpose: "promotional" as const }] }, at: now,
      want: { kind: "defer_until", at: new Date(now.getTime() + 6 * HOUR), reason: { kind: "smart_sending", channel: "email" } },
    },
    {
      why: "quiet hours defer even when the node says skip", input: { whenCapped: "skip" as const }, at: new Date("2026-07-02T02:00:00Z"),
      want: { kind: "defer_until", at: new Date("2026-07-02T12:00:00Z"), reason: { kind: "quiet_hours", regions: ["US"] } },
    },
    {
      // Cap frees at 22:00 EDT, inside quiet hours: the send lands at 08:00 the next morning.
      why: "cap then quiet hours", input: { priorSends: [{ channel: "sms" as const, at: new Date("2026-06-25T02:00:00Z"), purpose: "promotional" as const }] }, at: now,
      want: { kind: "defer_until", at: new Date("2026-07-02T12:00:00Z"), reason: { kind: "cap", scope: "channel", channel: "sms", max: 1, windowMs: 168 * HOUR } },
    },
    {
      why: "Florida 3 per 24 h defers, whatever the node policy",
      input: {
        whenCapped: "skip" as const, recipient: { zone: NY, phone: "+13055550100" },
        settings: { ...DEFAULT_GOVERNANCE, caps: { ...DEFAULT_GOVERNANCE.caps, sms: { max: 10, windowMs: 168 * HOUR } } },
        priorSends: [1, 2, 3].map((h) => ({ channel: "sms" as const, at: ago(h), purpose: "informational" as const })),
      },
      at: now,
      want: { kind: "defer_until", at: new Date(ago(3).getTime() + 24 * HOUR), reason: { kind: "cap", scope: "jurisdiction", region: "US-FL", max: 3, windowMs: 24 * HOUR } },
    },
    {
      why: "merchant-marked transactional ignores caps, consent and hours",
      input: { purpose: "transactional" as const, merchantMarkedTransactional: true, consent: {}, priorSends: [{ channel: "sms" as const, at: ago(1), purpose: "promotional" as const }] },
      at: new Date("2026-07-02T06:00:00Z"), want: { kind: "send_now" },
    },
    {
      why: "outranked journey does not send",
      input: { enrollment: { enrollmentId: "e2", active: [
        { enrollmentId: "e1", journeyId: "winback", stage: "at_risk", businessValue: 0 },
        { enrollmentId: "e2", journeyId: "post", stage: "active", businessValue: 0 },
        { enrollmentId: "e3", journeyId: "second", stage: "one_time", businessValue: 0 },
      ] } },
      at: now, want: { kind: "skip", reason: { kind: "conflict", blockedByJourneyId: "winback" } },
    },
  ])("$why", ({ input, at, want }) => expect(decideSend({ ...base, ...input }, at)).toEqual(want));
});
