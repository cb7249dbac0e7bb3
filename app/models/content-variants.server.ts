// Message variant tests on the database: per-variant results computed in SQL per shop, the
// winner adopted (automatically once significant, or by the merchant) by writing `adopted`
// into the content's variant test, with an audit entry holding the figures it rested on.
import type pg from "pg";
import { messageContentSchema, type MessageContent } from "../../core/content/schema";
import { surveyScores } from "../../core/content/survey";
import { applyVariant, chooseVariant, decideVariantWinner, type VariantDecision, type VariantResult } from "../../core/content/variants";
import { surveyLinks } from "../../core/tracking/survey-tokens";
import { err, ok, type Result } from "../../core/result";

type Db = Pick<pg.Pool, "query">;

/**
 * Sends, opens, clicks and attributed conversions per variant of one content item, counting
 * each send once per outcome (a message opened five times is one open). In test order.
 */
export async function variantResults(db: Db, shopId: number, contentId: string, keys: readonly string[]): Promise<VariantResult[]> {
  const r = await db.query<VariantResult>(
    `select m.content_variant as key, count(*)::int as sends,
            count(*) filter (where exists (select 1 from events e where e.shop_id = m.shop_id and e.message_id = m.id and e.name = 'message_opened'))::int as opens,
            count(*) filter (where exists (select 1 from events e where e.shop_id = m.shop_id and e.message_id = m.id and e.name = 'message_clicked'))::int as clicks,
            count(*) filter (where exists (select 1 from attributions a where a.shop_id = m.shop_id and a.message_id = m.id and a.status = 'active'))::int as conversions
       from messages m
      where m.shop_id = $1 and m.content_id = $2::bigint and m.content_variant = any($3::text[]) and m.status in ('sent', 'delivered')
      group by m.content_variant`,
    [shopId, contentId, keys],
  );
  const by = new Map(r.rows.map((row) => [row.key, row]));
  return keys.map((key) => by.get(key) ?? { key, sends: 0, opens: 0, clicks: 0, conversions: 0 });
}

export interface VariantTestStatus {
  contentId: string;
  metric: "opens" | "clicks" | "conversions";
  adopted: { key: string; by: "auto" | "merchant"; at: string } | null;
  results: VariantResult[];
  decision: VariantDecision | null;
}

async function loadTest(db: Db, shopId: number, contentId: string, forUpdate = false) {
  const r = await db.query<{ body: unknown }>(
    `select body from message_contents where shop_id = $1 and id = $2::bigint${forUpdate ? " for update" : ""}`, [shopId, contentId],
  );
  if (!r.rows[0]) return err(`content ${contentId} not found`);
  const parsed = messageContentSchema.safeParse(r.rows[0].body);
  if (!parsed.success) return err(`content ${contentId} is not valid content`);
  if (!parsed.data.variants) return err(`content ${contentId} has no variant test`);
  return ok({ body: r.rows[0].body as Record<string, unknown>, test: parsed.data.variants });
}

/** What the content page shows: the figures and whether they settle it yet. */
export async function variantTestStatus(db: Db, shopId: number, contentId: string): Promise<Result<VariantTestStatus>> {
  const t = await loadTest(db, shopId, contentId);
  if (!t.ok) return t;
  const { test } = t.value;
  const results = await variantResults(db, shopId, contentId, test.variants.map((v) => v.key));
  const decision = decideVariantWinner(results, test.metric, { seed: Number(contentId) });
  return ok({ contentId, metric: test.metric, adopted: test.adopted ?? null, results, decision: decision.ok ? decision.value : null });
}

/**
 * Adopts `key` as the winner: from now on the content sends only it. Once adopted the test
 * is closed (a second adoption is refused, not silently overwritten).
 */
