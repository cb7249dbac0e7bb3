// The small pages a customer (not the merchant) sees from links in our messages: survey
// answers, unsubscribe and preferences. Plain, accessible HTML without Polaris or App Bridge
// (the customer is not in the Shopify admin), never cached, never framed, no scripts.

export const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

const STYLE = `body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#202223;background:#f6f6f7;margin:0;padding:24px}
main{max-width:520px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:20px;margin:0 0 12px}fieldset{border:1px solid #e1e3e5;border-radius:8px;margin:0 0 16px;padding:12px 16px}
legend{font-weight:600;padding:0 4px}label{display:block;margin:6px 0}
button{font:inherit;border:0;border-radius:8px;padding:10px 16px;cursor:pointer;background:#008060;color:#fff}
.secondary{background:#e4e5e7;color:#202223;margin-left:8px}.note{color:#6d7175;font-size:14px}`;

/** A customer-facing page: `body` is trusted HTML built with escapeHtml around every value. */
export function customerPage(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
  return new Response(html, { status, headers: HEADERS });
}
