// /app/content/blocks: reusable blocks (header, footer, product grid, offer block) that
// messages include as [[block:name]]. Editing a block changes every message using it.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { Block } from "../../core/content/schema";
import { requireAdmin } from "../auth.server";
import { deleteBlock, listBlocks, saveBlock, type BlockIssue } from "../models/content.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return { blocks: await listBlocks(admin.shopId) };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const field = (k: string) => String(form.get(k) ?? "");
  if (field("intent") === "delete") {
    await deleteBlock(admin.shopId, field("channel"), field("name"));
    return { ok: true as const, saved: null, issues: [] as BlockIssue[] };
  }
  const r = await saveBlock(admin.shopId, { name: field("name").trim(), channel: field("channel"), content: field("content") });
  return r.ok ? { ok: true as const, saved: r.value.name, issues: [] as BlockIssue[] } : { ok: false as const, saved: null, issues: r.error };
}

const STARTERS: Record<string, string> = {
  header: `<mj-section><mj-column><mj-text font-size="20px" font-weight="bold">{{ shop.name }}</mj-text></mj-column></mj-section>`,
  footer: `<mj-section><mj-column><mj-text font-size="12px" color="#6d7175">{{ shop.name }} · {{ shop.postal_address | default: "" }}</mj-text></mj-column></mj-section>`,
  // Liquid loops stay inside mj-text: MJML compiles once, before any customer's data exists.
  "product-grid": `<mj-section><mj-column><mj-text>{% for p in recommended_products limit: 3 %}<p><strong>{{ p.title }}</strong> {{ p.price | default: "" }}</p>{% endfor %}</mj-text></mj-column></mj-section>`,
  offer: `<mj-section><mj-column><mj-text>{% if offer.code %}Use <strong>{{ offer.code }}</strong> for {{ offer.discount_text | default: "a discount" }}{% if offer.expires_at %} until {{ offer.expires_at | date: "%b %d" }}{% endif %}.{% endif %}</mj-text></mj-column></mj-section>`,
};

export default function Blocks() {
  const { blocks } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [editing, setEditing] = useState<Block>({ name: "", channel: "email", content: "" });
  const issues = result && !result.ok ? result.issues : [];
  const errorFor = (f: string) => issues.filter((i) => i.field === f).map((i) => (i.line ? `Line ${i.line}: ${i.message}` : i.message)).join(" · ") || undefined;
  return (
    <Page title="Blocks" backAction={{ content: "Content", url: "/app/content" }}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {blocks.length === 0 ? (
              <div style={{ padding: 16 }}>
                <Text as="p">No blocks yet. Start from a header, footer, product grid or offer block.</Text>
              </div>
            ) : (
              <ul style={{ listStyle: "none", margin: 0, padding: 0 }}>
                {blocks.map((b) => (
                  <li key={`${b.channel}:${b.name}`} style={{ padding: 12, borderBottom: "1px solid #eee" }} data-block={b.name}>
                    <InlineStack align="space-between" blockAlign="center">
                      <Text as="span">
                        <code>[[block:{b.name}]]</code> · {b.channel}
                      </Text>
                      <InlineStack gap="200">
                        <Button onClick={() => setEditing(b)}>Edit</Button>
                        <Form method="post">
                          <input type="hidden" name="intent" value="delete" />
                          <input type="hidden" name="channel" value={b.channel} />
                          <input type="hidden" name="name" value={b.name} />
                          <Button submit tone="critical" variant="plain">
                            Delete
                          </Button>
                        </Form>
                      </InlineStack>
                    </InlineStack>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <Form method="post">
              <BlockStack gap="300">
                {result?.ok && result.saved && <Banner tone="success">Saved {result.saved}.</Banner>}
                <InlineStack gap="200">
                  {Object.keys(STARTERS).map((k) => (
                    <Button key={k} size="slim" onClick={() => setEditing({ name: k, channel: "email", content: STARTERS[k] })}>
                      {k}
                    </Button>
                  ))}
                </InlineStack>
                <TextField label="Name" name="name" value={editing.name} onChange={(v) => setEditing({ ...editing, name: v })} autoComplete="off" error={errorFor("name")} />
                <Select
                  label="Channel"
                  name="channel"
                  options={[{ label: "Email (MJML)", value: "email" }, { label: "SMS", value: "sms" }, { label: "Web push", value: "push" }]}
                  value={editing.channel}
                  onChange={(v) => setEditing({ ...editing, channel: v as Block["channel"] })}
                />
                <TextField label="Content" name="content" value={editing.content} onChange={(v) => setEditing({ ...editing, content: v })} multiline={10} monospaced autoComplete="off" error={errorFor("content")} />
                <Button submit variant="primary" loading={navigation.state === "submitting"}>
                  Save block
                </Button>
              </BlockStack>
            </Form>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
