import { describe, expect, it } from "vitest";
import { compilePush, compileSms, renderPush, renderSms, SMS_OPT_OUT_SUFFIX } from "../../../core/content/render-text";
import { validateContent } from "../../../core/content/validate";

describe("SMS content", () => {
  it("renders, counts segments, and adds STOP instructions to promotional texts that lack them", () => {
    const t = compileSms({ channel: "sms", purpose: "promotional", body: "{{ shop.name }}: hi {{ customer.first_name | default: 'there' }}, {{ offer.code }} saves 10%" });
    if (!t.ok) throw new Error(JSON.stringify(t.error));
    const r = renderSms(t.value, { shop: { name: "Tea Co" }, customer: {}, offer: { code: "BACK10" } });
    expect(r).toMatchObject({ ok: true, value: { body: `Tea Co: hi there, BACK10 saves 10%${SMS_OPT_OUT_SUFFIX}`, segments: { encoding: "GSM-7", segments: 1 } } });
  });

  it("leaves transactional texts and texts that already say STOP as written", () => {
    const a = compileSms({ channel: "sms", purpose: "transactional", body: "Order shipped" });
    const b = compileSms({ channel: "sms", purpose: "promotional", body: "Sale! Text STOP to end" });
    expect(a.ok && renderSms(a.value, {})).toMatchObject({ ok: true, value: { body: "Order shipped" } });
    expect(b.ok && renderSms(b.value, {})).toMatchObject({ ok: true, value: { body: "Sale! Text STOP to end" } });
  });

  it("an emoji from the data switches the count to UCS-2", () => {
    const t = compileSms({ channel: "sms", purpose: "informational", body: "Hi {{ customer.first_name }}" });
    expect(t.ok && renderSms(t.value, { customer: { first_name: "Zoë 🌸" } })).toMatchObject({ ok: true, value: { segments: { encoding: "UCS-2" } } });
  });
});

describe("push content", () => {
  it("renders title, body and link; refuses non-https links", () => {
    const t = compilePush({ channel: "push", purpose: "promotional", title: "{{ shop.name }}", body: "Back in stock: {{ recommended_products.first.title }}", link: "{{ recommended_products.first.url }}" });
    if (!t.ok) throw new Error(JSON.stringify(t.error));
    expect(renderPush(t.value, { shop: { name: "Tea Co" }, recommended_products: [{ title: "Oolong", url: "https://tea.example/oolong" }] })).toEqual({
      ok: true,
      value: { title: "Tea Co", body: "Back in stock: Oolong", link: "https://tea.example/oolong" },
    });
    expect(renderPush(t.value, { shop: { name: "Tea Co" }, recommended_products: [{ title: "x", url: "javascript:alert(1)" }] }).ok).toBe(false);
  });
});

describe("validateContent (on save)", () => {
  it("accepts good content of each channel", async () => {
    expect((await validateContent({ channel: "sms", purpose: "promotional", body: "Hi {{ customer.first_name }}" })).ok).toBe(true);
    expect((await validateContent({ channel: "push", purpose: "informational", title: "t", body: "b", link: "https://x.example" })).ok).toBe(true);
  });

  it("rejects bad shape and unknown variables with part, line and name", async () => {
    const shape = await validateContent({ channel: "sms", purpose: "spam", body: "x" });
    expect(shape.ok).toBe(false);
    const vars = await validateContent({ channel: "push", purpose: "informational", title: "ok", body: "line one\n{{ customer.age }}", link: "https://x.example" });
    expect(vars).toMatchObject({ ok: false, error: [{ part: "body", line: 2, name: "customer.age" }] });
  });
});
