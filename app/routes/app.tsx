import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { requireAdmin } from "../auth.server";
import { appConfig } from "../config.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return { apiKey: appConfig().SHOPIFY_API_KEY, embedded: admin.mode === "shopify", shopDomain: admin.shopDomain };
}

export default function AppLayout() {
  const { apiKey, embedded } = useLoaderData<typeof loader>();
  return (
    // root.tsx already loads App Bridge in the <head>, so the provider must not add it again.
    <AppProvider isEmbeddedApp={false} apiKey={apiKey}>
      {embedded && (
        <NavMenu>
          <Link to="/app" rel="home">
            Home
          </Link>
        </NavMenu>
      )}
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so its headers reach the browser.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
