// The provider registry: a shop's channel providers (smtp, twilio, webpush) built from
// provider_credentials. What is not secret lives in `config`; passwords, tokens and keys are
// sealed together in `sealed_secret` (core/secrets/seal.ts), opened only here, and never
// returned to the browser: the settings page sees which secret fields are saved, not them.
// Each Channel is wrapped in the per-(provider, shop) circuit breaker.
import { z } from "zod";
import type { Channel, EmailMessage, PushMessage, SendFailure, SendReceipt, SmsMessage } from "../../core/content/channel";
import type { BreakerState } from "../../core/content/circuit-breaker";
import { guardChannel } from "../../core/content/guarded-channel";
import { err, ok, type Result } from "../../core/result";
import { openSecret, sealSecret } from "../../core/secrets/seal";
import { createSmtpChannel } from "../../connectors/email/smtp";
import { createWebPushChannel } from "../../connectors/push/web-push";
import { createTwilioChannel } from "../../connectors/sms/twilio";
import { genericContent } from "../../core/content/generic";
import { compileEmail, renderEmail, type CompiledEmail } from "../../core/content/render-email";
import { compilePush, compileSms, renderPush, renderSms, type CompiledPush, type CompiledSms } from "../../core/content/render-text";
import { messageContentSchema, type MessageContent, type Purpose } from "../../core/content/schema";
import { clickUrlFor, trackEmailLinks, unsubscribePageUrl } from "../../core/tracking/link-tokens";
import { unsubscribeToken } from "../../core/tracking/unsubscribe";
import type { ChannelRegistry, JourneyChannel, OutboundMessage } from "../../jobs/journeys/types";
import { appConfig } from "../config.server";
import { pool } from "../db.server";
import { chosenContent, recordContentVariant, surveyLinksFor } from "./content-variants.server";
import { deleteGonePushSubscription } from "./push-subscriptions.server";
import { findShopByDomain } from "./shop.server";

export const PROVIDERS = ["smtp", "twilio", "webpush", "klaviyo"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const bool = z.preprocess((v) => v === true || v === "true" || v === "on" || v === "1", z.boolean());
const optionalText = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().optional());

const schemas = {
  smtp: {
    config: z.object({
      host: z.string().trim().min(1, "host is required"),
      port: z.coerce.number().int().min(1).max(65535),
      secure: bool.default(false),
      user: optionalText,
      fromAddress: z.string().trim().email("from address must be an email address"),
      fromName: optionalText,
      messageIdDomain: optionalText,
      dkimDomain: optionalText,
      dkimSelector: optionalText,
      allowSelfSigned: bool.default(false),
    }),
    secret: z.object({ pass: optionalText, dkimPrivateKey: optionalText }),
  },
  twilio: {
    config: z.object({
      accountSid: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, "account SID is AC followed by 32 hex characters"),
      from: z.string().trim().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, "sender is an E.164 number or a Messaging Service SID (MG...)"),
      /** Twilio answers STOP/START/HELP itself on long codes and toll-free numbers. */
      autoReplies: bool.default(true),
      /** A local Twilio stand-in (the demo's simulator); refused in production. */
      baseUrl: optionalText.pipe(z.string().url().optional()),
    }),
    secret: z.object({ authToken: optionalText }),
  },
  webpush: {
    config: z.object({ subject: z.string().trim().regex(/^(mailto:|https:)/, "VAPID subject is a mailto: or https: URL"), publicKey: z.string().trim().min(20) }),
    secret: z.object({ privateKey: optionalText }),
  },
  // Klaviyo as the alternative route: profiles, consent and segment lists synced nightly.
  klaviyo: {
    config: z.object({
      /** A local Klaviyo stand-in (the demo's simulator); refused in production. */
      basePath: optionalText.pipe(z.string().url().optional()),
    }),
    secret: z.object({ privateKey: optionalText.pipe(z.string().regex(/^pk_\w+$/, "the private API key starts with pk_").optional()) }),
  },
} as const;

