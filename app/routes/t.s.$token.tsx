// /t/s/<token>: a survey answer link (core/tracking/survey-tokens.ts), public and signed.
// Link scanners prefetch every link in an email, so a GET only shows the chosen score with a
// button; the POST from that button records it (first answer wins). Plain, accessible HTML
// without Polaris: the customer is not in the Shopify admin.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { verifySurveyToken, type SurveyClaim } from "../../core/tracking/survey-tokens";
import { appConfig } from "../config.server";
import { pool } from "../db.server";
import { recordSurveyAnswer, shopNameOf } from "../models/surveys.server";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#202223;background:#f6f6f7;margin:0;padding:24px}
main{max-width:520px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:20px;margin:0 0 12px}button{font:inherit;border:0;border-radius:8px;padding:10px 16px;cursor:pointer;background:#008060;color:#fff}
.note{color:#6d7175;font-size:14px}</style></head>
<body><main>${body}</main></body></html>`;
  return new Response(html, { status, headers: HEADERS });
}

function claimOf(token: string | undefined): { ok: true; claim: SurveyClaim } | { ok: false; response: Response } {
  const v = verifySurveyToken(token ?? "", appConfig().trackingKey);
  if (v.ok) return { ok: true, claim: v.value };
  const status = v.error === "bad signature" ? 403 : 400;
  return { ok: false, response: page("Link not valid", `<h1>This link is not valid</h1><p class="note">Nothing was recorded. Use the buttons in the email you received.</p>`, status) };
}

const scale = (c: SurveyClaim) => (c.survey === "nps" ? 10 : 5);

export async function loader({ params }: LoaderFunctionArgs) {
  const c = claimOf(params.token);
  if (!c.ok) return c.response;
  const name = await shopNameOf(pool(), c.claim.shopId);
  return page(`Your answer for ${name}`, `<h1>Your answer: ${c.claim.score} out of ${scale(c.claim)}</h1>
<form method="post"><button type="submit">Send my answer to ${esc(name)}</button></form>
<p class="note">Chose the wrong score? Go back to the email and pick another before sending.</p>`);
}

export async function action({ params }: ActionFunctionArgs) {
  const c = claimOf(params.token);
  if (!c.ok) return c.response;
  const r = await recordSurveyAnswer(pool(), c.claim, new Date());
  switch (r.kind) {
    case "recorded":
      return page(`Thank you from ${r.shopName}`, `<h1>Thank you!</h1><p>${esc(r.shopName)} received your answer: ${r.score} out of ${scale(c.claim)}.</p>`);
    case "already_answered":
      return page(`Thank you from ${r.shopName}`, `<h1>Thank you!</h1><p>${esc(r.shopName)} already has your answer to this email (${r.score} out of ${scale(c.claim)}); only the first answer counts.</p>`);
    case "unknown_message":
      return page("Thank you", `<h1>Thank you!</h1><p class="note">This message is no longer on record, so nothing was stored.</p>`, 410);
  }
}
