// Shopify app configuration (the template's place). Embedded admin app, Shopify-managed
// installation with token exchange, expiring offline tokens refreshed before expiry, and
// sessions in PostgreSQL with sealed tokens.
import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp, type ShopifyApp } from "@shopify/shopify-app-remix/server";
import { ADMIN_API_VERSION } from "../connectors/shopify/api-version";
import { appConfig } from "./config.server";
import { prisma } from "./db.server";
import { recordShopInstall } from "./models/shop.server";
import { createSessionStorage } from "./session-storage.server";

function build() {
  const config = appConfig();
  return shopifyApp({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET ?? "",
    apiVersion: ADMIN_API_VERSION,
    scopes: config.SCOPES.split(","),
    appUrl: config.SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    sessionStorage: createSessionStorage(prisma(), config.encryptionKey),
    distribution: AppDistribution.AppStore,
    future: {
      unstable_newEmbeddedAuthStrategy: true,
      expiringOfflineAccessTokens: true,
    },
    hooks: {
      afterAuth: async ({ session }) => {
        const shop = await recordShopInstall(session.shop);
        // The store's history comes in at once, in the background; a queue outage here must
        // not fail the install (the Imports page starts it too).
        try {
          const [{ queueFirstShopifyImport }, { queues }, { pool }] = await Promise.all([
            import("./models/imports.server"), import("../jobs/queues"), import("./db.server"),
          ]);
          await queueFirstShopifyImport(pool(), queues(), shop.id);
        } catch (e) {
          (await import("./logger.server")).logger.error({ shop: session.shop, error: (e as Error).message }, "could not queue the first Shopify import");
        }
      },
    },
    ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
  });
}

type App = ReturnType<typeof build>;
let instance: App | undefined;

// Built on first use so that importing a route module never needs configuration.
export function shopify(): App {
  instance ??= build();
  return instance;
}

export type { ShopifyApp };
