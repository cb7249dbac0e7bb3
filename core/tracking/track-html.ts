// Puts click tracking on a rendered email's links and an open pixel at the end of the body.
// Runs per recipient after personalisation. The unsubscribe link stays untouched: it must
// work without our redirect and must never be counted as a click.
import { clickUrl, openPixelUrl } from "./signed-links";

export type TrackingOptions = {
  clickEndpoint: string;
  openEndpoint: string;
  messageId: string;
  recipient: string;
  key: Buffer | string;
  /** Links left as they are (the unsubscribe URL, preference centre). */
  skip: ReadonlyArray<string>;
};

const decodeAttr = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const encodeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function trackHtml(html: string, opts: TrackingOptions): string {
  const skip = new Set(opts.skip);
  const linked = html.replace(/(<a\b[^>]*?\bhref=")(https?:\/\/[^"]+)(")/gi, (whole, pre: string, href: string, post: string) => {
    const target = decodeAttr(href);
    if (skip.has(target)) return whole;
    const tracked = clickUrl(opts.clickEndpoint, { messageId: opts.messageId, recipient: opts.recipient, target }, opts.key);
    return tracked.ok ? pre + encodeAttr(tracked.value) + post : whole;
  });
  const pixel = `<img src="${encodeAttr(openPixelUrl(opts.openEndpoint, opts, opts.key))}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
  const end = linked.lastIndexOf("</body>");
  return end === -1 ? linked + pixel : linked.slice(0, end) + pixel + linked.slice(end);
}
