import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData } from "@remix-run/react";
import { appConfig, isDemoMode } from "./config.server";

export const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

// App Bridge goes in the <head> of every document (an App Store requirement); only the
// offline demo, which runs outside Shopify's admin, leaves it out.
export async function loader() {
  return { apiKey: appConfig().SHOPIFY_API_KEY, appBridge: !isDemoMode() };
}

export default function App() {
  const { apiKey, appBridge } = useLoaderData<typeof loader>();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        {appBridge && <meta name="shopify-api-key" content={apiKey} />}
        {appBridge && <script src={APP_BRIDGE_URL} />}
        <meta name="shopify-debug" content="web-vitals" />
        <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