/** Which form fields are secret, per provider (write-only in the UI). */
export const SECRET_FIELDS: Record<ProviderName, readonly string[]> = { smtp: ["pass", "dkimPrivateKey"], twilio: ["authToken"], webpush: ["privateKey"], klaviyo: ["privateKey"] };
const REQUIRED_SECRETS: Record<ProviderName, readonly string[]> = { smtp: [], twilio: ["authToken"], webpush: ["privateKey"], klaviyo: ["privateKey"] };

export type SmtpSettings = z.infer<typeof schemas.smtp.config>;
export type TwilioSettings = z.infer<typeof schemas.twilio.config>;
export type WebPushSettings = z.infer<typeof schemas.webpush.config>;

type ConfigOf<P extends ProviderName> = z.infer<(typeof schemas)[P]["config"]>;

/** The browser-safe view of a provider: its plain settings and, per secret field, whether one is saved. */
export type ProviderView = { provider: ProviderName; config: Record<string, unknown>; secrets: Record<string, "saved" | "not set">; updatedAt: string };

export async function providerSettings(shopId: number): Promise<ProviderView[]> {
  const r = await pool().query<{ provider: ProviderName; config: Record<string, unknown>; sealed_secret: string; created_at: Date; rotated_at: Date | null }>(
    `select provider, config, sealed_secret, created_at, rotated_at from provider_credentials where shop_id = $1 and provider = any($2::text[]) order by provider`,
    [shopId, PROVIDERS],
  );
  return r.rows.map((row) => {
    const opened = openSecretJson(row.sealed_secret);
    const secrets = Object.fromEntries(SECRET_FIELDS[row.provider].map((f) => [f, opened[f] ? "saved" : "not set"])) as Record<string, "saved" | "not set">;
    return { provider: row.provider, config: row.config, secrets, updatedAt: (row.rotated_at ?? row.created_at).toISOString() };
  });
}

function openSecretJson(sealed: string): Record<string, string> {
  const r = openSecret(sealed, appConfig().encryptionKey);
  if (!r.ok) return {};
  try {
    return JSON.parse(r.value) as Record<string, string>;
  } catch {
    return {};
  }
}

/**
 * Saves a provider's settings from a form. A blank secret field keeps the saved secret, so
 * the page never needs to know it.
 */
export async function saveProviderCredential(shopId: number, provider: ProviderName, form: Record<string, string | undefined>): Promise<Result<void, string[]>> {
  const s = schemas[provider];
  const config = s.config.safeParse(form);
  const secret = s.secret.safeParse(form);
  const problems = [...(config.success ? [] : config.error.issues), ...(secret.success ? [] : secret.error.issues)].map((i) => `${i.path.join(".")}: ${i.message}`);
  if (problems.length || !config.success || !secret.success) return err(problems);
  if (provider === "twilio" && (config.data as TwilioSettings).baseUrl && appConfig().NODE_ENV === "production") return err(["baseUrl: only the demo's local simulator may replace Twilio's API"]);
  if (provider === "klaviyo" && (config.data as { basePath?: string }).basePath && appConfig().NODE_ENV === "production") return err(["basePath: only the demo's local simulator may replace Klaviyo's API"]);

  const existing = await pool().query<{ sealed_secret: string }>(`select sealed_secret from provider_credentials where shop_id = $1 and provider = $2`, [shopId, provider]);
  const previous = existing.rows[0] ? openSecretJson(existing.rows[0].sealed_secret) : {};
  const merged: Record<string, string> = { ...previous };
  for (const [k, v] of Object.entries(secret.data)) if (typeof v === "string" && v) merged[k] = v;
  const missing = REQUIRED_SECRETS[provider].filter((f) => !merged[f]);
  if (missing.length) return err(missing.map((f) => `${f}: required`));

  const cleanConfig = Object.fromEntries(Object.entries(config.data).filter(([, v]) => v !== undefined));
  await pool().query(
    `insert into provider_credentials (shop_id, provider, config, sealed_secret, created_at)
     values ($1, $2, $3, $4, now())
     on conflict (shop_id, provider) do update set config = excluded.config, sealed_secret = excluded.sealed_secret, rotated_at = now()`,
    [shopId, provider, JSON.stringify(cleanConfig), sealSecret(JSON.stringify(merged), appConfig().encryptionKey)],
  );
  forgetChannels(shopId);
  return ok(undefined);
}

