// Signed survey answer links (/t/s/<token>): one per recipient and score, HMAC-SHA256 under
// its own label so a click or open token never passes for an answer, and changing the score
// (or the message) in the URL breaks the signature.
import { isValidScore, type SurveyKind, surveyKindSchema } from "../content/survey";
import { err, ok, type Result } from "../result";
import { sign, verify } from "./hmac";

export type SurveyClaim = { shopId: number; messageId: string; survey: SurveyKind; score: number };

const LABEL = "survey";

export function surveyToken(claim: SurveyClaim, key: Buffer | string): string {
  const payload = Buffer.from(JSON.stringify([claim.shopId, claim.messageId, claim.survey, claim.score])).toString("base64url");
  return `${payload}.${sign(key, [LABEL, payload])}`;
}

export function verifySurveyToken(token: string, key: Buffer | string): Result<SurveyClaim> {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return err("malformed token");
  if (!verify(key, [LABEL, payload], signature)) return err("bad signature");
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return err("malformed token");
  }
  if (!Array.isArray(parts) || parts.length !== 4) return err("malformed token");
  const [shopId, messageId, survey, score] = parts;
  const kind = surveyKindSchema.safeParse(survey);
  if (!Number.isInteger(shopId) || typeof messageId !== "string" || !/^\d{1,19}$/.test(messageId) || !kind.success || typeof score !== "number" || !isValidScore(kind.data, score)) {
    return err("malformed token");
  }
  return ok({ shopId, messageId, survey: kind.data, score });
}

export const surveyUrl = (appUrl: string, claim: SurveyClaim, key: Buffer | string) => `${appUrl.replace(/\/$/, "")}/t/s/${surveyToken(claim, key)}`;

/** Links for every score of the survey, in button order (Liquid's survey_links). */
export function surveyLinks(appUrl: string, base: Omit<SurveyClaim, "score">, scores: readonly number[], key: Buffer | string): string[] {
  return scores.map((score) => surveyUrl(appUrl, { ...base, score }, key));
}
