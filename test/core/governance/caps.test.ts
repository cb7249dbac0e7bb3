import { describe, expect, it } from "vitest";
import { checkCaps } from "../../../core/governance/caps";
import { DEFAULT_GOVERNANCE, type Channel, type Purpose } from "../../../core/governance/schema";
import type { PriorSend } from "../../../core/governance/sends";
import { checkSmartSending } from "../../../core/governance/smart-sending";

const HOUR = 3_600_000;
const WEEK = 168 * HOUR;
const now = new Date("2026-09-10T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const s = (channel: Channel, msAgo: number, purpose: Purpose = "promotional"): PriorSend => ({ channel, at: ago(msAgo), purpose });

describe("checkCaps (defaults: email 2/wk, sms 1/wk, push 3/wk, total 8/wk)", () => {
  it.each([
    { why: "one email this week", channel: "email" as const, prior: [s("email", HOUR)], want: null },
    { why: "two emails this week", channel: "email" as const, prior: [s("email", HOUR), s("email", 2 * HOUR)], want: { scope: "channel", at: now.getTime() - 2 * HOUR + WEEK } }, // the oldest must age out
    { why: "oldest exactly a week ago has aged out", channel: "email" as const, prior: [s("email", HOUR), s("email", WEEK)], want: null },
    { why: "oldest a minute short of a week", channel: "email" as const, prior: [s("email", HOUR), s("email", WEEK - 60_000)], want: { scope: "channel", at: now.getTime() + 60_000 } },
    { why: "transactional sends do not count", channel: "email" as const, prior: [s("email", HOUR, "transactional"), s("email", 2 * HOUR, "transactional"), s("email", 3 * HOUR)], want: null },
    { why: "sms 1/week", channel: "sms" as const, prior: [s("sms", 48 * HOUR)], want: { scope: "channel", at: now.getTime() + WEEK - 48 * HOUR } },
    { why: "other channels do not use the sms cap", channel: "sms" as const, prior: [s("email", HOUR), s("push", HOUR)], want: null },
    {
      why: "total cap of 8 across channels", channel: "push" as const,
      prior: [s("email", 1 * HOUR), s("email", 2 * HOUR), s("sms", 3 * HOUR), s("push", 4 * HOUR), s("push", 5 * HOUR),
        s("email", 9 * 24 * HOUR), s("email", 100 * HOUR, "informational"), s("sms", 150 * HOUR, "informational"), s("push", 160 * HOUR)],
      // 8 counted in the week (the 9-day-old one is out); push has 3. Both free up when the
      // 160 h old push ages out.
      want: { scope: "channel", at: now.getTime() - 160 * HOUR + WEEK },
    },
  ])("$why", ({ channel, prior, want }) => {
    const d = checkCaps(prior, channel, DEFAULT_GOVERNANCE.caps, now);
    if (want === null) expect(d).toEqual({ allowed: true });
    else expect(d).toMatchObject({ allowed: false, scope: want.scope, nextAllowedAt: new Date(want.at) });
  });

  it("reports the total cap when it outlasts the channel cap", () => {
    const prior = [1, 2, 3, 4, 5, 6, 7, 8].map((h) => s(h % 2 ? "email" : "push", h * HOUR));
    prior.splice(0, 1, s("sms", 150 * HOUR)); // oldest counted send: sms 150 h ago
    const d = checkCaps(prior, "sms", DEFAULT_GOVERNANCE.caps, now);
    expect(d).toMatchObject({ allowed: false, scope: "channel", nextAllowedAt: new Date(now.getTime() - 150 * HOUR + WEEK) });
    const d2 = checkCaps(prior.map((p) => (p.channel === "sms" ? { ...p, channel: "email" as const } : p)), "sms", DEFAULT_GOVERNANCE.caps, now);
    expect(d2).toMatchObject({ allowed: false, scope: "total", nextAllowedAt: new Date(now.getTime() - 150 * HOUR + WEEK) });
  });

  it("a cap of zero never allows", () => {
    const caps = { ...DEFAULT_GOVERNANCE.caps, push: { max: 0, windowMs: WEEK } };
    expect(checkCaps([], "push", caps, now)).toMatchObject({ allowed: false, nextAllowedAt: null });
  });
});

describe("checkSmartSending (email 16 h, sms 24 h)", () => {
  it.each([
    { channel: "email" as const, purpose: "promotional" as const, prior: [s("email", 15 * HOUR)], want: now.getTime() + HOUR },
    { channel: "email" as const, purpose: "promotional" as const, prior: [s("email", 16 * HOUR)], want: null },
    { channel: "email" as const, purpose: "promotional" as const, prior: [s("sms", HOUR)], want: null },
    { channel: "email" as const, purpose: "promotional" as const, prior: [s("email", HOUR, "transactional")], want: null },
    { channel: "email" as const, purpose: "informational" as const, prior: [s("email", HOUR)], want: null },
    { channel: "sms" as const, purpose: "promotional" as const, prior: [s("sms", 24 * HOUR - 1)], want: now.getTime() + 1 },
    { channel: "sms" as const, purpose: "promotional" as const, prior: [s("sms", 24 * HOUR)], want: null },
  ])("$channel $purpose after $prior.0.channel", ({ channel, purpose, prior, want }) => {
    const d = checkSmartSending(prior, channel, purpose, DEFAULT_GOVERNANCE.smartSendingMs, now);
    if (want === null) expect(d).toEqual({ allowed: true });
    else expect(d).toEqual({ allowed: false, channel, nextAllowedAt: new Date(want) });
  });
});