export async function deleteProviderCredential(shopId: number, provider: ProviderName): Promise<void> {
  await pool().query(`delete from provider_credentials where shop_id = $1 and provider = $2`, [shopId, provider]);
  forgetChannels(shopId);
}

type Opened<P extends ProviderName> = { config: ConfigOf<P>; secret: Record<string, string>; version: string };

/** Server-only: a provider's settings with its secrets opened. */
export async function openProviderCredential<P extends ProviderName>(shopId: number, provider: P): Promise<Opened<P> | null> {
  const r = await pool().query<{ config: unknown; sealed_secret: string; created_at: Date; rotated_at: Date | null }>(
    `select config, sealed_secret, created_at, rotated_at from provider_credentials where shop_id = $1 and provider = $2`,
    [shopId, provider],
  );
  const row = r.rows[0];
  if (!row) return null;
  const config = schemas[provider].config.safeParse(row.config);
  if (!config.success) return null;
  return { config: config.data as ConfigOf<P>, secret: openSecretJson(row.sealed_secret), version: (row.rotated_at ?? row.created_at).toISOString() };
}

// ---------------------------------------------------------------------------------------
// Channels.

export type ShopChannels = {
  email?: Channel<EmailMessage> & { from: { name?: string; address: string } };
  sms?: Channel<SmsMessage> & { from: string };
  push?: Channel<PushMessage>;
};

const BREAKER = { failureThreshold: 5, coolDownMs: 60_000 };
const breakerStates = new Map<string, BreakerState>();
const cache = new Map<number, { version: string; channels: ShopChannels; close: () => void }>();

function forgetChannels(shopId: number) {
  cache.get(shopId)?.close();
  cache.delete(shopId);
}

const guard = <M>(channel: Channel<M>, provider: string, shopId: number): Channel<M> =>
  guardChannel({ channel, provider, shopOf: () => shopId, config: BREAKER, now: Date.now, states: breakerStates });

/** The shop's channels, built from its saved providers (cached until the settings change). */
export async function channelsForShop(shopId: number): Promise<ShopChannels> {
  const [smtp, twilio, webpush] = await Promise.all([
    openProviderCredential(shopId, "smtp"),
    openProviderCredential(shopId, "twilio"),
    openProviderCredential(shopId, "webpush"),
  ]);
  const version = [smtp?.version, twilio?.version, webpush?.version].join("|");
  const hit = cache.get(shopId);
  if (hit && hit.version === version) return hit.channels;
  hit?.close();

  const channels: ShopChannels = {};
  const closers: Array<() => void> = [];
  if (smtp) {
    const c = smtp.config;
    const domain = c.messageIdDomain ?? c.fromAddress.split("@")[1];
    const transport = createSmtpChannel({
      host: c.host,
      port: c.port,
      secure: c.secure,
      auth: c.user ? { user: c.user, pass: smtp.secret.pass ?? "" } : undefined,
      messageIdDomain: domain,
      dkim: c.dkimDomain && c.dkimSelector && smtp.secret.dkimPrivateKey ? { domainName: c.dkimDomain, keySelector: c.dkimSelector, privateKey: smtp.secret.dkimPrivateKey } : undefined,
      allowSelfSigned: c.allowSelfSigned,
    });
    closers.push(() => transport.close());
    channels.email = Object.assign(guard(transport, "smtp", shopId), { from: { name: c.fromName, address: c.fromAddress } });
  }
  if (twilio?.secret.authToken) {
    const c = twilio.config;
    channels.sms = Object.assign(guard(createTwilioChannel({ accountSid: c.accountSid, authToken: twilio.secret.authToken, baseUrl: c.baseUrl }), "twilio", shopId), { from: c.from });
  }
  if (webpush?.secret.privateKey) {
    const c = webpush.config;
    // Gone at the push service (404/410): the row goes, found by its key.
    const onGone = deleteGonePushSubscription(pool(), shopId);
    channels.push = guard(createWebPushChannel({ vapid: { subject: c.subject, publicKey: c.publicKey, privateKey: webpush.secret.privateKey }, onGone }), "webpush", shopId);
  }
  cache.set(shopId, { version, channels, close: () => closers.forEach((f) => f()) });
  return channels;
}

