// Every environment variable Winback reads, validated in one place. The README's
// configuration table mirrors this schema.
import { hkdfSync } from "node:crypto";
import { z } from "zod";
import { parseEncryptionKey } from "../core/secrets/seal";

const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().positive().default(3000),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  SHOPIFY_API_KEY: z.string().min(1).default("winback-local"),
  SHOPIFY_API_SECRET: z.string().min(1).optional(),
  SHOPIFY_APP_URL: z.string().url().default("http://localhost:3000"),
  SCOPES: z.string().default("read_customers,write_customers,read_orders,read_all_orders,read_products,write_discounts,write_app_proxy"),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  WINBACK_ENCRYPTION_KEY: z.string().optional(),
  /** Signs open/click/unsubscribe links; derived from WINBACK_ENCRYPTION_KEY (HKDF) when unset. */
  WINBACK_TRACKING_KEY: z.string().min(32, "WINBACK_TRACKING_KEY must be at least 32 characters").optional(),
  /** Set by `npm run demo`: the admin serves this shop without a Shopify login. */
  WINBACK_DEMO_SHOP: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type AppConfig = z.infer<typeof configSchema> & { encryptionKey: Buffer; trackingKey: Buffer };

/**
 * The key that signs tracking links and unsubscribe tokens: WINBACK_TRACKING_KEY when set,
 * else HKDF-SHA256 of the encryption key with its own label, so rotating one never
 * silently reuses the other's bytes and links stay valid across restarts.
 */
export function deriveTrackingKey(encryptionKey: Buffer, explicit?: string): Buffer {
  if (explicit) return Buffer.from(explicit, "utf8");
  return Buffer.from(hkdfSync("sha256", encryptionKey, "winback", "winback tracking links v1", 32));
}

let cached: AppConfig | undefined;

export function appConfig(): AppConfig {
  if (cached) return cached;
  const parsed = configSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === "production") {
    if (env.WINBACK_DEMO_SHOP) throw new Error("WINBACK_DEMO_SHOP is refused when NODE_ENV=production: demo data stays out of production");
    if (!env.SHOPIFY_API_SECRET) throw new Error("SHOPIFY_API_SECRET is required in production");
    if (!env.WINBACK_ENCRYPTION_KEY) throw new Error("WINBACK_ENCRYPTION_KEY is required in production");
  }
  if (!env.WINBACK_ENCRYPTION_KEY) throw new Error("WINBACK_ENCRYPTION_KEY is not set (npm run demo and the tests generate one; see README)");
  const key = parseEncryptionKey(env.WINBACK_ENCRYPTION_KEY);
  if (!key.ok) throw new Error(key.error);
  if (!env.SHOPIFY_API_SECRET) throw new Error("SHOPIFY_API_SECRET is not set (npm run demo and the tests generate one; see README)");
  cached = { ...env, encryptionKey: key.value, trackingKey: deriveTrackingKey(key.value, env.WINBACK_TRACKING_KEY) };
  return cached;
}

export function isDemoMode(): boolean {
  return Boolean(appConfig().WINBACK_DEMO_SHOP);
}

/**
 * Journey webhooks may call localhost only in development and tests. Read without the rest
 * of the configuration (publishing and the engine need it where no keys are set).
 */
export function allowsLocalhostWebhooks(): boolean {
  return configSchema.shape.NODE_ENV.parse(process.env.NODE_ENV) !== "production";
}
