// Settings > Channels: the shop's email (SMTP), SMS (Twilio) and web push (VAPID) providers,
// and Klaviyo as the alternative route (nightly sync of profiles, consent and segment lists).
// Secret fields are write-only: the page is told only that a secret is saved, never its value,
// and a blank secret field on save keeps the saved one. "Send test" sends a transactional
// message through the saved provider (in the demo it lands in the Outbox).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link as RemixLink, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Badge, Button, Card, Checkbox, FormLayout, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { requireAdmin } from "../auth.server";
import { appConfig } from "../config.server";
import { inboundWebhookUrl, providerSettings, saveProviderCredential, sendTestMessage, type ProviderName } from "../models/channels.server";
import { testKlaviyoConnection } from "../models/klaviyo.server";
import { pool } from "../db.server";
import { enqueueKlaviyoSync } from "../../jobs/klaviyo/worker";
import { queues } from "../../jobs/queues";

// The same list as channels.server PROVIDERS (a server module cannot be imported by the page).
const PROVIDERS: readonly ProviderName[] = ["smtp", "twilio", "webpush", "klaviyo"];

export const meta: MetaFunction = () => [{ title: "Channels · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const providers = await providerSettings(admin.shopId);
  return {
    providers,
    inboundUrl: inboundWebhookUrl(admin.shopDomain),
    allowSimulator: appConfig().NODE_ENV !== "production",
  };
}

type ActionResult = { ok: true; message: string; provider?: string } | { ok: false; errors: string[]; provider?: string };

export async function action({ request }: ActionFunctionArgs): Promise<ActionResult> {
  const admin = await requireAdmin(request);
  const form = Object.fromEntries([...(await request.formData()).entries()].map(([k, v]) => [k, String(v)]));
  const provider = form.provider as ProviderName;
  if (form.intent === "save") {
    if (!PROVIDERS.includes(provider)) return { ok: false, errors: ["unknown provider"] };
    const r = await saveProviderCredential(admin.shopId, provider, form);
    return r.ok ? { ok: true, message: "Settings saved.", provider } : { ok: false, errors: r.error, provider };
  }
  if (form.intent === "klaviyo-test") {
    const r = await testKlaviyoConnection(pool(), admin.shopId);
    return r.ok ? { ok: true, message: "Klaviyo answered: the key works.", provider: "klaviyo" } : { ok: false, errors: [r.error], provider: "klaviyo" };
  }
  if (form.intent === "klaviyo-sync") {
    await enqueueKlaviyoSync(queues(), admin.shopId, `now-${Date.now()}`);
    return { ok: true, message: "Sync queued: profiles, consent and segment lists go to Klaviyo in the background.", provider: "klaviyo" };
  }
  if (form.intent === "test") {
    const channel = form.channel === "sms" ? "sms" : "email";
    const r = await sendTestMessage(admin.shopId, admin.shopDomain, channel, (form.to ?? "").trim());
    const which = channel === "sms" ? "twilio" : "smtp";
    return r.ok ? { ok: true, message: `Test ${channel === "sms" ? "message" : "email"} sent.`, provider: which } : { ok: false, errors: [r.error.message], provider: which };
  }
  return { ok: false, errors: ["unknown action"] };
}

type Field = { name: string; label: string; kind?: "text" | "secret" | "checkbox" | "number" | "multiline"; help?: string; default?: string; demoOnly?: boolean };

const FIELDS: Record<ProviderName, { title: string; test?: { channel: "email" | "sms"; label: string; placeholder: string }; fields: Field[] }> = {
  smtp: {
    title: "Email (SMTP)",
    test: { channel: "email", label: "Send a test email to", placeholder: "you@example.com" },
    fields: [
      { name: "host", label: "SMTP host" },
      { name: "port", label: "Port", kind: "number", default: "587" },
      { name: "secure", label: "Implicit TLS (port 465)", kind: "checkbox" },
      { name: "user", label: "User name" },
      { name: "pass", label: "Password", kind: "secret" },
      { name: "fromAddress", label: "From address" },
      { name: "fromName", label: "From name" },
      { name: "dkimDomain", label: "DKIM domain", help: "Sign with DKIM (needed for one-click unsubscribe to count)." },
      { name: "dkimSelector", label: "DKIM selector" },
      { name: "dkimPrivateKey", label: "DKIM private key (PEM)", kind: "secret" },
      { name: "allowSelfSigned", label: "Accept a self-signed certificate", kind: "checkbox" },
    ],
  },
  twilio: {
    title: "SMS (Twilio)",
    test: { channel: "sms", label: "Send a test text to", placeholder: "+15551234567" },
    fields: [
      { name: "accountSid", label: "Account SID" },
      { name: "authToken", label: "Auth token", kind: "secret" },
      { name: "from", label: "Sender", help: "An E.164 number or a Messaging Service SID (MG...)." },
      { name: "autoReplies", label: "Twilio answers STOP, START and HELP itself (long codes, toll-free)", kind: "checkbox", default: "true" },
      { name: "baseUrl", label: "API base URL (local simulator)", demoOnly: true },
    ],
  },
  klaviyo: {
    title: "Klaviyo",
    fields: [
      { name: "privateKey", label: "Private API key", kind: "secret", help: "A private key (pk_...) with read/write access to profiles, lists, subscriptions and events." },
      { name: "basePath", label: "API base URL (local simulator)", demoOnly: true },
    ],
  },
  webpush: {
    title: "Web push (VAPID)",
    fields: [
      { name: "subject", label: "Contact (mailto: or https:)" },
      { name: "publicKey", label: "VAPID public key" },
      { name: "privateKey", label: "VAPID private key", kind: "secret" },
    ],
  },
};

function ProviderCard({ provider, saved, allowSimulator, result, inboundUrl }: {
  provider: ProviderName;
  saved: { config: Record<string, unknown>; secrets: Record<string, "saved" | "not set"> } | undefined;
  allowSimulator: boolean;
  result: ActionResult | undefined;
  inboundUrl: string;
}) {
  const spec = FIELDS[provider];
  const initial = Object.fromEntries(
    spec.fields.map((f) => [f.name, f.kind === "secret" ? "" : saved?.config[f.name] !== undefined ? String(saved.config[f.name]) : (f.default ?? (f.kind === "checkbox" ? "false" : ""))]),
  );
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [to, setTo] = useState("");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("provider") === provider;
  const mine = result && result.provider === provider ? result : undefined;
  const set = (name: string) => (v: string | boolean) => setValues((prev) => ({ ...prev, [name]: String(v) }));

  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">{spec.title}</Text>
          {saved ? <Badge tone="success">Connected</Badge> : <Badge>Not set up</Badge>}
        </InlineStack>
        {mine && (mine.ok ? <Banner tone="success">{mine.message}</Banner> : <Banner tone="critical"><ul>{mine.errors.map((e) => <li key={e}>{e}</li>)}</ul></Banner>)}
        <Form method="post" data-provider-form={provider}>
          <input type="hidden" name="provider" value={provider} />
          <FormLayout>
            {spec.fields
              .filter((f) => !f.demoOnly || allowSimulator)
              .map((f) => {
                if (f.kind === "checkbox") {
                  return (
                    <div key={f.name}>
                      <input type="hidden" name={f.name} value={values[f.name] === "true" ? "true" : "false"} />
                      <Checkbox label={f.label} checked={values[f.name] === "true"} onChange={set(f.name)} helpText={f.help} />
                    </div>
                  );
                }
                if (f.kind === "secret") {
                  const isSaved = saved?.secrets[f.name] === "saved";
                  return (
                    <div key={f.name} data-secret-field={f.name} data-secret-state={isSaved ? "saved" : "not set"}>
                      <TextField
                        label={f.label}
                        name={f.name}
                        type="password"
                        autoComplete="new-password"
                        value={values[f.name]}
                        onChange={set(f.name)}
                        placeholder={isSaved ? "saved" : ""}
                        helpText={isSaved ? "Saved. Leave blank to keep it; type a new one to replace it." : f.help}
                        multiline={false}
                      />
                    </div>
                  );
                }
                return (
                  <TextField
                    key={f.name}
                    label={f.label}
                    name={f.name}
                    type={f.kind === "number" ? "number" : "text"}
                    autoComplete="off"
                    value={values[f.name]}
                    onChange={set(f.name)}
                    helpText={f.help}
                  />
                );
              })}
            <Button submit variant="primary" loading={busy && navigation.formData?.get("intent") === "save"}>
              Save
            </Button>
            <input type="hidden" name="intent" value="save" />
          </FormLayout>
        </Form>
        {provider === "twilio" && saved && (
          <Text as="p" variant="bodySm" tone="subdued">
            In Twilio, set the number's "A message comes in" webhook to <code>{inboundUrl}</code> (HTTP POST).
          </Text>
        )}
        {provider === "klaviyo" && saved && (
          <InlineStack gap="200">
            <Form method="post" data-klaviyo-form="test">
              <input type="hidden" name="provider" value="klaviyo" />
              <input type="hidden" name="intent" value="klaviyo-test" />
              <Button submit loading={busy && navigation.formData?.get("intent") === "klaviyo-test"}>Test connection</Button>
            </Form>
            <Form method="post" data-klaviyo-form="sync">
              <input type="hidden" name="provider" value="klaviyo" />
              <input type="hidden" name="intent" value="klaviyo-sync" />
              <Button submit loading={busy && navigation.formData?.get("intent") === "klaviyo-sync"}>Sync now</Button>
            </Form>
          </InlineStack>
        )}
        {spec.test && saved && (
          <Form method="post" data-test-form={spec.test.channel}>
            <input type="hidden" name="provider" value={provider} />
            <input type="hidden" name="intent" value="test" />
            <input type="hidden" name="channel" value={spec.test.channel} />
            <InlineStack gap="200" blockAlign="end">
              <div style={{ flexGrow: 1 }}>
                <TextField label={spec.test.label} name="to" value={to} onChange={setTo} autoComplete="off" placeholder={spec.test.placeholder} />
              </div>
              <Button submit loading={busy && navigation.formData?.get("intent") === "test"}>Send test</Button>
            </InlineStack>
          </Form>
        )}
      </BlockStack>
    </Card>
  );
}

export default function ChannelSettings() {
  const { providers, allowSimulator, inboundUrl } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page title="Channels" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              Winback sends win-back messages through your own providers. Passwords, tokens and keys are stored encrypted and are never shown again.{" "}
              <RemixLink to="/app/outbox">See what was sent in the Outbox.</RemixLink>
            </Text>
            {PROVIDERS.map((p) => (
              <ProviderCard
                key={p + (providers.find((x) => x.provider === p)?.updatedAt ?? "")}
                provider={p}
                saved={providers.find((x) => x.provider === p)}
                allowSimulator={allowSimulator}
                result={result}
                inboundUrl={inboundUrl}
              />
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
