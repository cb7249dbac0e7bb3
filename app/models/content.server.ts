// The content library: versioned messages (message_contents), reusable blocks
// (content_blocks), preview with a real customer's data, and a test send to the merchant.
// Saving never edits a row: it writes the next version under the same name (and template
// key), so a journey that names an old row by id keeps sending exactly what it had, and a
// journey that names the content by its template key picks up the newest version.
import { z } from "zod";
import { validateContent, type ContentIssue } from "../../core/content/validate";
import { compileTemplate } from "../../core/content/personalise";
import { compileEmail, renderEmail, type RenderedEmail } from "../../core/content/render-email";
import { compilePush, compileSms, renderPush, renderSms, type RenderedPush, type RenderedSms } from "../../core/content/render-text";
import { genericContent } from "../../core/content/generic";
import { renderFirst, type Variant } from "../../core/content/fallback";
import { blockSchema, messageContentSchema, type Block, type MessageContent } from "../../core/content/schema";
import { assertNever, err, ok, type Result } from "../../core/result";
import { pool, withTransaction } from "../db.server";
import { channelsForShop, statusCallbackUrl } from "./channels.server";

export type ContentSummary = {
  id: string;
  name: string;
  version: number;
  channel: MessageContent["channel"];
  purpose: MessageContent["purpose"];
  templateKey: string | null;
  createdAt: string;
  /** pinnedVersion: the journey names that exact row; null: it names the key, so it follows the newest. */
  usedBy: Array<{ journeyId: string; journeyName: string; pinnedVersion: number | null }>;
};

export type ContentDetail = ContentSummary & { body: MessageContent; versions: Array<{ id: string; version: number; createdAt: string }> };

type Row = { id: string; name: string; version: number; channel: MessageContent["channel"]; purpose: MessageContent["purpose"]; template_key: string | null; created_at: Date; body: unknown };

// Send nodes name content by row id or by template key (app/models/channels.server.ts
// resolves both); this finds every journey (draft or live version) naming any row of a name.
const USAGE_SQL = `
  with refs as (
    select j.id as journey_id, j.name as journey_name, n->>'contentId' as ref
      from journeys j
      cross join lateral jsonb_array_elements(coalesce(j.draft->'nodes', '[]'::jsonb)) n
     where j.shop_id = $1 and n->>'type' = 'send'
    union
    select j.id, j.name, n->>'contentId'
      from journeys j
      join journey_versions v on v.shop_id = j.shop_id and v.journey_id = j.id and v.version = j.live_version
      cross join lateral jsonb_array_elements(coalesce(v.definition->'nodes', '[]'::jsonb)) n
     where j.shop_id = $1 and n->>'type' = 'send'
  )
  select distinct c.name, r.journey_id::text, r.journey_name, case when c.id::text = r.ref then c.version end as pinned_version
    from refs r
    join message_contents c on c.shop_id = $1 and (c.id::text = r.ref or (c.template_key = r.ref and not exists (
           select 1 from message_contents o where o.shop_id = c.shop_id and o.name = c.name and o.version < c.version)))
   where c.name = any($2::text[])
   order by r.journey_name, pinned_version`;

async function usageOf(shopId: number, names: string[]): Promise<Map<string, ContentSummary["usedBy"]>> {
  const out = new Map<string, ContentSummary["usedBy"]>();
  if (!names.length) return out;
  const r = await pool().query<{ name: string; journey_id: string; journey_name: string; pinned_version: number | null }>(USAGE_SQL, [shopId, names]);
  for (const row of r.rows) {
    const list = out.get(row.name) ?? [];
    list.push({ journeyId: row.journey_id, journeyName: row.journey_name, pinnedVersion: row.pinned_version });
    out.set(row.name, list);
  }
  return out;
}

const summary = (row: Row, usedBy: ContentSummary["usedBy"]): ContentSummary => ({
  id: row.id,
  name: row.name,
  version: row.version,
  channel: row.channel,
  purpose: row.purpose,
  templateKey: row.template_key,
  createdAt: row.created_at.toISOString(),
  usedBy,
});

