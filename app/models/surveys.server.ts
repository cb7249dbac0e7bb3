// Survey answers: one `survey_answered` event per message. The first answer counts; a later
// click on another score is ignored (journeys may already have branched on the first), and
// the page says so.
import type pg from "pg";
import type { SurveyClaim } from "../../core/tracking/survey-tokens";
import { queues } from "../../jobs/queues";
import { requestCustomerReevaluation } from "../../jobs/segments/worker";

type Db = Pick<pg.Pool, "query">;

export type SurveyAnswerOutcome =
  | { kind: "recorded"; shopName: string; score: number }
  | { kind: "already_answered"; shopName: string; score: number }
  | { kind: "unknown_message" };

export const surveyDedupeKey = (messageId: string) => `survey:${messageId}`;

/** Records the answer a signed link carries (the caller has verified it). */
export async function recordSurveyAnswer(db: Db, claim: SurveyClaim, at: Date): Promise<SurveyAnswerOutcome> {
  const m = await db.query<{ customer_id: string; question: string | null; shop_name: string }>(
    `select m.customer_id::text, c.body->'survey'->>'question' as question, coalesce(s.name, s.domain) as shop_name
       from messages m join shops s on s.id = m.shop_id
       left join message_contents c on c.shop_id = m.shop_id and c.id = m.content_id
      where m.shop_id = $1 and m.id = $2::bigint`,
    [claim.shopId, claim.messageId],
  );
  const row = m.rows[0];
  if (!row) return { kind: "unknown_message" }; // erased since (customer redact) or never ours
  const properties = { survey: claim.survey, score: claim.score, message_id: claim.messageId, question: row.question ?? "" };
  const ins = await db.query(
    `insert into events (shop_id, customer_id, name, occurred_at, properties, source, message_id, dedupe_key)
     values ($1, $2::bigint, 'survey_answered', $3, $4, 'winback', $5::bigint, $6)
     on conflict (shop_id, dedupe_key) do nothing`,
    [claim.shopId, row.customer_id, at, JSON.stringify(properties), claim.messageId, surveyDedupeKey(claim.messageId)],
  );
  if ((ins.rowCount ?? 0) > 0) {
    // A behaviour event is a segment condition: the customer is re-evaluated at once,
    // against every segment, without a full refresh.
    await requestCustomerReevaluation(db, queues(), claim.shopId, row.customer_id, at);
    return { kind: "recorded", shopName: row.shop_name, score: claim.score };
  }
  const first = await db.query<{ score: number }>(
    `select (properties->>'score')::int as score from events where shop_id = $1 and dedupe_key = $2`, [claim.shopId, surveyDedupeKey(claim.messageId)],
  );
  return { kind: "already_answered", shopName: row.shop_name, score: first.rows[0]?.score ?? claim.score };
}

export async function shopNameOf(db: Db, shopId: number): Promise<string> {
  const r = await db.query<{ name: string }>(`select coalesce(name, domain) as name from shops where id = $1`, [shopId]);
  return r.rows[0]?.name ?? "this store";
}
