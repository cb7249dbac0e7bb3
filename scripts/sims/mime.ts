// Just enough MIME to read back what nodemailer sends: headers (folded, RFC 2047 encoded
// words), nested multipart, quoted-printable and base64 bodies, UTF-8 and Latin-1 text.
// For the demo's local SMTP server; not a general mail parser.

export type MimeHeaders = Map<string, string>;
export type ParsedMail = { headers: MimeHeaders; subject: string | null; messageId: string | null; from: string | null; text: string | null; html: string | null };

function splitHead(raw: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { head: raw, body: "" };
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

function parseHeaders(head: string): MimeHeaders {
  const out = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(i + 1).trim());
  }
  return out;
}

function bytesToString(bytes: Buffer, charset: string): string {
  const cs = charset.toLowerCase();
  if (cs === "iso-8859-1" || cs === "latin1" || cs === "us-ascii" || cs === "windows-1252") return bytes.toString("latin1");
  return bytes.toString("utf8");
}

function qpBytes(s: string): Buffer {
  const clean = s.replace(/=\r?\n/g, "");
  const out: number[] = [];
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i];
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(clean.slice(i + 1, i + 3))) {
      out.push(parseInt(clean.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(out);
}

/** RFC 2047: =?charset?Q|B?text?= */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_w, charset: string, enc: string, text: string) => {
      const bytes = enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : qpBytes(text.replace(/_/g, " "));
      return bytesToString(bytes, charset);
    });
}

const param = (value: string, name: string) => new RegExp(`${name}="?([^";]+)"?`, "i").exec(value)?.[1] ?? null;

function decodeBody(body: string, headers: MimeHeaders): string {
  const type = headers.get("content-type") ?? "text/plain";
  const charset = param(type, "charset") ?? "utf-8";
  switch ((headers.get("content-transfer-encoding") ?? "7bit").toLowerCase()) {
    case "quoted-printable":
      return bytesToString(qpBytes(body), charset);
    case "base64":
      return bytesToString(Buffer.from(body.replace(/\s+/g, ""), "base64"), charset);
    default:
      return body;
  }
}

function walk(raw: string, found: { text: string | null; html: string | null }, depth = 0): MimeHeaders {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const type = (headers.get("content-type") ?? "text/plain").toLowerCase();
  if (type.startsWith("multipart/") && depth < 5) {
    const boundary = param(headers.get("content-type")!, "boundary");
    if (boundary) {
      const parts = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:--)?\\r?\\n?`));
      for (const part of parts.slice(1)) if (part.trim()) walk(part, found, depth + 1);
    }
  } else if (type.startsWith("text/html")) {
    found.html ??= decodeBody(body, headers);
  } else if (type.startsWith("text/plain")) {
    found.text ??= decodeBody(body, headers);
  }
  return headers;
}

export function parseMail(raw: string): ParsedMail {
  const found: { text: string | null; html: string | null } = { text: null, html: null };
  const headers = walk(raw, found);
  const subject = headers.get("subject");
  return {
    headers,
    subject: subject !== undefined ? decodeWords(subject) : null,
    messageId: headers.get("message-id") ?? null,
    from: headers.has("from") ? decodeWords(headers.get("from")!) : null,
    text: found.text,
    html: found.html,
  };
}
