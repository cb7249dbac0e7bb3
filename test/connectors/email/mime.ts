// Just enough MIME and DKIM to check what the SMTP provider actually put on the wire. Test
// helpers only: single-level multipart, relaxed/relaxed rsa-sha256 DKIM.
import { createHash, verify as cryptoVerify, type KeyObject } from "node:crypto";

export type Header = { name: string; raw: string; value: string };
export type Part = { contentType: string; body: string };
export type ParsedMail = { headers: Header[]; header(name: string): string | undefined; parts: Part[]; rawBody: string };

function splitHead(raw: string): { head: string; body: string } {
  const i = raw.indexOf("\r\n\r\n");
  return { head: raw.slice(0, i), body: raw.slice(i + 4) };
}

function parseHeaders(head: string): Header[] {
  const lines = head.split("\r\n");
  const out: Header[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1].raw += `\r\n${line}`;
    else out.push({ name: line.slice(0, line.indexOf(":")), raw: line, value: "" });
  }
  for (const h of out) h.value = h.raw.slice(h.raw.indexOf(":") + 1).replace(/\r\n[ \t]+/g, " ").trim();
  return out;
}

function decode(body: string, encoding: string | undefined): string {
  switch ((encoding ?? "7bit").toLowerCase()) {
    case "quoted-printable": {
      const bytes = body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, h: string) => `%${h}`);
      return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, "%25"));
    }
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    default:
      return body;
  }
}

export function parseMail(raw: string): ParsedMail {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  const contentType = header("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  const parts: Part[] = [];
  if (boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith("--")) break;
      const p = splitHead(chunk.replace(/^\r\n/, ""));
      const ph = parseHeaders(p.head);
      const get = (n: string) => ph.find((h) => h.name.toLowerCase() === n)?.value;
      parts.push({ contentType: get("content-type") ?? "text/plain", body: decode(p.body.replace(/\r\n$/, ""), get("content-transfer-encoding")) });
    }
  } else {
    parts.push({ contentType, body: decode(body, header("content-transfer-encoding")) });
  }
  return { headers, header, parts, rawBody: body };
}

const relaxedHeader = (h: Header) =>
  `${h.name.toLowerCase().trim()}:${h.raw.slice(h.raw.indexOf(":") + 1).replace(/\r\n/g, "").replace(/[ \t]+/g, " ").trim()}`;

function relaxedBody(body: string): string {
  const lines = body.split("\r\n").map((l) => l.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.length ? `${lines.join("\r\n")}\r\n` : "";
}

/** Verifies the first DKIM-Signature (relaxed/relaxed, rsa-sha256) against a public key. */
export function verifyDkim(raw: string, publicKey: KeyObject): { ok: boolean; reason?: string; signedHeaders: string[] } {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const sigHeader = headers.find((h) => h.name.toLowerCase() === "dkim-signature");
  if (!sigHeader) return { ok: false, reason: "no signature", signedHeaders: [] };
  const tags = Object.fromEntries(
    sigHeader.value.split(";").map((t) => t.trim()).filter(Boolean).map((t) => [t.slice(0, t.indexOf("=")).trim(), t.slice(t.indexOf("=") + 1).replace(/\s+/g, "")]),
  );
  const signedHeaders = tags.h.split(":").map((n: string) => n.trim().toLowerCase());
  if (tags.a !== "rsa-sha256" || tags.c !== "relaxed/relaxed") return { ok: false, reason: `unsupported ${tags.a} ${tags.c}`, signedHeaders };
  const bh = createHash("sha256").update(relaxedBody(body)).digest("base64");
  if (bh !== tags.bh) return { ok: false, reason: "body hash mismatch", signedHeaders };
  // Repeated names are taken bottom-up; names with no instance left sign as empty.
  const pool = headers.filter((h) => h !== sigHeader);
  const lines: string[] = [];
  for (const name of signedHeaders) {
    const idx = pool.map((h) => h.name.toLowerCase()).lastIndexOf(name);
    if (idx === -1) continue;
    lines.push(`${relaxedHeader(pool[idx])}\r\n`);
    pool.splice(idx, 1);
  }
  const unsigned = { ...sigHeader, raw: sigHeader.raw.replace(/(^|;)(\s*b\s*=)[^;]*/, "$1$2") };
  const data = lines.join("") + relaxedHeader(unsigned);
  const ok = cryptoVerify("sha256", Buffer.from(data), publicKey, Buffer.from(tags.b, "base64"));
  return ok ? { ok, signedHeaders } : { ok, reason: "signature mismatch", signedHeaders };
}
