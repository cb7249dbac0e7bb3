import { describe, expect, it } from "vitest";
import { classifyInbound, decideInbound } from "../../../core/tracking/sms-inbound";
import { FCC_REVOCATION, HELP, OPT_IN, OTHER_PROVIDER_OPT_OUT, TWILIO_OPT_OUT } from "../../../core/tracking/sms-keywords";

describe("exact carrier keywords", () => {
  const optOuts = [...new Set([...FCC_REVOCATION.words, ...TWILIO_OPT_OUT.words, ...OTHER_PROVIDER_OPT_OUT.words])];
  it.each(optOuts)("%s opts out, in any case and with punctuation", (word) => {
    for (const text of [word, word.toLowerCase(), ` ${word}! `, `${word[0]}${word.slice(1).toLowerCase()}.`]) {
      expect(classifyInbound(text)).toEqual({ kind: "opt_out", match: "keyword", keyword: word });
    }
  });
  it.each(OPT_IN.words)("%s opts in", (word) => expect(classifyInbound(word.toLowerCase())).toEqual({ kind: "opt_in", keyword: word }));
  it.each(HELP.words)("%s asks for help", (word) => expect(classifyInbound(word)).toEqual({ kind: "help", keyword: word }));
});

describe("free-form opt-outs", () => {
  it.each([
    "STOP PLEASE",
    "please stop",
    "Stop it!!",
    "opt out",
    "Opt-out",
    "please stop texting me",
    "Stop sending me these messages",
    "stop these texts",
    "remove me from this list",
    "Please remove my number",
    "take me off your list",
    "unsubscribe me please",
    "How do I unsubscribe?",
    "don't text me again",
    "no more texts please",
    "Do not send me any messages",
    "leave me alone",
    "wrong number",
    "Please opt me out",
    "I’d like you to stop messaging me",
  ])("%j", (text) => {
    expect(classifyInbound(text).kind).toBe("opt_out");
  });
});

describe("no false positives", () => {
  it.each([
    "don't stop the deals",
    "Don’t stop sending me deals!",
    "never stop texting me these offers",
    "I'll stop by the store tomorrow",
    "I can't stop buying your tea",
    "When does the sale end?",
    "cancel my order please",
    "yes please send the code",
    "Is it the end of the sale?",
    "thanks!",
    "what's the stop loss on this",
    "love these texts",
  ])("%j", (text) => {
    expect(classifyInbound(text).kind).toBe("other");
  });
});

describe("decideInbound", () => {
  const ctx = { shopName: "Tea Co", helpContact: "help@tea.example", currentlyOptedOut: false, providerAutoReplies: false };

  it("STOP revokes consent and confirms without marketing", () => {
    const d = decideInbound("STOP", ctx);
    expect(d.consent).toEqual({ channel: "sms", action: "revoke", basis: "keyword", evidence: "STOP" });
    expect(d.reply).toMatch(/^Tea Co: You have successfully been unsubscribed.*Reply START to resubscribe\.$/);
  });

  it("does not double-reply to keywords the provider already answers, but does to free-form", () => {
    const auto = { ...ctx, providerAutoReplies: true };
    expect(decideInbound("stop", auto).reply).toBeNull();
    expect(decideInbound("opt out", auto).reply).toContain("unsubscribed");
    expect(decideInbound("please stop texting me", auto)).toMatchObject({ consent: { action: "revoke", basis: "free_form" } });
  });

  it("START re-grants consent", () => {
    expect(decideInbound("start", ctx)).toMatchObject({ consent: { action: "grant" }, reply: expect.stringContaining("re-subscribed") });
  });

  it("HELP answers with program, contact, rates and STOP, but not to an opted-out number", () => {
    const reply = decideInbound("HELP", ctx).reply ?? "";
    for (const part of ["Tea Co", "help@tea.example", "Msg&Data Rates May Apply", "STOP"]) expect(reply).toContain(part);
    expect(decideInbound("help", { ...ctx, currentlyOptedOut: true }).reply).toBeNull();
    expect(decideInbound("help", ctx).consent).toBeNull();
  });

  it("other messages change nothing", () => {
    expect(decideInbound("do you ship to Canada?", ctx)).toMatchObject({ reply: null, consent: null });
  });
});