/** The Twilio auth token that signs this shop's webhooks, or null when Twilio is not set up. */
export async function twilioWebhookSettings(shopId: number): Promise<{ authToken: string; autoReplies: boolean } | null> {
  const t = await openProviderCredential(shopId, "twilio");
  return t?.secret.authToken ? { authToken: t.secret.authToken, autoReplies: t.config.autoReplies } : null;
}

/** The URL Twilio signed: the app's public origin with this request's path and query (the app may sit behind a proxy). */
export function publicWebhookUrl(request: Request): string {
  const u = new URL(request.url);
  return new URL(u.pathname + u.search, appConfig().SHOPIFY_APP_URL).toString();
}

async function readTwilioForm(request: Request): Promise<Record<string, string>> {
  const body = await request.text();
  return Object.fromEntries(new URLSearchParams(body));
}

/** What a Twilio webhook to /webhooks/twilio/*?shop=<domain> carries, before its signature is checked. */
export interface TwilioWebhook {
  shop: NonNullable<Awaited<ReturnType<typeof findShopByDomain>>>;
  settings: { authToken: string; autoReplies: boolean };
  signed: { url: string; signature: string | undefined; params: Record<string, string> };
}

/** Finds the shop and its Twilio settings for a webhook, or the response that refuses it. */
export async function readTwilioWebhook(request: Request): Promise<{ ok: true; value: TwilioWebhook } | { ok: false; response: Response }> {
  if (request.method !== "POST") return { ok: false, response: new Response("method not allowed", { status: 405 }) };
  const url = publicWebhookUrl(request);
  const shop = await findShopByDomain(new URL(url).searchParams.get("shop") ?? "");
  if (!shop) return { ok: false, response: new Response("unknown shop", { status: 404 }) };
  const settings = await twilioWebhookSettings(shop.id);
  if (!settings) return { ok: false, response: new Response("Twilio is not set up for this shop", { status: 404 }) };
  const params = await readTwilioForm(request);
  return { ok: true, value: { shop, settings, signed: { url, signature: request.headers.get("x-twilio-signature") ?? undefined, params } } };
}

export function statusCallbackUrl(shopDomain: string): string {
  const u = new URL("/webhooks/twilio/status", appConfig().SHOPIFY_APP_URL);
  u.searchParams.set("shop", shopDomain);
  return u.toString();
}

export function inboundWebhookUrl(shopDomain: string): string {
  const u = new URL("/webhooks/twilio/inbound", appConfig().SHOPIFY_APP_URL);
  u.searchParams.set("shop", shopDomain);
  return u.toString();
}

