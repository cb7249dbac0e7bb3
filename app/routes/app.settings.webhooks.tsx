// Settings > Webhooks: the shop's signing secret for the journey "call a webhook" node. The
// page shows whether a secret exists (with a fingerprint, never the secret itself); revealing
// and rotating are POSTs, so the secret is never in a page load or a cached document, and both
// are audited (app/models/journey-effects.server.ts). The verification guide's headers and
// example come from the engine's own code, so the documented format cannot drift from the real one.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link as RemixLink, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineStack, Layout, List, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { requireAdmin } from "../auth.server";
import { actorOf } from "../components/journeys/actions.server";
import { revealWebhookSecret, rotateWebhookSecret, secretFingerprint, webhookSecretActivity, webhookSecretStatus, webhookVerificationGuide } from "../models/journey-effects.server";

export const meta: MetaFunction = () => [{ title: "Webhooks · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const [status, activity] = await Promise.all([webhookSecretStatus(admin.shopId), webhookSecretActivity(admin.shopId)]);
  return {
    activity,
    status: { ...status, createdAt: status.createdAt?.toISOString() ?? null, rotatedAt: status.rotatedAt?.toISOString() ?? null },
    ...webhookVerificationGuide(),
  };
}

type ActionResult = { ok: true; intent: "reveal" | "rotate"; secret: string; fingerprint: string } | { ok: false; error: string };

// The answer may carry the secret: no cache (browser or proxy) may keep it.
const NO_STORE = { headers: { "Cache-Control": "no-store" } };

export async function action({ request }: ActionFunctionArgs) {
  return data(await secretAction(request), NO_STORE);
}

async function secretAction(request: Request): Promise<ActionResult> {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  switch (intent) {
    case "reveal": {
      const secret = await revealWebhookSecret(admin.shopId, actorOf(admin));
      return { ok: true, intent, secret, fingerprint: secretFingerprint(secret) };
    }
    case "rotate": {
      if (form.get("confirm") !== "rotate") return { ok: false, error: "Confirm the rotation first: your endpoint must get the new secret." };
      const secret = await rotateWebhookSecret(admin.shopId, actorOf(admin));
      return { ok: true, intent, secret, fingerprint: secretFingerprint(secret) };
    }
    default:
      return { ok: false, error: "unknown action" };
  }
}

function formatDate(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC" : "never";
}

function SecretCard() {
  const { status, activity } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = (intent: string) => navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  const shown = result?.ok ? result : undefined;
  useEffect(() => { setCopied(null); setConfirming(false); }, [result]);
  const copy = async () => {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown.secret);
      setCopied("copied");
    } catch {
      setCopied("failed"); // no clipboard permission: the field is selectable
    }
  };
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">Signing secret</Text>
          <span data-secret-status={status.exists ? "set" : "none"}>
            {status.exists ? <Badge tone="success">Set</Badge> : <Badge>Not created yet</Badge>}
          </span>
        </InlineStack>
        <Text as="p">
          Every call a journey's webhook step makes is signed with this secret (HMAC-SHA256), so your endpoint can check that it came
          from Winback and was not changed on the way. It is stored encrypted.
        </Text>
        {status.exists ? (
          <Text as="p" tone="subdued">
            Fingerprint <code data-secret-fingerprint>{status.fingerprint ?? "unreadable"}</code> · created {formatDate(status.createdAt)} · last rotated{" "}
            {formatDate(status.rotatedAt)}
          </Text>
        ) : (
          <Text as="p" tone="subdued">It is made the first time you reveal it, or when a journey first calls a webhook.</Text>
        )}
        {result && !result.ok && <Banner tone="critical"><span data-secret-error>{result.error}</span></Banner>}
        {shown && (
          <BlockStack gap="200">
            {shown.intent === "rotate" && (
              <Banner tone="warning">
                <span data-secret-rotated>Rotated. Calls from now on are signed with this new secret: update your endpoint.</span>
              </Banner>
            )}
            <div data-secret-value>
              <TextField label="Secret" value={shown.secret} readOnly autoComplete="off" monospaced
                helpText={`Fingerprint ${shown.fingerprint}. Keep it out of source control and logs.`}
                connectedRight={<Button onClick={copy}>Copy</Button>} />
            </div>
            {copied === "copied" && <Text as="p" tone="success"><span data-secret-copied>Copied to the clipboard.</span></Text>}
            {copied === "failed" && <Text as="p" tone="critical">The browser refused the clipboard: select the secret and copy it.</Text>}
          </BlockStack>
        )}
        <InlineStack gap="200">
          <Form method="post">
            <input type="hidden" name="intent" value="reveal" />
            <Button submit loading={busy("reveal")}>{status.exists ? "Reveal secret" : "Create and reveal secret"}</Button>
          </Form>
          {status.exists && !confirming && <Button tone="critical" onClick={() => setConfirming(true)}>Rotate secret…</Button>}
        </InlineStack>
        {activity.length > 0 && (
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">Recent activity</Text>
            <ul data-secret-activity style={{ margin: 0, paddingLeft: 18 }}>
              {activity.map((a, i) => (
                <li key={i}>
                  {a.when}: {a.action === "rotate" ? `rotated by ${a.actor} (${a.before ?? "none"} → ${a.after ?? "?"})` : `revealed to ${a.actor} (${a.after ?? "?"})`}
                </li>
              ))}
            </ul>
          </BlockStack>
        )}
        {confirming && (
          <Box padding="300" background="bg-surface-critical" borderRadius="200">
            <Form method="post">
              <input type="hidden" name="intent" value="rotate" />
              <input type="hidden" name="confirm" value="rotate" />
              <BlockStack gap="200">
                <Text as="p">
                  The old secret stops being used at once: every call from now on, retries of earlier calls included, is signed
                  with the new one, so your endpoint rejects them until it has it.
                </Text>
                <InlineStack gap="200">
                  <Button submit variant="primary" tone="critical" loading={busy("rotate")}>Rotate now</Button>
                  <Button onClick={() => setConfirming(false)}>Cancel</Button>
                </InlineStack>
              </BlockStack>
            </Form>
          </Box>
        )}
      </BlockStack>
    </Card>
  );
}

