// SMS keyword lists as data, each with where it comes from (see
// ../shared/data/compliance/compliance.json, sms_keywords and twilio). Matching is on the
// whole message, case-insensitive, after trimming punctuation.

export type KeywordList = { words: readonly string[]; source: string; confidence: "documented" | "secondary source" };

/** FCC TCPA Consent Order (FCC 24-24): replies that revoke consent per se. */
export const FCC_REVOCATION: KeywordList = {
  words: ["STOP", "QUIT", "END", "REVOKE", "OPT OUT", "CANCEL", "UNSUBSCRIBE"],
  source: "https://jdsupra.com/legalnews/fcc-issues-one-year-limited-waiver-of-9458629",
  confidence: "secondary source",
};

/** Twilio's default opt-out filter on long codes and toll-free numbers. */
export const TWILIO_OPT_OUT: KeywordList = {
  words: ["STOP", "UNSUBSCRIBE", "END", "QUIT", "STOPALL", "REVOKE", "OPTOUT", "CANCEL"],
  source: "https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out.md",
  confidence: "documented",
};

/**
 * Other providers' defaults we also honour: Telnyx "STOP ALL"; AWS "OPT-OUT", "REMOVE" and the
 * French "ARRET"/"TD" (Canadian customers may reply in French; the FCC accepts replies in the
 * message's language).
 */
export const OTHER_PROVIDER_OPT_OUT: KeywordList = {
  words: ["STOP ALL", "OPT-OUT", "REMOVE", "ARRET", "ARRÊT", "TD"],
  source: "https://developers.telnyx.com/docs/messaging/messages/advanced-opt-in-out/index; https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html",
  confidence: "documented",
};

export const OPT_IN: KeywordList = {
  words: ["START", "YES", "UNSTOP"],
  source: "https://www.twilio.com/help/faq/sms/does-twilio-support-stop-block-and-cancel-aka-sms-filtering",
  confidence: "documented",
};

export const HELP: KeywordList = {
  words: ["HELP", "INFO"],
  source: "https://solutionsbytext.com/opt-out-policy/",
  confidence: "secondary source",
};

/** Words Twilio itself acts on (blocks and auto-replies), so we must not reply a second time. */
export const TWILIO_HANDLED = new Set([...TWILIO_OPT_OUT.words, ...OPT_IN.words, ...HELP.words]);

/**
 * Standard replies. Opt-out/in/help texts follow Twilio's defaults (quoted by Twilio
 * customers: https://help.wegive.com/managing-sms-unsubscribes-in-wegive); the HELP reply
 * adds what CTIA asks for: program name, contact, frequency, rates, STOP instructions.
 */
export const STANDARD_REPLIES = {
  optOut: (shopName: string) =>
    `${shopName}: You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.`,
  optIn: (shopName: string) =>
    `${shopName}: You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.`,
  help: (shopName: string, contact: string) =>
    `${shopName}: occasional offers, a few msgs/month. Help: ${contact}. Msg&Data Rates May Apply. Reply STOP to unsubscribe.`,
} as const;
