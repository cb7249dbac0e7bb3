// /t/u/<token>: unsubscribe and preferences, public and signed (core/tracking/unsubscribe.ts).
// - POST with the body List-Unsubscribe=One-Click (RFC 8058, what Gmail and Yahoo send):
//   unsubscribes at once and answers 200; no page, no confirmation.
// - GET (a person clicking the footer link; link scanners prefetch GETs, so a GET never
//   changes anything): a small page to choose channels and kinds of message.
// - POST from that page's form: applies the choices.
// Plain HTML without Polaris or App Bridge: the customer is not in the Shopify admin.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { oneClickUnsubscribe, verifyUnsubscribeToken, type UnsubscribeClaim } from "../../core/tracking/unsubscribe";
import { appConfig } from "../config.server";
import { changeConsent, consentSnapshot, savePurposePreferences, type ConsentSnapshot, type PurposeChoice } from "../models/consent.server";
import { findSentMessage, recordEngagement } from "../models/outbox.server";
import { pool } from "../db.server";
import { customerPage, escapeHtml } from "../customer-page.server";


const invalid = () => customerPage("Link not valid", `<h1>This link is not valid</h1><p class="note">It may have been cut off. Use the unsubscribe link from the most recent message.</p>`, 400);

async function customerFor(claim: UnsubscribeClaim): Promise<string | null> {
  if (claim.channel === "push") return null;
  const column = claim.channel === "email" ? "lower(email)" : "phone";
  const r = await pool().query<{ id: string }>(
    `select id::text from customers where shop_id = $1 and ${column} = $2 and merged_into_id is null order by id limit 1`,
    [claim.shopId, claim.channel === "email" ? claim.recipient.toLowerCase() : claim.recipient],
  );
  return r.rows[0]?.id ?? null;
}

async function shopName(shopId: number): Promise<string> {
  const r = await pool().query<{ name: string | null; domain: string }>(`select name, domain from shops where id = $1`, [shopId]);
  return r.rows[0]?.name ?? r.rows[0]?.domain ?? "this store";
}

async function unsubscribeNow(claim: UnsubscribeClaim, source: string) {
  const at = new Date();
  await changeConsent({ shopId: claim.shopId, channel: claim.channel, state: "unsubscribed", address: claim.recipient, reason: "unsubscribe", source, messageId: claim.messageId, at });
  if (claim.messageId && /^\d{1,19}$/.test(claim.messageId)) {
    const message = await findSentMessage(claim.shopId, claim.messageId);
    if (message) await recordEngagement({ shopId: claim.shopId, message, name: "message_unsubscribed", at, dedupeKey: `unsubscribed:${message.id}` });
  }
}

const PURPOSES = [
  { key: "promotional", label: "Offers and promotions" },
  { key: "informational", label: "News and updates" },
] as const;

function preferenceForm(name: string, snap: ConsentSnapshot | null, claim: UnsubscribeClaim, saved: boolean): string {
  const channels: Array<{ key: "email" | "sms"; label: string }> = [];
  if (snap?.email) channels.push({ key: "email", label: "Email" });
  if (snap?.sms) channels.push({ key: "sms", label: "Text messages (SMS)" });
  const fieldsets = channels
    .map(({ key, label }) => {
      const v = snap![key]!;
      const off = v.state === "unsubscribed" || v.suppressed;
      // SMS consent needs the customer's own text to come back (reply START); email can be re-ticked here.
      const locked = off && key === "sms";
      const boxes = PURPOSES.map(
        (p) => `<label><input type="checkbox" name="${key}_${p.key}" ${!off && v.purposes[p.key] ? "checked" : ""} ${locked ? "disabled" : ""}> ${p.label}</label>`,
      ).join("");
      const note = locked ? `<p class="note">You are unsubscribed from texts. Reply START to one of our messages to subscribe again.</p>` : "";
      return `<fieldset><legend>${label}</legend>${boxes}${note}</fieldset>`;
    })
    .join("");
  const fallback = channels.length
    ? ""
    : `<p>Unsubscribe <strong>${escapeHtml(claim.recipient.replace(/^(.{2}).*(@.*)$/, "$1***$2"))}</strong> from ${claim.channel === "sms" ? "text messages" : claim.channel === "push" ? "notifications" : "email"}?</p>`;
  return `<h1>Your preferences for ${escapeHtml(name)}</h1>
${saved ? `<p role="status"><strong>Your preferences are saved.</strong></p>` : ""}
<form method="post">${fieldsets}${fallback}
<p class="note">Order confirmations and receipts are always sent.</p>
${channels.length ? `<button class="primary" type="submit" name="intent" value="save">Save preferences</button>` : ""}
<button class="${channels.length ? "secondary" : "primary"}" type="submit" name="intent" value="unsubscribe_all">Unsubscribe from all marketing</button>
</form>`;
}

