import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { isDemoMode } from "../config.server";

// The app's front door: Shopify opens /app with the shop in the query; the demo opens the
// demo shop's admin; anyone else is sent to the login form.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("shop") || isDemoMode()) throw redirect(`/app?${url.searchParams.toString()}`);
  throw redirect("/auth/login");
}
