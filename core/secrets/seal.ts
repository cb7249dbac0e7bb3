// Secrets at rest (access tokens, provider keys) are sealed with AES-256-GCM. The sealed
// form carries a version tag so the key or algorithm can be rotated later.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { err, ok, type Result } from "../result";

const PREFIX = "v1";

export function parseEncryptionKey(raw: string): Result<Buffer> {
  const trimmed = raw.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) return err("WINBACK_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64");
  return ok(key);
}

export function sealSecret(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [PREFIX, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(":");
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${PREFIX}:`) && value.split(":").length === 4;
}

export function openSecret(sealed: string, key: Buffer): Result<string> {
  const parts = sealed.split(":");
  if (parts.length !== 4 || parts[0] !== PREFIX) return err("not a sealed secret");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(parts[1], "base64url"));
    decipher.setAuthTag(Buffer.from(parts[2], "base64url"));
    const plain = Buffer.concat([decipher.update(Buffer.from(parts[3], "base64url")), decipher.final()]);
    return ok(plain.toString("utf8"));
  } catch {
    return err("sealed secret failed authentication (wrong key or tampered)");
  }
}
