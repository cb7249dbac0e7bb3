// The shop's generic copy: what a send uses when its content is not in the library yet (the
// ready-made journeys name content keys the content library will fill) or cannot render for
// this customer. Every variable used has a `default`, so it renders for anyone.
import type { EmailContent, MessageContent, PushContent, Purpose, SmsContent } from "./schema";

export function genericEmail(purpose: Purpose): EmailContent {
  return {
    channel: "email",
    purpose,
    subject: `{{ customer.first_name | default: "Hello" }}, we miss you at {{ shop.name | default: "our shop" }}`,
    preheader: "It has been a while. Here is what is new.",
    mjml: `<mjml><mj-body background-color="#f6f6f7">
  <mj-section background-color="#ffffff" padding="24px">
    <mj-column>
      <mj-text font-size="22px" font-weight="bold">Hi {{ customer.first_name | default: "there" }},</mj-text>
      <mj-text font-size="16px" line-height="1.5">It has been a while since your last visit to {{ shop.name | default: "our shop" }}. A lot has changed, and we would love to see you again.</mj-text>
      <mj-text font-size="16px" line-height="1.5">{% if offer.code %}Use <strong>{{ offer.code }}</strong> for {{ offer.discount_text | default: "a discount" }} on your next order.{% endif %}</mj-text>
      <mj-button background-color="#008060" href="{{ shop.url | default: 'https://example.com' }}">Visit the shop</mj-button>
    </mj-column>
  </mj-section>
</mj-body></mjml>`,
  };
}

export function genericSms(purpose: Purpose): SmsContent {
  return {
    channel: "sms",
    purpose,
    body: `{{ shop.name | default: "We" }}: {{ customer.first_name | default: "Hi" }}, we miss you!{% if offer.code %} Use {{ offer.code }} for {{ offer.discount_text | default: "a discount" }}.{% endif %} {{ shop.url | default: "" }}`,
  };
}

export function genericPush(purpose: Purpose): PushContent {
  return {
    channel: "push",
    purpose,
    title: `We miss you at {{ shop.name | default: "our shop" }}`,
    body: "Come back and see what is new.",
    link: `{{ shop.url | default: "https://example.com" }}`,
  };
}

export function genericContent(channel: MessageContent["channel"], purpose: Purpose): MessageContent {
  return channel === "email" ? genericEmail(purpose) : channel === "sms" ? genericSms(purpose) : genericPush(purpose);
}
