// A one-question survey block for email: CSAT (1-5) or NPS (0-10). The block is a row of score
// buttons, each a per-recipient signed link (core/tracking/survey-tokens.ts) supplied to Liquid
// as survey_links[i] for scores[i], so the compiled template is shared and only links differ.
import { z } from "zod";
import { err, ok, type Result } from "../result";

export const surveyKindSchema = z.enum(["csat", "nps"]);
export type SurveyKind = z.infer<typeof surveyKindSchema>;

export const surveySchema = z.object({
  kind: surveyKindSchema,
  question: z.string().trim().min(1, "the survey needs a question").max(300),
});
export type Survey = z.infer<typeof surveySchema>;

/** The scores a survey offers, in button order. */
export function surveyScores(kind: SurveyKind): number[] {
  switch (kind) {
    case "csat":
      return [1, 2, 3, 4, 5];
    case "nps":
      return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  }
}

export const isValidScore = (kind: SurveyKind, score: number) => Number.isInteger(score) && surveyScores(kind).includes(score);

const SURVEY_MARK = "[[survey]]";
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The MJML section: the question, then the buttons, with the scale's ends labelled. */
export function surveyMjml(survey: Survey): string {
  const scores = surveyScores(survey.kind);
  const max = scores[scores.length - 1];
  const cells = scores
    .map((s, i) => `<td style="padding:2px"><a href="{{ survey_links[${i}] }}" aria-label="${s} out of ${max}" style="display:inline-block;min-width:28px;padding:8px 4px;border:1px solid #8a8a8a;border-radius:4px;color:#202223;text-decoration:none;font-weight:bold;text-align:center">${s}</a></td>`)
    .join("");
  const [low, high] = survey.kind === "nps" ? ["Not at all likely", "Extremely likely"] : ["Very unsatisfied", "Very satisfied"];
  return (
    `<mj-section><mj-column><mj-text align="center"><p style="font-size:16px;margin:0 0 8px">${escapeHtml(survey.question)}</p>` +
    `<table role="presentation" align="center" style="border-collapse:collapse"><tr>${cells}</tr></table>` +
    `<p style="font-size:12px;color:#6d7175;margin:6px 0 0">${scores[0]} = ${low}, ${max} = ${high}</p></mj-text></mj-column></mj-section>`
  );
}

/** Puts the survey where the author wrote [[survey]] (else at the end of the body). */
export function expandSurvey(mjml: string, survey: Survey | undefined): Result<string> {
  if (!survey) return mjml.includes(SURVEY_MARK) ? err("the content has [[survey]] but no survey is set") : ok(mjml);
  const block = surveyMjml(survey);
  if (mjml.includes(SURVEY_MARK)) return ok(mjml.split(SURVEY_MARK).join(block));
  const end = mjml.lastIndexOf("</mj-body>");
  return end === -1 ? err("the MJML has no </mj-body> to put the survey in") : ok(mjml.slice(0, end) + block + mjml.slice(end));
}

/** The segment condition "answered this survey with score >= min in the last `days` days". */
export function surveyScoreCondition(kind: SurveyKind, min: number, days: number) {
  return {
    kind: "event" as const,
    name: "survey_answered",
    filters: [
      { property: "survey", cmp: { op: "eq" as const, value: kind } },
      { property: "score", cmp: { op: "gte" as const, value: min } },
    ],
    window: { kind: "last_days" as const, days },
    count: { op: "gte" as const, value: 1 },
  };
}
