// What must be in a marketing email before it leaves: RFC 8058 one-click headers and a
// visible unsubscribe link for anything not transactional (Gmail/Yahoo bulk-sender rules),
// and the shop's postal address for promotional mail (CAN-SPAM).
import { assertNever, err, ok, type Result } from "../result";
import { listUnsubscribeHeaders } from "../tracking/unsubscribe";
import type { EmailMessage } from "./channel";

export type FinalEmail = { html: string; text: string; headers: Record<string, string> };

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function footer(msg: EmailMessage, url: string, withAddress: boolean): { html: string; text: string } {
  const address = withAddress && msg.postalAddress ? msg.postalAddress : "";
  const html =
    `<div style="font-family:Arial,sans-serif;font-size:12px;color:#666;text-align:center;padding:16px">` +
    (address ? `${escapeHtml(address).replace(/\n/g, "<br>")}<br>` : "") +
    `<a href="${escapeHtml(url)}" style="color:#666">Unsubscribe</a></div>`;
  const text = `\n\n--\n${address ? `${address}\n` : ""}Unsubscribe: ${url}`;
  return { html, text };
}

function appendToBody(html: string, fragment: string): string {
  const i = html.lastIndexOf("</body>");
  return i === -1 ? html + fragment : html.slice(0, i) + fragment + html.slice(i);
}

export function finaliseEmail(msg: EmailMessage): Result<FinalEmail> {
  switch (msg.purpose) {
    case "transactional":
      return ok({ html: msg.html, text: msg.text, headers: {} });
    case "promotional":
    case "informational": {
      if (!msg.unsubscribeUrl) return err(`${msg.purpose} email needs an unsubscribe URL`);
      const promotional = msg.purpose === "promotional";
      if (promotional && !msg.postalAddress?.trim()) return err("promotional email needs the shop's postal address (CAN-SPAM)");
      const headers = listUnsubscribeHeaders(msg.unsubscribeUrl, msg.unsubscribeMailto);
      if (!headers.ok) return headers;
      const f = footer(msg, msg.unsubscribeUrl, promotional);
      return ok({ html: appendToBody(msg.html, f.html), text: msg.text + f.text, headers: headers.value });
    }
    default:
      return assertNever(msg.purpose, "purpose");
  }
}