export async function loader({ params }: LoaderFunctionArgs) {
  const claim = verifyUnsubscribeToken(params.token ?? "", appConfig().trackingKey);
  if (!claim.ok) return invalid();
  const customerId = await customerFor(claim.value);
  const snap = customerId ? await consentSnapshot(claim.value.shopId, customerId) : null;
  return customerPage("Email preferences", preferenceForm(await shopName(claim.value.shopId), snap, claim.value, false));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const key = appConfig().trackingKey;
  const body = await request.text();
  const form = new URLSearchParams(body);

  if (form.get("List-Unsubscribe") !== null) {
    const claim = oneClickUnsubscribe(body, token, key);
    if (!claim.ok) return new Response(claim.error, { status: claim.error === "bad signature" ? 403 : 400, headers: { "content-type": "text/plain" } });
    await unsubscribeNow(claim.value, "one_click");
    return new Response("unsubscribed", { status: 200, headers: { "content-type": "text/plain", "cache-control": "no-store" } });
  }

  const claim = verifyUnsubscribeToken(token, key);
  if (!claim.ok) return invalid();
  const c = claim.value;
  const name = await shopName(c.shopId);
  const customerId = await customerFor(c);

  if (form.get("intent") === "unsubscribe_all" || !customerId) {
    if (customerId) {
      const snap = await consentSnapshot(c.shopId, customerId);
      for (const ch of ["email", "sms"] as const) {
        if (snap?.[ch]) await changeConsent({ shopId: c.shopId, channel: ch, customerId, state: "unsubscribed", reason: "unsubscribe", source: "preference_page", messageId: c.messageId, at: new Date() });
      }
    } else {
      await unsubscribeNow(c, "preference_page");
    }
    return customerPage("Unsubscribed", `<h1>You are unsubscribed</h1><p>${escapeHtml(name)} will not send you marketing messages any more.</p>`);
  }

  const snap = await consentSnapshot(c.shopId, customerId);
  const at = new Date();
  const choices: PurposeChoice[] = [];
  for (const ch of ["email", "sms"] as const) {
    const view = snap?.[ch];
    if (!view) continue;
    const off = view.state === "unsubscribed" || view.suppressed;
    if (off && ch === "sms") continue; // re-subscribing to texts needs START from the phone
    const picked = PURPOSES.filter((p) => form.get(`${ch}_${p.key}`) !== null).map((p) => p.key);
    if (picked.length === 0) {
      if (!off) await changeConsent({ shopId: c.shopId, channel: ch, customerId, state: "unsubscribed", reason: "unsubscribe", source: "preference_page", messageId: c.messageId, at });
      continue;
    }
    if (off) await changeConsent({ shopId: c.shopId, channel: ch, customerId, state: "subscribed", source: "preference_page", at });
    for (const p of PURPOSES) choices.push({ channel: ch, purpose: p.key, subscribed: picked.includes(p.key) });
  }
  await savePurposePreferences(c.shopId, customerId, choices, "preference_page", at);
  return customerPage("Preferences saved", preferenceForm(name, await consentSnapshot(c.shopId, customerId), c, true));
}