function VerifyCard() {
  const { headers, example, maxAttempts, code } = useLoaderData<typeof loader>();
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">Verifying a call</Text>
        <Text as="p">Each call is an HTTPS <code>POST</code> with a JSON body and these headers:</Text>
        <List>
          <List.Item>
            <code data-header="signature">{headers.signature}</code>: <code>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</code>
          </List.Item>
          <List.Item>
            <code data-header="idempotency">{headers.idempotency}</code>: the same on every retry of one call (also the body's <code>id</code>);
            use it to do the work once.
          </List.Item>
          <List.Item>
            <code data-header="attempt">x-winback-attempt</code>: 1 for the first try, then 2, 3, … Each attempt is signed when it is sent.
          </List.Item>
        </List>
        <Text as="h3" variant="headingSm">To check a call</Text>
        <List type="number">
          <List.Item>Read <code>t</code> and <code>v1</code> from the signature header.</List.Item>
          <List.Item>Compute HMAC-SHA256 with your secret over the text <code>{"<t>.<raw body>"}</code> (the timestamp, a dot, then the body exactly as received), as lowercase hex.</List.Item>
          <List.Item>Accept the call only if it equals <code>v1</code> (compare in constant time) and <code>t</code> is within 5 minutes of now.</List.Item>
          <List.Item>Answer 2xx quickly. Winback retries 5xx, 408, 429, timeouts and network errors with backoff (up to {maxAttempts} attempts); any other status is final.</List.Item>
        </List>
        <Text as="h3" variant="headingSm">Example (Node.js)</Text>
        <pre data-verify-code style={{ whiteSpace: "pre-wrap", fontSize: 12, background: "#f6f6f7", padding: 12, borderRadius: 8, overflowX: "auto" }}>{code}</pre>
        <Text as="h3" variant="headingSm">Test your code with this example</Text>
        <Text as="p" tone="subdued">With the secret below (an example, not yours), this body at this time must give exactly this header.</Text>
        <div data-example>
          <BlockStack gap="200">
            <Text as="p">Secret: <code data-example-secret>{example.secret}</code></Text>
            <Text as="p">Timestamp: <code data-example-t>{example.timestamp}</code></Text>
            <Text as="p">Body:</Text>
            <pre data-example-body style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: 12, background: "#f6f6f7", padding: 12, borderRadius: 8 }}>{example.body}</pre>
            <Text as="p">{headers.signature}: <code data-example-signature style={{ wordBreak: "break-all" }}>{example.signature}</code></Text>
          </BlockStack>
        </div>
      </BlockStack>
    </Card>
  );
}

export default function WebhookSettings() {
  return (
    <Page title="Webhooks" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              Journeys can call your systems at any step with a webhook step (add one in a <RemixLink to="/app/journeys">journey's editor</RemixLink>).
              Only the customer fields you choose on that step are sent.
            </Text>
            <SecretCard />
            <VerifyCard />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