/** The newest version of every message, with the journeys that use it. */
export async function listContents(shopId: number, filter: { channel?: string; purpose?: string } = {}): Promise<ContentSummary[]> {
  const r = await pool().query<Row>(
    `select distinct on (name) id::text, name, version, channel::text as channel, purpose::text as purpose, template_key, created_at, body
       from message_contents
      where shop_id = $1 and archived_at is null
        and ($2::text is null or channel::text = $2) and ($3::text is null or purpose::text = $3)
      order by name, version desc`,
    [shopId, filter.channel || null, filter.purpose || null],
  );
  const usage = await usageOf(shopId, r.rows.map((x) => x.name));
  return r.rows.map((row) => summary(row, usage.get(row.name) ?? []));
}

export async function getContent(shopId: number, id: string): Promise<ContentDetail | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const r = await pool().query<Row>(
    `select id::text, name, version, channel::text as channel, purpose::text as purpose, template_key, created_at, body
       from message_contents where shop_id = $1 and id = $2`,
    [shopId, id],
  );
  const row = r.rows[0];
  if (!row) return null;
  const body = messageContentSchema.safeParse(row.body);
  const versions = await pool().query<{ id: string; version: number; created_at: Date }>(
    `select id::text, version, created_at from message_contents where shop_id = $1 and name = $2 order by version desc`,
    [shopId, row.name],
  );
  const usage = await usageOf(shopId, [row.name]);
  return {
    ...summary(row, usage.get(row.name) ?? []),
    body: body.success ? body.data : genericContent(row.channel, row.purpose),
    versions: versions.rows.map((v) => ({ id: v.id, version: v.version, createdAt: v.created_at.toISOString() })),
  };
}

// ---------------------------------------------------------------------------------------
// Blocks.

export async function listBlocks(shopId: number): Promise<Block[]> {
  const r = await pool().query<Block>(`select name, channel::text as channel, content from content_blocks where shop_id = $1 order by channel, name`, [shopId]);
  return r.rows;
}

export type BlockIssue = { field: string; line?: number; name?: string; message: string };

/** Creates or replaces a block; its Liquid must only name known variables. */
export async function saveBlock(shopId: number, input: unknown): Promise<Result<Block, BlockIssue[]>> {
  const parsed = blockSchema.safeParse(input);
  if (!parsed.success) return err(parsed.error.issues.map((i) => ({ field: i.path.join(".") || "block", message: i.message })));
  const block = parsed.data;
  const check = compileTemplate(block.content, { mode: "text" });
  if (!check.ok) return err(check.error.map((i) => ({ field: "content", line: i.line, name: i.name, message: i.message })));
  await pool().query(
    `insert into content_blocks (shop_id, channel, name, content, updated_at) values ($1, $2::"MessageChannel", $3, $4, now())
     on conflict (shop_id, channel, name) do update set content = excluded.content, updated_at = now()`,
    [shopId, block.channel, block.name, block.content],
  );
  return ok(block);
}

export async function deleteBlock(shopId: number, channel: string, name: string): Promise<void> {
  await pool().query(`delete from content_blocks where shop_id = $1 and channel::text = $2 and name = $3`, [shopId, channel, name]);
}

// ---------------------------------------------------------------------------------------
// Saving.

const nameSchema = z.string().trim().min(1, "name is required").max(200, "name is at most 200 characters");

export type SaveIssue = ContentIssue;

/**
 * Validates the content (the one zod schema, then every template against the allowed
 * variables and the shop's blocks) and writes it as a new version. `fromId` names the
 * version being edited; without it this is a new message and the name must be free.
 */
