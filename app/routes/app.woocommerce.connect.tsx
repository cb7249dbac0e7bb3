// Connect a WooCommerce store: either by WooCommerce's key exchange (the merchant approves
// Winback on their store, which POSTs the keys to /wc-auth/callback), or by pasting REST keys.
// Keys are checked with one authenticated call before anything is saved, sealed, and the
// store's webhooks are created through its API; then a first sync is queued.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { requireAdmin } from "../auth.server";
import { appConfig } from "../config.server";
import { pool } from "../db.server";
import { startWooImport } from "../models/imports.server";
import { connectWooStore, startWooKeyExchange, wooAuthorizeUrl, wooConnectionStatus } from "../models/store-connections.server";
import { queues } from "../../jobs/queues";

export const meta: MetaFunction = () => [{ title: "Connect WooCommerce · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const status = await wooConnectionStatus(pool(), admin.shopId);
  const returned = new URL(request.url).searchParams.get("success");
  return { status: status ?? null, returned };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const url = String(form.get("url") ?? "");
  const appUrl = appConfig().SHOPIFY_APP_URL.replace(/\/+$/, "");
  if (!url.trim()) return { error: "Enter your store's address" };
  if (intent === "authorize") {
    const started = await startWooKeyExchange(pool(), admin.shopId, url);
    if (!started.ok) return { error: started.error };
    return redirect(wooAuthorizeUrl(started.value.url, {
      appName: "Winback", token: started.value.token, returnUrl: `${appUrl}/wc-auth/return`, callbackUrl: `${appUrl}/wc-auth/callback`,
    }));
  }
  if (intent === "keys") {
    const consumerKey = String(form.get("consumerKey") ?? "").trim();
    const consumerSecret = String(form.get("consumerSecret") ?? "").trim();
    if (!consumerKey || !consumerSecret) return { error: "Paste both the consumer key and the consumer secret" };
    const r = await connectWooStore(pool(), appConfig().encryptionKey, admin.shopId, { url, consumerKey, consumerSecret },
      { webhookUrl: `${appUrl}/webhooks/woocommerce`, now: new Date() });
    if (!r.ok) return { error: r.error };
    await startWooImport(pool(), queues(), admin.shopId);
    return redirect("/app/imports");
  }
  return { error: "Unknown action" };
}

export default function ConnectWoo() {
  const { status, returned } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [url, setUrl] = useState(status?.url ?? "");
  const [key, setKey] = useState("");
  const [secret, setSecret] = useState("");
  const busy = navigation.state === "submitting";
  return (
    <Page title="Connect WooCommerce" backAction={{ content: "Imports", url: "/app/imports" }}>
      <Layout>
        {(result?.error || status?.status === "failed" || returned === "0") && (
          <Layout.Section>
            <Banner tone="critical">
              <span data-connect-error>{result?.error ?? (returned === "0" ? "The store did not approve the connection." : status?.error)}</span>
            </Banner>
          </Layout.Section>
        )}
        {status?.status === "connected" && (
          <Layout.Section>
            <Banner tone="success">
              <span data-connect-status>Connected to {status.url}</span>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <Form method="post">
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Approve on your store</Text>
                <Text as="p" tone="subdued">You will be asked to log in to WordPress and approve Winback; the keys come back by themselves.</Text>
                <TextField label="Store address" name="url" value={url} onChange={setUrl} autoComplete="url" placeholder="https://shop.example.com" />
                <input type="hidden" name="intent" value="authorize" />
                <InlineStack><Button submit variant="primary" loading={busy}>Connect</Button></InlineStack>
              </BlockStack>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <Form method="post">
              <FormLayout>
                <Text as="h2" variant="headingMd">Or paste REST API keys</Text>
                <input type="hidden" name="url" value={url} />
                <input type="hidden" name="intent" value="keys" />
                <TextField label="Consumer key" name="consumerKey" value={key} onChange={setKey} autoComplete="off" />
                <TextField label="Consumer secret" name="consumerSecret" value={secret} onChange={setSecret} autoComplete="off" type="password" />
                <Button submit loading={busy}>Check and save keys</Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
