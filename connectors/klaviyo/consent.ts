// Our consent states (prisma ConsentState) mapped onto Klaviyo's subscription jobs. Only a
// definite state is pushed: `subscribed` subscribes (as a historical import when we know
// when consent was given, so Klaviyo sends no double opt-in and the profile is not treated
// as a new sign-up), `unsubscribed` unsubscribes. `pending` (double opt-in not confirmed),
// `not_subscribed` and `unknown` leave Klaviyo as it is: an unsubscribe there would suppress
// a profile that never opted out, and a subscribe would claim consent we do not have.
export type ConsentState = "subscribed" | "unsubscribed" | "pending" | "not_subscribed" | "unknown";

export type KlaviyoConsentChange = { channel: "email" | "sms"; action: "subscribe" | "unsubscribe"; consentedAt: Date | null };

export type ConsentSource = {
  email: string | null;
  phone: string | null;
  emailConsent: ConsentState;
  emailConsentAt: Date | null;
  smsConsent: ConsentState;
  smsConsentAt: Date | null;
};

export function klaviyoConsentChanges(c: ConsentSource, now: Date): KlaviyoConsentChange[] {
  const out: KlaviyoConsentChange[] = [];
  const at = (d: Date | null) => (d && d.getTime() <= now.getTime() ? d : null);
  if (c.email) {
    if (c.emailConsent === "subscribed") out.push({ channel: "email", action: "subscribe", consentedAt: at(c.emailConsentAt) });
    else if (c.emailConsent === "unsubscribed") out.push({ channel: "email", action: "unsubscribe", consentedAt: null });
  }
  if (c.phone) {
    if (c.smsConsent === "subscribed") out.push({ channel: "sms", action: "subscribe", consentedAt: at(c.smsConsentAt) });
    else if (c.smsConsent === "unsubscribed") out.push({ channel: "sms", action: "unsubscribe", consentedAt: null });
  }
  return out;
}