export async function saveContent(
  shopId: number,
  input: { fromId?: string; name: unknown; body: unknown },
): Promise<Result<{ id: string; version: number }, SaveIssue[]>> {
  const name = nameSchema.safeParse(input.name);
  const blocks = await listBlocks(shopId);
  const valid = await validateContent(input.body, blocks);
  const issues: SaveIssue[] = [];
  if (!name.success) issues.push({ part: "name", line: 1, column: 1, message: name.error.issues[0]?.message ?? "invalid name" });
  if (!valid.ok) issues.push(...valid.error);
  if (!name.success || !valid.ok) return err(issues);
  const body = valid.value;

  return withTransaction(pool(), async (db) => {
    // One writer per name at a time, so two saves cannot both take the same version number.
    await db.query(`select pg_advisory_xact_lock(hashtextextended('content:' || $1::text || ':' || $2::text, 0))`, [shopId, name.data]);
    let templateKey: string | null = null;
    let fallbackId: string | null = null;
    if (input.fromId) {
      const from = await db.query<{ name: string; channel: string; template_key: string | null; fallback_content_id: string | null }>(
        `select name, channel::text as channel, template_key, fallback_content_id::text from message_contents where shop_id = $1 and id = $2`,
        [shopId, /^\d{1,18}$/.test(input.fromId) ? input.fromId : "0"],
      );
      const row = from.rows[0];
      if (!row) return err([{ part: "content", line: 1, column: 1, message: `message ${input.fromId} does not exist` }]);
      if (row.channel !== body.channel) return err([{ part: "channel", line: 1, column: 1, message: `a ${row.channel} message cannot become ${body.channel}` }]);
      if (row.name !== name.data) {
        const taken = await db.query(`select 1 from message_contents where shop_id = $1 and name = $2 limit 1`, [shopId, name.data]);
        if (taken.rowCount) return err([{ part: "name", line: 1, column: 1, message: `another message is already named "${name.data}"` }]);
        // Renaming moves the whole history, so versions stay one line.
        await db.query(`update message_contents set name = $3 where shop_id = $1 and name = $2`, [shopId, row.name, name.data]);
      }
      templateKey = row.template_key;
      fallbackId = row.fallback_content_id;
    } else {
      const taken = await db.query(`select 1 from message_contents where shop_id = $1 and name = $2 limit 1`, [shopId, name.data]);
      if (taken.rowCount) return err([{ part: "name", line: 1, column: 1, message: `a message named "${name.data}" already exists` }]);
    }
    const r = await db.query<{ id: string; version: number }>(
      `insert into message_contents (shop_id, name, version, channel, purpose, body, template_key, fallback_content_id)
       select $1, $2, coalesce(max(version), 0) + 1, $3::"MessageChannel", $4::"MessagePurpose", $5, $6, $7::bigint
         from message_contents where shop_id = $1 and name = $2
       returning id::text, version`,
      [shopId, name.data, body.channel, body.purpose, JSON.stringify(body), templateKey, fallbackId],
    );
    return ok(r.rows[0]);
  });
}

// ---------------------------------------------------------------------------------------
// Preview with a real customer.

export type CustomerOption = { id: string; label: string; email: string | null };

/** Customer picker: shop-scoped search on email and name. */
export async function searchCustomers(shopId: number, query: string, limit = 10): Promise<CustomerOption[]> {
  const q = query.trim();
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const r = await pool().query<{ id: string; email: string | null; first_name: string | null; last_name: string | null }>(
    `select id::text, email, first_name, last_name from customers
      where shop_id = $1 and ($2 = '' or email ilike $3 or (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) ilike $3)
      order by id limit $4`,
    [shopId, q, pattern, limit],
  );
  return r.rows.map((c) => ({
    id: c.id,
    email: c.email,
    label: [[c.first_name, c.last_name].filter(Boolean).join(" "), c.email].filter(Boolean).join(" · ") || `Customer ${c.id}`,
  }));
}

const money = (minor: string | number | null | undefined, currency: string) =>
  minor === null || minor === undefined ? undefined : new Intl.NumberFormat("en-US", { style: "currency", currency }).format(Number(minor) / 100);

/**
 * The Liquid variables for one customer of the shop, from their real data. Unknown values
 * are left out, so templates' `default` filters and the fallback chain decide.
 */
