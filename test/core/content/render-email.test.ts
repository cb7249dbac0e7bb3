import { describe, expect, it } from "vitest";
import { finaliseEmail } from "../../../core/content/email-compliance";
import { compileEmail, renderEmail } from "../../../core/content/render-email";
import type { EmailContent } from "../../../core/content/schema";

const content: EmailContent = {
  channel: "email",
  purpose: "promotional",
  subject: 'We miss you, {{ customer.first_name | default: "friend" }}',
  preheader: "{{ offer.discount_text | default: 'A little something' }} inside",
  mjml: `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hi {{ customer.first_name | default: "there" }},</mj-text>
        <mj-text>{% for p in recommended_products %}<a href="{{ p.url }}">{{ p.title }}</a><br/>{% endfor %}</mj-text>
        <mj-button href="{{ offer.url }}">Use {{ offer.code }}</mj-button>
        [[block:signoff]]
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`,
};
const blocks = [{ name: "signoff", channel: "email" as const, content: "<mj-text>The {{ shop.name }} team</mj-text>" }];

const vars = {
  customer: { first_name: "Ada" },
  recommended_products: [
    { title: "Teapot & Cups", url: "https://shop.example/p/teapot" },
    { title: "Oolong", url: "https://shop.example/p/oolong" },
  ],
  offer: { code: "BACK10", url: "https://shop.example/discount/BACK10" },
  shop: { name: "Tea <Co>" },
};

describe("compileEmail / renderEmail", () => {
  it("compiles MJML once to responsive HTML and a text part, then personalises both", async () => {
    const compiled = await compileEmail(content, blocks);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.error));
    const r = renderEmail(compiled.value, vars);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.subject).toBe("We miss you, Ada");
    expect(r.value.html).toContain("@media only screen"); // MJML's responsive CSS
    expect(r.value.html).toContain("Teapot &amp; Cups");
    expect(r.value.html).toContain("Tea &lt;Co&gt;");
    expect(r.value.html).toContain('href="https://shop.example/discount/BACK10"');
    expect(r.value.html).toContain("A little something inside");
    expect(r.value.text).toContain("Hi Ada,");
    expect(r.value.text).toContain("Teapot & Cups (https://shop.example/p/teapot)");
    expect(r.value.text).toContain("The Tea <Co> team");
    expect(r.value.text).not.toMatch(/<\/?(div|a|table|td|br|p)\b/);
    expect(r.value.text).not.toContain("A little something"); // preheader stays out of the text body

    const other = renderEmail(compiled.value, { ...vars, customer: {} });
    expect(other.ok && other.value.subject).toBe("We miss you, friend");
  });

  it("rejects invalid MJML (strict validation)", async () => {
    const r = await compileEmail({ ...content, mjml: "<mjml><mj-body><mj-section><mj-column><mj-bogus/></mj-column></mj-section></mj-body></mjml>" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]).toMatchObject({ part: "mjml", name: "mj-bogus" });
  });

  it("rejects unknown variables with the line in the author's MJML", async () => {
    const r = await compileEmail({ ...content, mjml: content.mjml.replace("{{ offer.code }}", "{{ offer.coupon }}") }, blocks);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]).toMatchObject({ part: "mjml", line: 7, name: "offer.coupon" });
  });

  it("rejects Liquid that MJML cannot carry (a loop around sections) instead of sending broken HTML", async () => {
    const mjml = `<mjml><mj-body>{% for p in recommended_products %}<mj-section><mj-column><mj-text>{{ p.title }}</mj-text></mj-column></mj-section>{% endfor %}</mj-body></mjml>`;
    const r = await compileEmail({ ...content, mjml });
    expect(r.ok).toBe(false);
  });

  it("rejects unknown variables in the subject", async () => {
    const r = await compileEmail({ ...content, subject: "Hi {{ customer.nickname }}" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]).toMatchObject({ part: "subject", name: "customer.nickname" });
  });
});

describe("finaliseEmail", () => {
  const base = { from: { address: "hi@tea.example" }, to: "ada@example.com", subject: "s", html: "<html><body><p>x</p></body></html>", text: "x" };

  it("promotional mail gets one-click headers and a footer with the postal address", () => {
    const r = finaliseEmail({ ...base, purpose: "promotional", unsubscribeUrl: "https://app.example/u?t=abc", postalAddress: "1 Tea St\nLeeds LS1 1AA" });
    if (!r.ok) throw new Error(r.error);
    expect(r.value.headers).toEqual({ "List-Unsubscribe": "<https://app.example/u?t=abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
    expect(r.value.html).toMatch(/1 Tea St<br>Leeds LS1 1AA<br><a href="https:\/\/app.example\/u\?t=abc".*<\/body>/);
    expect(r.value.text).toContain("1 Tea St\nLeeds LS1 1AA\nUnsubscribe: https://app.example/u?t=abc");
  });

  it("refuses promotional mail without a postal address or unsubscribe URL", () => {
    expect(finaliseEmail({ ...base, purpose: "promotional", unsubscribeUrl: "https://app.example/u" }).ok).toBe(false);
    expect(finaliseEmail({ ...base, purpose: "promotional", postalAddress: "1 Tea St" }).ok).toBe(false);
    expect(finaliseEmail({ ...base, purpose: "informational", unsubscribeUrl: "http://app.example/u" }).ok).toBe(false);
  });

  it("transactional mail is left alone", () => {
    expect(finaliseEmail({ ...base, purpose: "transactional" })).toEqual({ ok: true, value: { html: base.html, text: base.text, headers: {} } });
  });
});
