// The Shopify Admin API version, pinned in one place for the app, the connectors, the
// webhook subscriptions (shopify.app.toml) and the tests.
import { ApiVersion } from "@shopify/shopify-api";

export const ADMIN_API_VERSION = ApiVersion.October26;