export async function customerVariables(shopId: number, customerId: string | null, now: Date = new Date()): Promise<Record<string, unknown>> {
  const db = pool();
  const shop = await db.query<{ name: string | null; domain: string; currency: string; settings: Record<string, unknown> }>(
    `select name, domain, currency, settings from shops where id = $1`,
    [shopId],
  );
  const s = shop.rows[0];
  const settings = (s?.settings ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const currency = s?.currency ?? "USD";
  const vars: Record<string, unknown> = {
    shop: {
      name: s?.name ?? s?.domain,
      url: str(settings.shopUrl) ?? (s ? `https://${s.domain}` : undefined),
      email: str(settings.email),
      phone: str(settings.phone),
      postal_address: str(settings.postalAddress),
      currency,
    },
    unsubscribe_url: "https://example.com/unsubscribe-preview",
    preferences_url: "https://example.com/preferences-preview",
    // Preview stand-ins for the per-recipient survey links (score order, 0-10 covers both scales).
    survey_links: Array.from({ length: 11 }, (_, i) => `https://example.com/survey-preview/${i}`),
  };
  if (!customerId || !/^\d{1,18}$/.test(customerId)) return vars;

  const [customer, stats, last, recommended] = await Promise.all([
    db.query<{ first_name: string | null; last_name: string | null; email: string | null; phone: string | null; locale: string | null }>(
      `select first_name, last_name, email, phone, locale from customers where shop_id = $1 and id = $2`,
      [shopId, customerId],
    ),
    db.query<{ orders_count: number; total_spent: string | null; last_at: Date | null }>(
      `select count(*)::int as orders_count, sum(total - refunded)::text as total_spent, max(processed_at) as last_at
         from orders where shop_id = $1 and customer_id = $2 and cancelled_at is null`,
      [shopId, customerId],
    ),
    db.query<{ id: string; name: string | null; processed_at: Date; total: string; currency: string }>(
      `select id::text, name, processed_at, total::text, currency from orders
        where shop_id = $1 and customer_id = $2 and cancelled_at is null order by processed_at desc limit 1`,
      [shopId, customerId],
    ),
    // The shop's best sellers of the last 90 days that this customer has not bought.
    db.query<{ title: string; vendor: string | null; price: string }>(
      `select l.title, max(l.vendor) as vendor, max(l.price)::text as price
         from order_lines l join orders o on o.shop_id = l.shop_id and o.id = l.order_id
        where l.shop_id = $1 and o.processed_at > $3::timestamptz - interval '90 days'
          and not exists (select 1 from order_lines m join orders mo on mo.shop_id = m.shop_id and mo.id = m.order_id
                           where m.shop_id = $1 and mo.customer_id = $2 and m.title = l.title)
        group by l.title order by sum(l.quantity) desc, l.title limit 3`,
      [shopId, customerId, now],
    ),
  ]);
  const c = customer.rows[0];
  if (!c) return vars;
  const st = stats.rows[0];
  vars.customer = {
    first_name: c.first_name ?? undefined,
    last_name: c.last_name ?? undefined,
    email: c.email ?? undefined,
    phone: c.phone ?? undefined,
    locale: c.locale ?? undefined,
    orders_count: st?.orders_count ?? 0,
    total_spent: money(st?.total_spent, currency),
    days_since_last_order: st?.last_at ? Math.floor((now.getTime() - st.last_at.getTime()) / 86_400_000) : undefined,
  };
  const o = last.rows[0];
  if (o) {
    const lines = await db.query<{ title: string; quantity: number; price: string }>(
      `select title, quantity, price::text from order_lines where shop_id = $1 and order_id = $2 order by id`,
      [shopId, o.id],
    );
    vars.last_order = {
      name: o.name ?? undefined,
      processed_at: o.processed_at.toISOString(),
      total: money(o.total, o.currency),
      currency: o.currency,
      line_items: lines.rows.map((l) => ({ title: l.title, quantity: l.quantity, price: money(l.price, o.currency) })),
    };
  }
  if (recommended.rows.length) vars.recommended_products = recommended.rows.map((p) => ({ title: p.title, vendor: p.vendor ?? undefined, price: money(p.price, currency) }));
  return vars;
}

export type Preview =
  | { channel: "email"; variant: Variant; output: RenderedEmail }
  | { channel: "sms"; variant: Variant; output: RenderedSms }
  | { channel: "push"; variant: Variant; output: RenderedPush };

export type PreviewFailure = { kind: "invalid"; issues: ContentIssue[] } | { kind: "render"; message: string };

/**
 * Renders unsaved content for a customer the way a send would: the content, else (when the
 * customer's data cannot fill it) the shop's generic copy. Says which one was used.
 */
export async function previewContent(shopId: number, input: unknown, customerId: string | null, now: Date = new Date()): Promise<Result<Preview, PreviewFailure>> {
  const blocks = await listBlocks(shopId);
  const valid = await validateContent(input, blocks);
  if (!valid.ok) return err({ kind: "invalid", issues: valid.error });
  const content = valid.value;
  const vars = await customerVariables(shopId, customerId, now);
  const generic = genericContent(content.channel, content.purpose);
  const failed = (f: Array<{ failure: { message: string } }>): Result<never, PreviewFailure> => err({ kind: "render", message: f.map((x) => x.failure.message).join("; ") });

  switch (content.channel) {
    case "email": {
      const a = await compileEmail(content, blocks);
      const b = await compileEmail(generic as typeof content, blocks);
      if (!a.ok || !b.ok) return err({ kind: "render", message: "content does not compile" });
      const r = renderFirst([{ variant: "primary", template: a.value }, { variant: "generic", template: b.value }], (t) => renderEmail(t, vars));
      return r.ok ? ok({ channel: "email", ...r.value }) : failed(r.error);
    }
    case "sms": {
      const a = compileSms(content, blocks);
      const b = compileSms(generic as typeof content, blocks);
      if (!a.ok || !b.ok) return err({ kind: "render", message: "content does not compile" });
      const r = renderFirst([{ variant: "primary", template: a.value }, { variant: "generic", template: b.value }], (t) => renderSms(t, vars));
      return r.ok ? ok({ channel: "sms", ...r.value }) : failed(r.error);
    }
    case "push": {
      const a = compilePush(content, blocks);
      const b = compilePush(generic as typeof content, blocks);
      if (!a.ok || !b.ok) return err({ kind: "render", message: "content does not compile" });
      const r = renderFirst([{ variant: "primary", template: a.value }, { variant: "generic", template: b.value }], (t) => renderPush(t, vars));
      return r.ok ? ok({ channel: "push", ...r.value }) : failed(r.error);
    }
    default:
      return assertNever(content, "channel");
  }
}

// ---------------------------------------------------------------------------------------
// Test send.

/** Where a test goes when the merchant does not type an address: the shop's email. */
export async function shopEmail(shopId: number): Promise<string | null> {
  const r = await pool().query<{ email: string | null }>(`select settings->>'email' as email from shops where id = $1`, [shopId]);
  return r.rows[0]?.email ?? null;
}

/**
 * Renders the content for a customer (or no one) and sends it to the merchant through the
 * shop's provider, marked as a test: email to the typed address or the shop's email, SMS to
 * a typed number. Tests are transactional: they go to the merchant, not to a customer, so
 * no consent, cap or unsubscribe applies.
 */
export async function sendContentTest(
  shopId: number,
  shopDomain: string,
  input: { body: unknown; to: string; customerId: string | null },
  now: Date = new Date(),
): Promise<Result<{ providerMessageId: string; to: string }, string>> {
  const preview = await previewContent(shopId, input.body, input.customerId, now);
  if (!preview.ok) return err(preview.error.kind === "invalid" ? preview.error.issues.map((i) => `${i.part} line ${i.line}: ${i.message}`).join("; ") : preview.error.message);
  const channels = await channelsForShop(shopId);
  // A fresh key per click: each press is its own send, and the key names it for the provider.
  const key = `content-test:${shopId}:${now.getTime()}:${Math.random().toString(36).slice(2, 10)}`;
  const p = preview.value;
  switch (p.channel) {
    case "email": {
      const to = input.to.trim() || (await shopEmail(shopId)) || "";
      if (!z.string().email().safeParse(to).success) return err("Enter an email address to send the test to.");
      if (!channels.email) return err("Set up an email provider in Settings → Channels first.");
      const mail = p.output;
      const r = await channels.email.send(
        { purpose: "transactional", from: channels.email.from, to, subject: `[Test] ${mail.subject}`, preheader: mail.preheader, html: mail.html, text: mail.text },
        key,
      );
      return r.ok ? ok({ providerMessageId: r.value.providerMessageId, to }) : err(r.error.message);
    }
    case "sms": {
      const to = input.to.trim();
      if (!/^\+[1-9]\d{6,14}$/.test(to)) return err("Enter a phone number in international format (+15551234567).");
      if (!channels.sms) return err("Set up Twilio in Settings → Channels first.");
      const r = await channels.sms.send({ purpose: "transactional", from: channels.sms.from, to, body: p.output.body, statusCallbackUrl: statusCallbackUrl(shopDomain) }, key);
      return r.ok ? ok({ providerMessageId: r.value.providerMessageId, to }) : err(r.error.message);
    }
    case "push":
      return err("Web push tests need a browser subscription; use the preview.");
    default:
      return assertNever(p, "channel");
  }
}
