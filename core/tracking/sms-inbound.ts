// Classifies an inbound SMS as opt-out, opt-in, help or anything else, and decides the reply
// and the consent change. The FCC counts any reasonable revocation, not just the exact
// keywords providers filter on, so free-form requests are matched too; negations ("don't
// stop the deals") and everyday uses ("I'll stop by") must not opt anyone out.
import { assertNever } from "../result";
import { FCC_REVOCATION, HELP, OPT_IN, OTHER_PROVIDER_OPT_OUT, STANDARD_REPLIES, TWILIO_HANDLED, TWILIO_OPT_OUT } from "./sms-keywords";

export type InboundClass =
  | { kind: "opt_out"; match: "keyword" | "keyword_with_filler" | "free_form"; keyword: string }
  | { kind: "opt_in"; keyword: string }
  | { kind: "help"; keyword: string }
  | { kind: "other" };

const OPT_OUT_WORDS = new Set([...FCC_REVOCATION.words, ...TWILIO_OPT_OUT.words, ...OTHER_PROVIDER_OPT_OUT.words]);
const OPT_IN_WORDS = new Set(OPT_IN.words);
const HELP_WORDS = new Set(HELP.words);
// Politeness around a bare keyword ("STOP PLEASE", "please stop it") still means the keyword.
const FILLERS = new Set(["PLEASE", "PLS", "PLZ", "NOW", "THANKS", "THANK", "YOU", "THX", "OK", "OKAY", "IT", "JUST"]);

const NEGATION = String.raw`(?:don'?t|do not|dont|never|not|won'?t|can'?t|cannot|wouldn'?t|shouldn'?t|didn'?t)`;
const TEXTS = String.raw`(?:texts?|txts?|messages?|msgs?|sms|spam|notifications?|alerts?)`;

/** Free-form revocations; each must not be preceded by a negation. */
const FREE_FORM: ReadonlyArray<{ pattern: RegExp; keyword: string }> = [
  { pattern: /\b(?:stop|quit|cease)\s+(?:texting|txting|messaging|msging|sending|contacting|spamming|emailing|bothering)\b/, keyword: "stop texting" },
  { pattern: new RegExp(String.raw`\bstop\s+(?:(?:these|the|your|all|this|those|sending)\s+)*${TEXTS}\b`), keyword: "stop messages" },
  { pattern: new RegExp(String.raw`\b(?:no more|don'?t|do not|dont|never)\s+(?:send\s+(?:me\s+)?(?:any\s+)?)?(?:text|${TEXTS})\b`), keyword: "no more texts" },
  { pattern: /\b(?:remove|delete|take)\s+(?:me|my (?:number|phone|info))\b/, keyword: "remove me" },
  { pattern: /\bunsubscribe\b/, keyword: "unsubscribe" },
  { pattern: /\bopt(?:\s+|-)?(?:me\s+)?out\b/, keyword: "opt out" },
  { pattern: /\b(?:leave me alone|wrong number|lose my number)\b/, keyword: "leave me alone" },
];
const NEGATED = new RegExp(String.raw`\b${NEGATION}\s+(?:\w+\s+)?$`);

function normalise(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[^\p{L}\p{N}\s'-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function exactClass(words: string): InboundClass | null {
  if (OPT_OUT_WORDS.has(words)) return { kind: "opt_out", match: "keyword", keyword: words };
  if (OPT_IN_WORDS.has(words)) return { kind: "opt_in", keyword: words };
  if (HELP_WORDS.has(words)) return { kind: "help", keyword: words };
  return null;
}

export function classifyInbound(text: string): InboundClass {
  const clean = normalise(text);
  const upper = clean.toUpperCase();
  const exact = exactClass(upper);
  if (exact) return exact;

  const core = [...new Set(upper.split(" ").filter((w) => !FILLERS.has(w)))].join(" ");
  if (core && core !== upper && OPT_OUT_WORDS.has(core)) return { kind: "opt_out", match: "keyword_with_filler", keyword: core };

  const lower = clean.toLowerCase();
  for (const { pattern, keyword } of FREE_FORM) {
    const m = pattern.exec(lower);
    if (m && !NEGATED.test(lower.slice(0, m.index))) return { kind: "opt_out", match: "free_form", keyword };
  }
  return { kind: "other" };
}

export type ConsentChange = { channel: "sms"; action: "revoke" | "grant"; basis: "keyword" | "free_form"; evidence: string };

export type InboundDecision = { classification: InboundClass; reply: string | null; consent: ConsentChange | null };

export type InboundContext = {
  shopName: string;
  helpContact: string;
  currentlyOptedOut: boolean;
  /** True when the provider already answers its own exact keywords (Twilio long codes, toll-free). */
  providerAutoReplies: boolean;
};

export function decideInbound(text: string, ctx: InboundContext): InboundDecision {
  const c = classifyInbound(text);
  // The provider only acts on exact single keywords from its own list.
  const providerAnswered = (kw: string, match: string) => ctx.providerAutoReplies && match === "keyword" && TWILIO_HANDLED.has(kw);
  switch (c.kind) {
    case "opt_out":
      return {
        classification: c,
        reply: providerAnswered(c.keyword, c.match) ? null : STANDARD_REPLIES.optOut(ctx.shopName),
        consent: { channel: "sms", action: "revoke", basis: c.match === "free_form" ? "free_form" : "keyword", evidence: text },
      };
    case "opt_in":
      return {
        classification: c,
        reply: providerAnswered(c.keyword, "keyword") ? null : STANDARD_REPLIES.optIn(ctx.shopName),
        consent: { channel: "sms", action: "grant", basis: "keyword", evidence: text },
      };
    case "help":
      // No HELP reply to an opted-out number (Twilio's behaviour; it is not a marketing window).
      return {
        classification: c,
        reply: ctx.currentlyOptedOut || providerAnswered(c.keyword, "keyword") ? null : STANDARD_REPLIES.help(ctx.shopName, ctx.helpContact),
        consent: null,
      };
    case "other":
      return { classification: c, reply: null, consent: null };
    default:
      return assertNever(c, "inbound class");
  }
}