/** The "send test" button: a transactional message through the saved provider. */
export async function sendTestMessage(shopId: number, shopDomain: string, channel: "email" | "sms", to: string): Promise<Result<SendReceipt, SendFailure>> {
  const channels = await channelsForShop(shopId);
  const key = `test:${shopId}:${channel}:${Date.now()}`;
  if (channel === "email") {
    if (!channels.email) return err({ kind: "permanent", code: "not_configured", message: "Save the SMTP settings first." });
    if (!z.string().email().safeParse(to).success) return err({ kind: "permanent", code: "recipient", message: "Enter an email address to send the test to." });
    const html = `<!doctype html><html><body style="font-family:Arial,sans-serif;padding:24px"><h1 style="font-size:20px">Winback test email</h1><p>Your email provider is set up for <strong>${shopDomain.replace(/[<>&"]/g, "")}</strong>. Win-back journeys will send through it.</p></body></html>`;
    return channels.email.send({ purpose: "transactional", from: channels.email.from, to, subject: "Winback test email", html, text: `Winback test email\n\nYour email provider is set up for ${shopDomain}. Win-back journeys will send through it.` }, key);
  }
  if (!channels.sms) return err({ kind: "permanent", code: "not_configured", message: "Save the Twilio settings first." });
  if (!/^\+[1-9]\d{6,14}$/.test(to)) return err({ kind: "permanent", code: "recipient", message: "Enter a phone number in international format (+15551234567)." });
  return channels.sms.send({ purpose: "transactional", from: channels.sms.from, to, body: `Winback test message for ${shopDomain}. Your SMS provider is set up.`, statusCallbackUrl: statusCallbackUrl(shopDomain) }, key);
}

// ---------------------------------------------------------------------------------------
// The journey engine's channels (jobs/journeys ChannelRegistry): one JourneyChannel per
// channel kind, process-wide; each send finds the shop's provider, renders the content for
// the customer (the library's content, else the shop's generic copy), puts the tracking
// links, open pixel and signed unsubscribe link in, and sends through the guarded provider.

export type JourneyRegistryOptions = {
  /** Compiled templates are cached per content row; this bounds the cache. */
  maxCachedTemplates?: number;
};

type ContentRow = { id: string; version: number; body: unknown };

async function contentFor(shopId: number, contentId: string | null, channel: "email" | "sms" | "push", purpose: Purpose): Promise<{ key: string; content: MessageContent; rowId?: string }> {
  if (contentId) {
    const r = await pool().query<ContentRow>(
      `select id::text, version, body from message_contents
        where shop_id = $1 and channel = $2::"MessageChannel" and archived_at is null
          and (($3 ~ '^\\d{1,19}$' and id = case when $3 ~ '^\\d{1,19}$' then $3::bigint end) or template_key = $3)
        order by version desc limit 1`,
      [shopId, channel, contentId],
    );
    const row = r.rows[0];
    const parsed = row ? messageContentSchema.safeParse(row.body) : null;
    if (row && parsed?.success && parsed.data.channel === channel) return { key: `${shopId}:${row.id}:${row.version}`, content: { ...parsed.data, purpose }, rowId: row.id };
  }
  return { key: `generic:${channel}:${purpose}`, content: genericContent(channel, purpose) };
}

