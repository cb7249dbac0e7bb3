// Who is asking, for every admin page and API call. In Shopify it is the embedded admin's
// session (token exchange); under `npm run demo` it is the demo shop, without a login.
import type { Session } from "@shopify/shopify-api";
import { appConfig, isDemoMode } from "./config.server";
import { findShopByDomain, recordShopInstall } from "./models/shop.server";
import { shopify } from "./shopify.server";

export type AdminContext =
  | { mode: "shopify"; shopId: number; shopDomain: string; session: Session }
  | { mode: "demo"; shopId: number; shopDomain: string };

export async function requireAdmin(request: Request): Promise<AdminContext> {
  if (isDemoMode()) {
    const domain = appConfig().WINBACK_DEMO_SHOP!;
    const shop = await findShopByDomain(domain);
    if (!shop) throw new Response(`demo shop ${domain} is not seeded; run npm run demo`, { status: 503 });
    return { mode: "demo", shopId: shop.id, shopDomain: domain };
  }
  const { session } = await shopify().authenticate.admin(request);
  const shop = (await findShopByDomain(session.shop)) ?? (await recordShopInstall(session.shop));
  return { mode: "shopify", shopId: shop.id, shopDomain: session.shop, session };
}
