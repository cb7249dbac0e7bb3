// Picks the media storage from the environment: an S3-compatible bucket when MEDIA_S3_*
// is set, else local disk under MEDIA_DIR (default .data/media).
import path from "node:path";
import { z } from "zod";
import { createLocalStorage } from "./local";
import { createS3Storage } from "./s3";
import type { MediaStorage } from "./storage";

export type { MediaStorage } from "./storage";

const s3Env = z.object({
  MEDIA_S3_ENDPOINT: z.string().url("MEDIA_S3_ENDPOINT must be a URL"),
  MEDIA_S3_BUCKET: z.string().min(1),
  MEDIA_S3_REGION: z.string().min(1).default("us-east-1"),
  MEDIA_S3_ACCESS_KEY_ID: z.string().min(1),
  MEDIA_S3_SECRET_ACCESS_KEY: z.string().min(1),
});

export function storageFromEnv(env: Record<string, string | undefined> = process.env): MediaStorage {
  if (env.MEDIA_S3_BUCKET || env.MEDIA_S3_ENDPOINT) {
    const s = s3Env.safeParse(env);
    if (!s.success) throw new Error(`media storage: ${s.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return createS3Storage({
      endpoint: s.data.MEDIA_S3_ENDPOINT,
      bucket: s.data.MEDIA_S3_BUCKET,
      region: s.data.MEDIA_S3_REGION,
      accessKeyId: s.data.MEDIA_S3_ACCESS_KEY_ID,
      secretAccessKey: s.data.MEDIA_S3_SECRET_ACCESS_KEY,
    });
  }
  return createLocalStorage(path.resolve(env.MEDIA_DIR ?? ".data/media"));
}