export async function adoptVariant(
  pool: pg.Pool, shopId: number, contentId: string, key: string, by: "auto" | "merchant", actor: string, now: Date,
): Promise<Result<{ key: string; results: VariantResult[] }>> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const t = await loadTest(client, shopId, contentId, true);
    if (!t.ok) { await client.query("rollback"); return t; }
    const { body, test } = t.value;
    if (test.adopted) { await client.query("rollback"); return err(`variant "${test.adopted.key}" was already adopted`); }
    if (!test.variants.some((v) => v.key === key)) { await client.query("rollback"); return err(`"${key}" is not a variant of this content`); }
    const results = await variantResults(client, shopId, contentId, test.variants.map((v) => v.key));
    const decision = decideVariantWinner(results, test.metric, { seed: Number(contentId) });
    const adopted = { key, by, at: now.toISOString() };
    const next = { ...body, variants: { ...(body.variants as object), adopted } };
    await client.query(`update message_contents set body = $3 where shop_id = $1 and id = $2::bigint`, [shopId, contentId, JSON.stringify(next)]);
    await client.query(
      `insert into audit_log (shop_id, actor, action, entity, entity_id, before, after) values ($1, $2, 'content.adopt_variant', 'message_content', $3, $4, $5)`,
      [shopId, actor, contentId, JSON.stringify({ variants: body.variants }), JSON.stringify({ adopted, metric: test.metric, results, decision: decision.ok ? { kind: decision.value.kind, report: decision.value.report } : null })],
    );
    await client.query("commit");
    return ok({ key, results });
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** Nightly: every open test of the shop whose figures are now significant adopts its winner. */
export async function adoptSignificantVariants(pool: pg.Pool, shopId: number, now: Date): Promise<{ contentId: string; winner: string }[]> {
  const open = await pool.query<{ id: string }>(
    `select id::text from message_contents
      where shop_id = $1 and archived_at is null and body ? 'variants' and not (body->'variants' ? 'adopted')`,
    [shopId],
  );
  const adopted: { contentId: string; winner: string }[] = [];
  for (const { id } of open.rows) {
    const s = await variantTestStatus(pool, shopId, id);
    if (!s.ok || s.value.decision?.kind !== "adopt") continue;
    const a = await adoptVariant(pool, shopId, id, s.value.decision.winner, "auto", "system:variant-test", now);
    if (a.ok) adopted.push({ contentId: id, winner: a.value.key });
  }
  return adopted;
}

/**
 * Records which variant a send uses (before the provider is called) and which content row it
 * came from; null when the send fell back to the generic copy, so it counts for no variant.
 */
export async function recordContentVariant(db: Db, shopId: number, messageId: string, contentId: string, key: string | null): Promise<void> {
  await db.query(
    `update messages set content_variant = $3, content_id = coalesce(content_id, $4::bigint) where shop_id = $1 and id = $2::bigint`,
    [shopId, messageId, key, contentId],
  );
}

/**
 * The content a customer gets from a saved content row: with a variant test, the sticky
 * variant (or the adopted winner) applied. `cacheKey` tells compiled templates apart.
 */
export function chosenContent(shopId: number, contentRowId: string, cacheKey: string, content: MessageContent, customerId: string): { cacheKey: string; content: MessageContent; variant: string | null } {
  if (!content.variants) return { cacheKey, content, variant: null };
  const v = chooseVariant<{ key: string; weight: number }>(content.variants, `${shopId}:${contentRowId}`, customerId);
  return { cacheKey: `${cacheKey}:v:${v.key}`, content: applyVariant(content, v) as MessageContent, variant: v.key };
}

/** The survey's signed answer links for one recipient, in button order (Liquid's survey_links). */
export function surveyLinksFor(appUrl: string, key: Buffer | string, shopId: number, messageId: string, content: MessageContent): string[] | null {
  if (content.channel !== "email" || !content.survey) return null;
  return surveyLinks(appUrl, { shopId, messageId, survey: content.survey.kind }, surveyScores(content.survey.kind), key);
}
