import { describe, expect, it } from "vitest";
import { compileEmail, renderEmail } from "../../../core/content/render-email";
import { expandSurvey, surveyScores } from "../../../core/content/survey";
import { surveyLinks, surveyToken, verifySurveyToken } from "../../../core/tracking/survey-tokens";

const KEY = "test-tracking-key";
const claim = { shopId: 3, messageId: "77", survey: "nps" as const, score: 9 };

describe("survey tokens", () => {
  const good = surveyToken(claim, KEY);
  const [payload, sig] = good.split(".");
  const forge = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString("base64url");
  const CASES: { name: string; token: string; expected: string }[] = [
    { name: "a good link", token: good, expected: "ok" },
    { name: "score changed in the payload", token: `${forge([3, "77", "nps", 10])}.${sig}`, expected: "bad signature" },
    { name: "message changed", token: `${forge([3, "78", "nps", 9])}.${sig}`, expected: "bad signature" },
    { name: "signed with another key", token: surveyToken(claim, "other-key"), expected: "bad signature" },
    { name: "truncated signature", token: `${payload}.${sig.slice(0, -2)}`, expected: "bad signature" },
    { name: "no signature", token: payload, expected: "malformed token" },
    { name: "score outside the scale, properly signed", token: surveyToken({ ...claim, survey: "csat", score: 9 }, KEY), expected: "malformed token" },
  ];
  it.each(CASES)("$name", ({ token, expected }) => {
    const r = verifySurveyToken(token, KEY);
    expect(r.ok ? "ok" : r.error).toBe(expected);
    if (r.ok) expect(r.value).toEqual(claim);
  });
});

describe("survey block", () => {
  it.each([
    { kind: "csat" as const, scores: [1, 2, 3, 4, 5] },
    { kind: "nps" as const, scores: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
  ])("$kind offers $scores", ({ kind, scores }) => expect(surveyScores(kind)).toEqual(scores));

  it("refuses [[survey]] without a survey", () => {
    expect(expandSurvey("<mjml><mj-body>[[survey]]</mj-body></mjml>", undefined)).toEqual({ ok: false, error: "the content has [[survey]] but no survey is set" });
  });

  it("compiles to a row of per-recipient signed score links", async () => {
    const survey = { kind: "nps" as const, question: "How likely are you to recommend us?" };
    const c = await compileEmail({ channel: "email", purpose: "informational", subject: "Quick question", preheader: "", mjml: "<mjml><mj-body>[[survey]]</mj-body></mjml>", survey });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    const links = surveyLinks("https://app.example", { shopId: 3, messageId: "77", survey: "nps" }, surveyScores("nps"), KEY);
    const r = renderEmail(c.value, { survey_links: links });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.html).toContain("How likely are you to recommend us?");
    const hrefs = [...r.value.html.matchAll(/href="(https:\/\/app\.example\/t\/s\/[^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(links);
    expect(hrefs.map((h) => { const v = verifySurveyToken(h.split("/t/s/")[1], KEY); return v.ok ? v.value.score : null; })).toEqual(surveyScores("nps"));
    expect(r.value.html).toContain('aria-label="8 out of 10"');
  });
});
