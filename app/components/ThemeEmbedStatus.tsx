// The home page's setup line for the storefront web push opt-in: active or not, with the
// theme editor link to switch it on. Inside the admin it asks App Bridge; outside (the demo)
// there is no theme to ask about.
import { Badge, InlineStack, Link, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { activatePushEmbedUrl, pushEmbedStatus, type EmbedStatus, type ExtensionInfoLike } from "../lib/theme-embed";

type AppBridgeWindow = Window & { shopify?: { app?: { extensions?: () => Promise<ExtensionInfoLike[]> } } };

export function ThemeEmbedStatus({ embedded, shopDomain, apiKey }: { embedded: boolean; shopDomain: string; apiKey: string }) {
  const [status, setStatus] = useState<EmbedStatus | "unknown">("unknown");
  useEffect(() => {
    const extensions = (window as AppBridgeWindow).shopify?.app?.extensions;
    if (!embedded || !extensions) return;
    extensions().then((list) => setStatus(pushEmbedStatus(list)), () => setStatus("unknown"));
  }, [embedded]);
  return (
    <InlineStack gap="200" blockAlign="center">
      <Text as="span" variant="bodyMd" fontWeight="semibold">Web push opt-in on the storefront</Text>
      {status === "active" && <Badge tone="success">Active</Badge>}
      {(status === "available" || status === "missing") && <Badge tone="attention">Not active</Badge>}
      {status !== "active" && embedded && <Link url={activatePushEmbedUrl(shopDomain, apiKey)} target="_blank">Turn it on in the theme editor</Link>}
      {!embedded && <Text as="span" tone="subdued">Shown inside the Shopify admin, where the theme can be asked.</Text>}
    </InlineStack>
  );
}
