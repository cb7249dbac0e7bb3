// Whether the storefront's web push opt-in (the theme app embed in extensions/winback-push) is
// switched on, from what App Bridge's shopify.app.extensions() reports, and the theme editor
// link that switches it on. Shopify reads activations from the published theme only.

export const PUSH_EXTENSION_HANDLE = "winback-push";
export const PUSH_EMBED_HANDLE = "push-optin";

/** The parts of App Bridge's ExtensionInfo this needs (see the App API reference). */
export interface ExtensionInfoLike {
  handle: string;
  type: string;
  activations?: ReadonlyArray<{ handle?: string; status?: string; target?: string }>;
}

export type EmbedStatus = "active" | "available" | "missing";

export function pushEmbedStatus(extensions: readonly ExtensionInfoLike[]): EmbedStatus {
  const ext = extensions.find((e) => e.handle === PUSH_EXTENSION_HANDLE && e.type === "theme_app_extension");
  const embed = ext?.activations?.find((a) => a.handle === PUSH_EMBED_HANDLE);
  if (!embed) return ext ? "available" : "missing";
  return embed.status === "active" ? "active" : "available";
}

/** The theme editor, opened on App embeds with ours selected for activation. */
export function activatePushEmbedUrl(shopDomain: string, apiKey: string): string {
  const q = new URLSearchParams({ context: "apps", activateAppId: `${apiKey}/${PUSH_EMBED_HANDLE}` });
  return `https://${shopDomain}/admin/themes/current/editor?${q.toString()}`;
}
