// The media library: images and GIFs a shop uploads for its messages. The type comes from
// the file's first bytes (never the name or the browser's claim), bytes are stored once
// under their SHA-256, and served at /media/<sha256>.<ext> forever (the URL names the bytes).
import { createHash } from "node:crypto";
import { err, ok, type Result } from "../../core/result";
import { storageFromEnv, type MediaStorage } from "../../connectors/storage";
import { MEDIA_KEY } from "../../connectors/storage/storage";
import { appConfig } from "../config.server";
import { pool } from "../db.server";

export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

export type MediaType = { ext: "png" | "jpg" | "gif" | "webp"; contentType: string };

/** Sniffs PNG, JPEG, GIF and WebP from their signatures; anything else is refused. */
export function sniffImageType(bytes: Uint8Array): MediaType | null {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ext: "png", contentType: "image/png" };
  if (starts([0xff, 0xd8, 0xff])) return { ext: "jpg", contentType: "image/jpeg" };
  if (starts([0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return { ext: "gif", contentType: "image/gif" };
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return { ext: "webp", contentType: "image/webp" };
  return null;
}

const CONTENT_TYPES: Record<MediaType["ext"], string> = { png: "image/png", jpg: "image/jpeg", gif: "image/gif", webp: "image/webp" };

let storage: MediaStorage | undefined;
export function mediaStorage(): MediaStorage {
  storage ??= storageFromEnv();
  return storage;
}

export type MediaItem = { sha256: string; ext: string; contentType: string; size: number; originalName: string; createdAt: string; path: string; url: string };

const mediaPath = (sha256: string, ext: string) => `/media/${sha256}.${ext}`;

function item(row: { sha256: string; ext: string; content_type: string; size: number; original_name: string; created_at: Date }): MediaItem {
  const path = mediaPath(row.sha256, row.ext);
  return {
    sha256: row.sha256,
    ext: row.ext,
    contentType: row.content_type,
    size: row.size,
    originalName: row.original_name,
    createdAt: row.created_at.toISOString(),
    path,
    url: new URL(path, appConfig().SHOPIFY_APP_URL).toString(),
  };
}

export async function uploadMedia(shopId: number, bytes: Buffer, originalName: string): Promise<Result<MediaItem, string>> {
  if (bytes.length === 0) return err("The file is empty.");
  if (bytes.length > MAX_MEDIA_BYTES) return err(`The file is larger than ${MAX_MEDIA_BYTES / 1024 / 1024} MB.`);
  const type = sniffImageType(bytes);
  if (!type) return err("Only PNG, JPEG, GIF and WebP images can be uploaded.");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  // Bytes first, row second: a row never points at a file that is not there.
  await mediaStorage().put(`${sha256}.${type.ext}`, bytes, type.contentType);
  const name = originalName.replace(/[\u0000-\u001f]/g, "").slice(0, 200) || `image.${type.ext}`;
  const r = await pool().query<{ sha256: string; ext: string; content_type: string; size: number; original_name: string; created_at: Date }>(
    `insert into media_files (shop_id, sha256, ext, content_type, size, original_name) values ($1, $2, $3, $4, $5, $6)
     on conflict (shop_id, sha256) do update set original_name = media_files.original_name
     returning sha256, ext, content_type, size, original_name, created_at`,
    [shopId, sha256, type.ext, type.contentType, bytes.length, name],
  );
  return ok(item(r.rows[0]));
}

export async function listMedia(shopId: number): Promise<MediaItem[]> {
  const r = await pool().query<{ sha256: string; ext: string; content_type: string; size: number; original_name: string; created_at: Date }>(
    `select sha256, ext, content_type, size, original_name, created_at from media_files where shop_id = $1 order by created_at desc, sha256 limit 500`,
    [shopId],
  );
  return r.rows.map(item);
}

/** The bytes behind /media/<file>, or null when no shop uploaded them. */
export async function readMedia(file: string): Promise<{ bytes: Buffer; contentType: string } | null> {
  if (!MEDIA_KEY.test(file)) return null;
  const [sha256, ext] = file.split(".") as [string, MediaType["ext"]];
  // Media are public (they sit in sent emails); the row says the hash was really uploaded.
  const r = await pool().query(`select 1 from media_files where sha256 = $1 and ext = $2 limit 1`, [sha256, ext]);
  if (!r.rowCount) return null;
  const bytes = await mediaStorage().get(file);
  return bytes ? { bytes, contentType: CONTENT_TYPES[ext] } : null;
}
