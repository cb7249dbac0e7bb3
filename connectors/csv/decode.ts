// Byte stream → text stream, detecting the encoding from a sample of the first bytes:
// BOMs first (UTF-8, UTF-16 LE/BE), then chardet; Latin-1 guesses read as Windows-1252 (its superset).
import chardet from "chardet";
import iconv from "iconv-lite";

const SAMPLE = 64 * 1024;

export type TextEncodingName = "utf8" | "utf16le" | "utf16be" | "windows1252";

export function detectEncoding(sample: Uint8Array): TextEncodingName {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return "utf8";
  if (sample[0] === 0xff && sample[1] === 0xfe) return "utf16le";
  if (sample[0] === 0xfe && sample[1] === 0xff) return "utf16be";
  const guess = (chardet.detect(sample) ?? "UTF-8").toUpperCase();
  if (guess === "UTF-16LE") return "utf16le";
  if (guess === "UTF-16BE") return "utf16be";
  if (guess === "UTF-8" || guess === "ASCII") return "utf8";
  if (guess.startsWith("ISO-8859") || guess.startsWith("WINDOWS-125")) {
    // chardet is unsure on short samples: valid UTF-8 stays UTF-8.
    return isValidUtf8(sample) ? "utf8" : "windows1252";
  }
  return isValidUtf8(sample) ? "utf8" : "windows1252";
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    // A cut multi-byte sequence at the end of the sample is fine.
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, trimPartial(bytes)));
    return true;
  } catch {
    return false;
  }
}

function trimPartial(b: Uint8Array): number {
  let end = b.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const c = b[end - i];
    if ((c & 0xc0) === 0xc0) return end - i; // a lead byte whose sequence may be cut
    if ((c & 0x80) === 0) break;
  }
  return end;
}

/** Decode a byte stream to text chunks; the BOM is stripped. */
export async function* decodeStream(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  onEncoding?: (e: TextEncodingName) => void,
): AsyncGenerator<string> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < SAMPLE) {
    const n = await it.next();
    if (n.done) {
      done = true;
      break;
    }
    const chunk = typeof n.value === "string" ? Buffer.from(n.value, "utf8") : Buffer.from(n.value);
    head.push(chunk);
    size += chunk.length;
  }
  const first = Buffer.concat(head);
  const encoding = detectEncoding(first);
  onEncoding?.(encoding);
  const decoder = iconv.getDecoder(encoding);
  const out = decoder.write(first);
  if (out) yield out;
  while (!done) {
    const n = await it.next();
    if (n.done) break;
    const s = decoder.write(typeof n.value === "string" ? Buffer.from(n.value, "utf8") : Buffer.from(n.value));
    if (s) yield s;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}
