import { describe, expect, it } from "vitest";
import { renderFirst } from "../../../core/content/fallback";
import { compileTemplate, DEFAULT_LIMITS, expandBlocks, renderTemplate } from "../../../core/content/personalise";

const compile = (src: string, mode: "html" | "text" = "text") => {
  const r = compileTemplate(src, { mode });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

const customer = { first_name: "Ada", last_name: "Lovelace", email: "ada@example.com" };

describe("compileTemplate: unknown variables are rejected with line and name", () => {
  it("accepts every documented variable", () => {
    const src = [
      "{{ customer.first_name }} {{ customer.days_since_last_order }}",
      "{{ last_order.name }} {{ last_order.line_items[0].title }} {{ last_order.line_items.first.image_url }}",
      "{% for p in recommended_products %}{{ p.title }}{% endfor %} {{ recommended_products.size }}",
      "{{ shop.name }} {{ offer.code }} {{ offer.expires_at | date: '%b %d' }} {{ unsubscribe_url }}",
    ].join("\n");
    expect(compileTemplate(src, { mode: "text" }).ok).toBe(true);
  });

  it.each([
    ["Hi {{ customer.firstname }}", 1, "customer.firstname"],
    ["Hi\n\n  {{ custmer.first_name }}", 3, "custmer"],
    ["{% if offer %}\n{{ offer.percent }}{% endif %}", 2, "offer.percent"],
    ["{{ shop.name }}\n{{ last_order.line_items[0].sku }}", 2, "last_order.line_items.[].sku"],
    ["{% if secret_flag %}x{% endif %}", 1, "secret_flag"],
    ["{% for p in recommended_products %}\n{{ p.titel }}{% endfor %}", 2, "p.titel"],
    ["{% for li in last_order.line_items %}{{ li.quantity }}\n\n{{ li.cost }}{% endfor %}", 3, "li.cost"],
  ])("%j", (src, line, name) => {
    const r = compileTemplate(src, { mode: "text" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]).toMatchObject({ line, name });
  });

  it("rejects unknown filters", () => {
    expect(compileTemplate("{{ customer.first_name | shout }}", { mode: "text" }).ok).toBe(false);
  });

  it("reports syntax errors with a line", () => {
    const r = compileTemplate("ok\n{{ customer.first_name ", { mode: "text" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0].line).toBe(2);
  });

  it.each(['{% include "secrets" %}', "{% render 'x' %}", "{% layout 'base' %}"])("rejects file access: %s", (src) => {
    const r = compileTemplate(src, { mode: "text" });
    expect(r.ok).toBe(false);
  });

  it("rejects templates over the size limit", () => {
    const r = compileTemplate("a".repeat(101), { mode: "text", limits: { ...DEFAULT_LIMITS, maxSourceChars: 100 } });
    expect(r.ok).toBe(false);
  });
});

describe("renderTemplate", () => {
  it("renders many recipients from one compiled template", () => {
    const t = compile("Hi {{ customer.first_name }}, use {{ offer.code }}");
    expect(renderTemplate(t, { customer, offer: { code: "BACK10" } })).toEqual({ ok: true, value: "Hi Ada, use BACK10" });
    expect(renderTemplate(t, { customer: { first_name: "Bo" }, offer: { code: "X" } })).toEqual({ ok: true, value: "Hi Bo, use X" });
  });

  it("per-variable default covers missing, null and empty values", () => {
    const t = compile('Hi {{ customer.first_name | default: "there" }}');
    for (const c of [{}, { first_name: null }, { first_name: "" }]) {
      expect(renderTemplate(t, { customer: c })).toEqual({ ok: true, value: "Hi there" });
    }
  });

  it("a missing variable without default is a missing_data failure, not blank copy", () => {
    const t = compile("Hi {{ customer.first_name }}!");
    const r = renderTemplate(t, { customer: { first_name: null } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("missing_data");
  });

  it("html mode escapes values, text mode does not", () => {
    const vars = { customer: { first_name: "<b>Ada</b> & co" } };
    expect(renderTemplate(compile("{{ customer.first_name }}", "html"), vars)).toEqual({ ok: true, value: "&lt;b&gt;Ada&lt;/b&gt; &amp; co" });
    expect(renderTemplate(compile("{{ customer.first_name }}", "text"), vars)).toEqual({ ok: true, value: "<b>Ada</b> & co" });
  });

  it("cannot reach prototype properties", () => {
    expect(compileTemplate("{{ customer.first_name.constructor }}", { mode: "text" }).ok).toBe(false);
    const t = compile('[{{ customer.first_name | default: "none" }}]');
    const inherited = Object.create({ first_name: "from prototype" });
    expect(renderTemplate(t, { customer: inherited })).toEqual({ ok: true, value: "[none]" });
  });

  it("stops runaway output with the output and memory limits", () => {
    const limits = { ...DEFAULT_LIMITS, maxOutputChars: 1_000, memory: 100_000 };
    const loop = compileTemplate("{% for p in recommended_products %}{% for q in recommended_products %}{{ p.title }}{% endfor %}{% endfor %}", { mode: "text", limits });
    if (!loop.ok) throw new Error("compile");
    const products = Array.from({ length: 200 }, (_, i) => ({ title: `product ${i}` }));
    const r = renderTemplate(loop.value, { recommended_products: products });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("limit");
  });
});

describe("fallback chain: default filter, then default block, then generic copy", () => {
  const primary = compile("Hi {{ customer.first_name }}, your {{ last_order.line_items.first.title }} misses you");
  const fallback = compile('Hi {{ customer.first_name | default: "there" }}, we miss you at {{ shop.name }}');
  const generic = compile("We miss you! Come back soon.");
  const chain = [
    { variant: "primary" as const, template: primary },
    { variant: "fallback" as const, template: fallback },
    { variant: "generic" as const, template: generic },
  ];
  const render = (vars: Record<string, unknown>) => renderFirst(chain, (t) => renderTemplate(t, vars));

  it("uses the personalised copy when the data is there", () => {
    const r = render({ customer, last_order: { line_items: [{ title: "Teapot" }] }, shop: { name: "Tea Co" } });
    expect(r).toMatchObject({ ok: true, value: { variant: "primary", output: "Hi Ada, your Teapot misses you" } });
  });

  it("falls back to the default block when the order is unknown", () => {
    const r = render({ customer: { first_name: null }, shop: { name: "Tea Co" } });
    expect(r).toMatchObject({ ok: true, value: { variant: "fallback", output: "Hi there, we miss you at Tea Co" } });
  });

  it("falls back to generic copy when even the block lacks data", () => {
    const r = render({});
    expect(r).toMatchObject({ ok: true, value: { variant: "generic", output: "We miss you! Come back soon." } });
  });
});

describe("blocks", () => {
  it("expands [[block:name]] and reports unknown blocks with a line", () => {
    const blocks = [{ name: "sign-off", channel: "sms" as const, content: "— {{ shop.name }}" }];
    expect(expandBlocks("Hi [[block:sign-off]]", blocks)).toEqual({ ok: true, value: "Hi — {{ shop.name }}" });
    const bad = expandBlocks("Hi\n[[block:nope]]", blocks);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error[0]).toMatchObject({ line: 2, name: "nope" });
  });
});
