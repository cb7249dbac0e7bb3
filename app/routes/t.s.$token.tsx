// /t/s/<token>: a survey answer link (core/tracking/survey-tokens.ts), public and signed.
// Link scanners prefetch every link in an email, so a GET only shows the chosen score with a
// button; the POST from that button records it (first answer wins). Plain, accessible HTML
// without Polaris: the customer is not in the Shopify admin.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { verifySurveyToken, type SurveyClaim } from "../../core/tracking/survey-tokens";
import { appConfig } from "../config.server";
import { pool } from "../db.server";
import { recordSurveyAnswer, shopNameOf } from "../models/surveys.server";
import { customerPage, escapeHtml } from "../customer-page.server";


function claimOf(token: string | undefined): { ok: true; claim: SurveyClaim } | { ok: false; response: Response } {
  const v = verifySurveyToken(token ?? "", appConfig().trackingKey);
  if (v.ok) return { ok: true, claim: v.value };
  const status = v.error === "bad signature" ? 403 : 400;
  return { ok: false, response: customerPage("Link not valid", `<h1>This link is not valid</h1><p class="note">Nothing was recorded. Use the buttons in the email you received.</p>`, status) };
}

const scale = (c: SurveyClaim) => (c.survey === "nps" ? 10 : 5);

export async function loader({ params }: LoaderFunctionArgs) {
  const c = claimOf(params.token);
  if (!c.ok) return c.response;
  const name = await shopNameOf(pool(), c.claim.shopId);
  return customerPage(`Your answer for ${name}`, `<h1>Your answer: ${c.claim.score} out of ${scale(c.claim)}</h1>
<form method="post"><button type="submit">Send my answer to ${escapeHtml(name)}</button></form>
<p class="note">Chose the wrong score? Go back to the email and pick another before sending.</p>`);
}

export async function action({ params }: ActionFunctionArgs) {
  const c = claimOf(params.token);
  if (!c.ok) return c.response;
  const r = await recordSurveyAnswer(pool(), c.claim, new Date());
  switch (r.kind) {
    case "recorded":
      return customerPage(`Thank you from ${r.shopName}`, `<h1>Thank you!</h1><p>${escapeHtml(r.shopName)} received your answer: ${r.score} out of ${scale(c.claim)}.</p>`);
    case "already_answered":
      return customerPage(`Thank you from ${r.shopName}`, `<h1>Thank you!</h1><p>${escapeHtml(r.shopName)} already has your answer to this email (${r.score} out of ${scale(c.claim)}); only the first answer counts.</p>`);
    case "unknown_message":
      return customerPage("Thank you", `<h1>Thank you!</h1><p class="note">This message is no longer on record, so nothing was stored.</p>`, 410);
  }
}