async function variablesFor(msg: OutboundMessage): Promise<{ vars: Record<string, unknown>; shop: { name: string; postalAddress?: string; domain: string } }> {
  const db = pool();
  const [shop, customer, order, offer] = await Promise.all([
    db.query<{ name: string | null; domain: string; currency: string; settings: Record<string, unknown> }>(`select name, domain, currency, settings from shops where id = $1`, [msg.shopId]),
    db.query<{ first_name: string | null; last_name: string | null; email: string | null; phone: string | null; locale: string | null }>(
      `select first_name, last_name, email, phone, locale from customers where shop_id = $1 and id = $2`,
      [msg.shopId, msg.customerId],
    ),
    db.query<{ orders_count: number; total_spent: string | null; last_at: Date | null }>(
      `select count(*)::int as orders_count, sum(total - refunded)::text as total_spent, max(processed_at) as last_at
         from orders where shop_id = $1 and customer_id = $2 and cancelled_at is null`,
      [msg.shopId, msg.customerId],
    ),
    db.query<{ code: string; expires_at: Date; description: string }>(
      `select d.code, d.expires_at, o.name as description from discount_codes d join offers o on o.shop_id = d.shop_id and o.id = d.offer_id
        where d.shop_id = $1 and d.message_id = $2 and d.status = 'created' limit 1`,
      [msg.shopId, msg.messageId],
    ),
  ]);
  const s = shop.rows[0];
  const settings = (s?.settings ?? {}) as { postalAddress?: unknown; shopUrl?: unknown; email?: unknown };
  const c = customer.rows[0] ?? { first_name: null, last_name: null, email: null, phone: null, locale: null };
  const o = order.rows[0];
  const name = s?.name ?? s?.domain ?? "";
  const vars: Record<string, unknown> = {
    customer: {
      first_name: c.first_name ?? undefined,
      last_name: c.last_name ?? undefined,
      email: c.email ?? undefined,
      phone: c.phone ?? undefined,
      locale: c.locale ?? undefined,
      orders_count: o?.orders_count ?? 0,
      days_since_last_order: o?.last_at ? Math.floor((Date.now() - o.last_at.getTime()) / 86_400_000) : undefined,
    },
    shop: {
      name,
      url: typeof settings.shopUrl === "string" ? settings.shopUrl : `https://${s?.domain ?? ""}`,
      currency: s?.currency,
      postal_address: typeof settings.postalAddress === "string" ? settings.postalAddress : undefined,
    },
    ...(offer.rows[0] ? { offer: { code: offer.rows[0].code, expires_at: offer.rows[0].expires_at.toISOString(), description: offer.rows[0].description } } : {}),
  };
  return { vars, shop: { name, domain: s?.domain ?? "", postalAddress: typeof settings.postalAddress === "string" ? settings.postalAddress : undefined } };
}

const permanent = (code: string, message: string): Result<SendReceipt, SendFailure> => err({ kind: "permanent", code, message });

