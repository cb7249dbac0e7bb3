// The Admin GraphQL client for background work on one shop: the offline session from the
// app's session storage (shopify().unauthenticated.admin refreshes an expiring token and stores
// the new pair) and an API object built from the app's own configuration (key, secret, URL,
// version, scopes: the values app/shopify.server.ts configures; shopifyApp does not expose its
// internal `api`), so requests carry the app's real configuration, never a placeholder.
import { LogSeverity, shopifyApi, type Shopify } from "@shopify/shopify-api";
import { appConfig } from "../../app/config.server";
import { shopify } from "../../app/shopify.server";
import { ADMIN_API_VERSION } from "../../connectors/shopify/api-version";
import { createAdminGraphql, type AdminGraphql, type ClientOptions } from "../../connectors/shopify/client";

let api: Shopify | undefined;

/** The app's configuration as a @shopify/shopify-api object, for the connector's client. */
export function appShopifyApi(): Shopify {
  if (!api) {
    const config = appConfig();
    if (!config.SHOPIFY_API_SECRET) throw new Error("SHOPIFY_API_SECRET is not set");
    api = shopifyApi({
      apiKey: config.SHOPIFY_API_KEY,
      apiSecretKey: config.SHOPIFY_API_SECRET,
      apiVersion: ADMIN_API_VERSION,
      scopes: config.SCOPES.split(","),
      hostName: new URL(config.SHOPIFY_APP_URL).host,
      hostScheme: new URL(config.SHOPIFY_APP_URL).protocol === "http:" ? "http" : "https",
      isEmbeddedApp: true,
      logger: { level: LogSeverity.Error },
    }) as unknown as Shopify;
  }
  return api;
}

export async function shopAdminGraphql(shop: string, options: Omit<ClientOptions, "api"> = {}): Promise<AdminGraphql> {
  const { session } = await shopify().unauthenticated.admin(shop);
  if (!session.accessToken) throw new Error(`no offline access token for ${shop}`);
  return createAdminGraphql({ shop, accessToken: session.accessToken }, { ...options, api: appShopifyApi() });
}
