// Where media bytes live. One interface, two homes: local disk (default) and an
// S3-compatible bucket. Keys are content hashes ("<sha256>.<ext>"), so a put of the same
// bytes is idempotent and a stored object never changes.
export interface MediaStorage {
  readonly kind: "local" | "s3";
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The stored bytes, or null when there is no such object. */
  get(key: string): Promise<Buffer | null>;
}

// Content-hash keys only: never a path a caller could use to walk the disk or the bucket.
export const MEDIA_KEY = /^[0-9a-f]{64}\.(png|jpg|gif|webp)$/;

export function assertMediaKey(key: string): void {
  if (!MEDIA_KEY.test(key)) throw new Error(`not a media key: ${key}`);
}