export function journeyChannelRegistry(opts: JourneyRegistryOptions = {}): ChannelRegistry {
  const compiled = new Map<string, unknown>();
  const max = opts.maxCachedTemplates ?? 500;
  const remember = <T>(key: string, value: T): T => {
    if (compiled.size >= max) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, value);
    return value;
  };

  async function renderFor(msg: OutboundMessage, vars: Record<string, unknown>) {
    const channel = msg.channel as "email" | "sms" | "push";
    const found = await contentFor(msg.shopId, msg.contentId, channel, msg.purpose);
    // A variant test picks this customer's variant (sticky); it is recorded once it renders.
    const picked = found.rowId ? chosenContent(msg.shopId, found.rowId, found.key, found.content, msg.customerId) : { cacheKey: found.key, content: found.content, variant: null };
    const chosen = { key: picked.cacheKey, content: picked.content };
    const candidates = found.key.startsWith("generic:") ? [chosen] : [chosen, { key: `generic:${channel}:${msg.purpose}`, content: genericContent(channel, msg.purpose) }];
    let lastError = "content could not be rendered";
    for (const { key, content } of candidates) {
      const links = surveyLinksFor(appConfig().SHOPIFY_APP_URL, appConfig().trackingKey, msg.shopId, msg.messageId, content);
      if (links) vars.survey_links = links;
      if (picked.variant && found.rowId) await recordContentVariant(pool(), msg.shopId, msg.messageId, found.rowId, key === chosen.key ? picked.variant : null);
      if (content.channel === "email") {
        const t = (compiled.get(key) as CompiledEmail | undefined) ?? (await compileEmail(content).then((r) => (r.ok ? remember(key, r.value) : null)));
        if (!t) { lastError = `content ${key} does not compile`; continue; }
        const r = renderEmail(t, vars);
        if (r.ok) return { kind: "email" as const, value: r.value };
        lastError = r.error.message;
        if (r.error.kind !== "missing_data") break;
      } else if (content.channel === "sms") {
        const c = (compiled.get(key) as CompiledSms | undefined) ?? (() => { const r = compileSms(content); return r.ok ? remember(key, r.value) : null; })();
        if (!c) { lastError = `content ${key} does not compile`; continue; }
        const r = renderSms(c, vars);
        if (r.ok) return { kind: "sms" as const, value: r.value };
        lastError = r.error.message;
        if (r.error.kind !== "missing_data") break;
      } else {
        const c = (compiled.get(key) as CompiledPush | undefined) ?? (() => { const r = compilePush(content); return r.ok ? remember(key, r.value) : null; })();
        if (!c) { lastError = `content ${key} does not compile`; continue; }
        const r = renderPush(c, vars);
        if (r.ok) return { kind: "push" as const, value: r.value };
        lastError = r.error.message;
        if (r.error.kind !== "missing_data") break;
      }
    }
    return { kind: "failed" as const, message: lastError };
  }

  const make = (kind: "email" | "sms" | "push", provider: string): JourneyChannel => ({
    provider,
    async send(msg: OutboundMessage, idempotencyKey: string): Promise<Result<SendReceipt, SendFailure>> {
      const channels = await channelsForShop(msg.shopId);
      const cfg = appConfig();
      const { vars, shop } = await variablesFor(msg);
      const unsubscribeUrl = unsubscribePageUrl(cfg.SHOPIFY_APP_URL, unsubscribeToken({ shopId: msg.shopId, recipient: msg.recipient, channel: kind, messageId: msg.messageId }, cfg.trackingKey));
      vars.unsubscribe_url = unsubscribeUrl;
      vars.preferences_url = unsubscribeUrl;
      const rendered = await renderFor(msg, vars);
      if (rendered.kind === "failed") return permanent("content", rendered.message);

      if (rendered.kind === "email") {
        if (!channels.email) return permanent("not_configured", "no email provider is set up for this shop");
        const html = trackEmailLinks(rendered.value.html, { appUrl: cfg.SHOPIFY_APP_URL, shopId: msg.shopId, messageId: msg.messageId, key: cfg.trackingKey, skip: [unsubscribeUrl, ...((vars.survey_links as string[] | undefined) ?? [])] });
        return channels.email.send(
          {
            purpose: msg.purpose,
            from: { name: channels.email.from.name ?? shop.name, address: channels.email.from.address },
            to: msg.recipient,
            subject: rendered.value.subject,
            preheader: rendered.value.preheader,
            html,
            text: rendered.value.text,
            unsubscribeUrl,
            postalAddress: shop.postalAddress,
          },
          idempotencyKey,
        );
      }
      if (rendered.kind === "sms") {
        if (!channels.sms) return permanent("not_configured", "no SMS provider is set up for this shop");
        return channels.sms.send({ purpose: msg.purpose, from: channels.sms.from, to: msg.recipient, body: rendered.value.body, statusCallbackUrl: statusCallbackUrl(shop.domain) }, idempotencyKey);
      }
      if (!channels.push) return permanent("not_configured", "no web push provider is set up for this shop");
      const sub = await pool().query<{ endpoint: string; p256dh: string; auth: string }>(
        `select endpoint, p256dh, auth from push_subscriptions where shop_id = $1 and endpoint_hash = $2`,
        [msg.shopId, msg.recipient],
      );
      const s = sub.rows[0];
      if (!s) return permanent("gone", "the push subscription is gone");
      const link = clickUrlFor(cfg.SHOPIFY_APP_URL, { shopId: msg.shopId, messageId: msg.messageId, target: rendered.value.link }, cfg.trackingKey);
      return channels.push.send(
        { purpose: msg.purpose, subscription: { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, title: rendered.value.title, body: rendered.value.body, icon: rendered.value.icon, link: link.ok ? link.value : rendered.value.link },
        idempotencyKey,
      );
    },
  });
  return { email: make("email", "smtp"), sms: make("sms", "twilio"), push: make("push", "webpush") };
}
