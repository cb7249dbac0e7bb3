// Send benchmark: compile one MJML+Liquid email, then render and deliver `size` personalised
// copies to a local smtp-server (in its own process) over pooled connections. Measures the whole path the
// journey engine uses (render -> compliance footer/headers -> SMTP), without DKIM.
import { performance } from "node:perf_hooks";
import { createSmtpChannel } from "../connectors/email/smtp";
import { compileEmail, renderEmail } from "../core/content/render-email";
import type { EmailContent } from "../core/content/schema";
import { unsubscribeToken, unsubscribeUrl } from "../core/tracking/unsubscribe";
import { startSmtpReceiver } from "./lib/smtp-receiver-process";

const content: EmailContent = {
  channel: "email",
  purpose: "promotional",
  subject: "{{ customer.first_name | default: 'Hello' }}, we saved you something",
  preheader: "{{ offer.discount_text | default: 'A treat' }} until {{ offer.expires_at | date: '%b %d' }}",
  mjml: `<mjml><mj-body>
  <mj-section><mj-column><mj-text font-size="20px">Hi {{ customer.first_name | default: "there" }},</mj-text>
  <mj-text>It has been {{ customer.days_since_last_order }} days. Picked for you:</mj-text></mj-column></mj-section>
  <mj-section><mj-column><mj-text>{% for p in recommended_products %}<p><a href="{{ p.url }}">{{ p.title }}</a> {{ p.price }}</p>{% endfor %}</mj-text>
  <mj-button href="{{ offer.url }}">Use {{ offer.code }}</mj-button></mj-column></mj-section>
</mj-body></mjml>`,
};

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0;
}

export async function run(opts: { size: number }): Promise<{ emails: number; emails_per_s: number; render_p99_ms: number }> {
  const receiver = await startSmtpReceiver();
  const smtp = createSmtpChannel({ host: "127.0.0.1", port: receiver.port, secure: false, messageIdDomain: "bench.winback.example", pool: { maxConnections: 8 } });
  let accepted = 0;
  let received = 0;
  const key = Buffer.alloc(32, 7);

  try {
    const compiled = await compileEmail(content);
    if (!compiled.ok) throw new Error(`bench template does not compile: ${JSON.stringify(compiled.error)}`);
    const renderMs: number[] = [];
    const started = performance.now();
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < opts.size; i++) {
      const vars = {
        customer: { first_name: i % 5 === 0 ? null : `Customer${i}`, days_since_last_order: 90 + (i % 200) },
        recommended_products: Array.from({ length: 3 }, (_, j) => ({ title: `Product ${(i + j) % 50}`, url: `https://shop.example/p/${(i + j) % 50}`, price: "$12.00" })),
        offer: { code: `BACK${i}`, url: `https://shop.example/d/BACK${i}`, expires_at: "2026-12-31T00:00:00Z" },
      };
      const t0 = performance.now();
      const rendered = renderEmail(compiled.value, vars);
      renderMs.push(performance.now() - t0);
      if (!rendered.ok) throw new Error(rendered.error.message);
      const to = `c${i}@example.com`;
      const p = smtp
        .send(
          {
            purpose: "promotional",
            from: { name: "Bench Shop", address: "shop@bench.example" },
            to,
            subject: rendered.value.subject,
            html: rendered.value.html,
            text: rendered.value.text,
            unsubscribeUrl: unsubscribeUrl("https://app.winback.example/u", unsubscribeToken({ shopId: 1, recipient: to, channel: "email" }, key)),
            postalAddress: "1 Bench Street, Leeds LS1 1AA",
          },
          `bench:${i}`,
        )
        .then((r) => {
          if (!r.ok) throw new Error(r.error.message);
          accepted++;
        });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      // Keep memory flat: bounded concurrency.
      if (inFlight.size >= 16) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    // The server accepted each one (250 after DATA) before its send resolved.
    const seconds = (performance.now() - started) / 1000;
    smtp.close();
    received = await receiver.close();
    if (received !== accepted) throw new Error(`the server counted ${received} messages, the sender ${accepted}`);
    renderMs.sort((a, b) => a - b);
    return { emails: received, emails_per_s: Math.round((received / seconds) * 10) / 10, render_p99_ms: Math.round(percentile(renderMs, 99) * 1000) / 1000 };
  } finally {
    smtp.close();
    if (!received) await receiver.close().catch(() => 0);
  }
}
