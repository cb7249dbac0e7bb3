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

// The app's areas, in the order a merchant works through them.
const NAV = [
  { to: "/app/customers", label: "Customers" },
  { to: "/app/segments", label: "Segments" },
  { to: "/app/journeys", label: "Journeys" },
  { to: "/app/content", label: "Messages" },
  { to: "/app/offers", label: "Offers" },
  { to: "/app/results", label: "Results" },
  { to: "/app/imports", label: "Imports" },
  { to: "/app/outbox", label: "Outbox" },
  { to: "/app/settings/channels", label: "Channels" },
  { to: "/app/settings/governance", label: "Sending rules" },
  { to: "/app/settings/webhooks", label: "Webhooks" },
  { to: "/app/settings/scoring", label: "Scoring" },
] as const;

export default function AppLayout() {
  const { apiKey, embedded } = useLoaderData<typeof loader>();
  return (
    // root.tsx already loads App Bridge in the <head>, so the provider must not add it again.
    <AppProvider isEmbeddedApp={false} apiKey={apiKey}>
      {embedded ? (
        // Inside the Shopify admin the App Bridge nav menu is the app's navigation.
        <NavMenu>
          <Link to="/app" rel="home">
            Home
          </Link>
          {NAV.map((n) => (
            <Link key={n.to} to={n.to}>
              {n.label}
            </Link>
          ))}
        </NavMenu>
      ) : (
        // Outside the admin (the demo) there is no admin chrome: the same links as a plain bar.
        <nav aria-label="Winback" data-app-nav style={{ display: "flex", flexWrap: "wrap", gap: "12px", padding: "12px 20px", borderBottom: "1px solid #e3e3e3", background: "#fff" }}>
          <Link to="/app"><strong>Winback</strong></Link>
          {NAV.map((n) => (
            <Link key={n.to} to={n.to}>
              {n.label}
            </Link>
          ))}
        </nav>
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
