// GET /wc-auth/return: where WooCommerce sends the merchant after the key exchange
// (success=1 or 0); back to the connect page, which shows the outcome.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

export async function loader({ request }: LoaderFunctionArgs) {
  const success = new URL(request.url).searchParams.get("success") === "1" ? "1" : "0";
  return redirect(`/app/woocommerce/connect?success=${success}`);
}
