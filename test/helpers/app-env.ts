// Points the app's modules (config, Prisma, pg pool, queues) at a test database. Each test
// file runs in its own process, so setting the environment before first use is enough.
import { randomBytes } from "node:crypto";
import type { TestDatabase } from "./db";

export const TEST_API_KEY = "winback-test-api-key";
export const TEST_API_SECRET = "winback-test-api-secret";

export function configureAppEnv(db: TestDatabase, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: db.url,
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: "https://winback.test",
    WINBACK_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    LOG_LEVEL: "silent",
    ...extra,
  });
  delete process.env.REDIS_URL;
}
