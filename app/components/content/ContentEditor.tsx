// The content editor for one message: fields per channel, blocks to insert, the live SMS
// segment counter (computed in the browser from the same pure core function the sender
// uses), a debounced server-rendered preview for a chosen customer, and a test send.
import { useFetcher, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";
import { SurveyEditor, VariantsEditor } from "./VariantsEditor";
import type { ContentIssue } from "../../../core/content/validate";
import type { Block, ChannelKind, MessageContent, Purpose } from "../../../core/content/schema";
import { countSegments } from "../../../core/content/sms-segments";

export type MediaOption = { path: string; url: string; originalName: string };

type PreviewData =
  | { ok: true; intent: "preview"; preview: { channel: "email"; variant: string; output: { subject: string; preheader: string; html: string; text: string } } | { channel: "sms"; variant: string; output: { body: string; segments: { encoding: string; segments: number; units: number } } } | { channel: "push"; variant: string; output: { title: string; body: string; link: string; icon?: string } } }
  | { ok: false; intent: "preview"; issues?: ContentIssue[]; error?: string }
  | { ok: true; intent: "test"; to: string }
  | { ok: false; intent: "test"; error: string };

const PURPOSES: Array<{ label: string; value: Purpose }> = [
  { label: "Promotional (marketing consent, caps, unsubscribe)", value: "promotional" },
  { label: "Informational", value: "informational" },
  { label: "Transactional", value: "transactional" },
];

const STARTERS: Record<ChannelKind, MessageContent> = {
  email: {
    channel: "email",
    purpose: "promotional",
    subject: `{{ customer.first_name | default: "Hi" }}, we miss you`,
    preheader: "",
    mjml: `<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        <mj-text>Hi {{ customer.first_name | default: "there" }},</mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>`,
  },
  sms: { channel: "sms", purpose: "promotional", body: `{{ shop.name }}: Hi {{ customer.first_name | default: "there" }}, we miss you!` },
  push: { channel: "push", purpose: "promotional", title: "We miss you", body: "Come back and see what is new.", link: `{{ shop.url }}` },
};

export function starterContent(channel: ChannelKind): MessageContent {
  return STARTERS[channel];
}

function issueText(issues: ContentIssue[], ...parts: string[]): string | undefined {
  const mine = issues.filter((i) => parts.includes(i.part) || parts.some((p) => i.part.startsWith(`${p}.`)));
  if (!mine.length) return undefined;
  return mine.map((i) => `Line ${i.line}${i.name ? ` (${i.name})` : ""}: ${i.message}`).join(" · ");
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function ContentEditor(props: {
  initialName: string;
  initial: MessageContent;
  channelLocked: boolean;
  blocks: Block[];
  media: MediaOption[];
  shopEmail: string | null;
  saveIssues?: ContentIssue[];
}) {
  const [name, setName] = useState(props.initialName);
  const [content, setContent] = useState<MessageContent>(props.initial);
  const [customerQuery, setCustomerQuery] = useState("");
  const [customerId, setCustomerId] = useState("");
  const [testTo, setTestTo] = useState("");
  const submit = useSubmit();
  const navigation = useNavigation();
  const preview = useFetcher<PreviewData>();
  const tester = useFetcher<PreviewData>();
  const customers = useFetcher<{ customers: Array<{ id: string; label: string }> }>();
  const issues = props.saveIssues ?? [];

  const set = (patch: Record<string, string>) => setContent((c) => ({ ...c, ...patch }) as MessageContent);
  const changeChannel = (channel: ChannelKind) => setContent({ ...STARTERS[channel], purpose: content.purpose } as MessageContent);

  // Preview: debounced, so typing does not send a request per key.
  const debounced = useDebounced(JSON.stringify({ content, customerId }), 400);
  useEffect(() => {
    const { content: c, customerId: id } = JSON.parse(debounced) as { content: MessageContent; customerId: string };
    preview.submit({ intent: "preview", body: c, customerId: id } as never, { method: "post", action: "/app/content/preview", encType: "application/json" });
  }, [debounced]);

  const query = useDebounced(customerQuery, 300);
  useEffect(() => {
    customers.load(`/app/content/preview?q=${encodeURIComponent(query)}`);
  }, [query]);

  const sms = useMemo(() => (content.channel === "sms" ? countSegments(content.body) : null), [content]);
  const channelBlocks = props.blocks.filter((b) => b.channel === content.channel);
  const [blockToInsert, setBlockToInsert] = useState("");
  const insertBlock = () => {
    const b = blockToInsert || channelBlocks[0]?.name;
    if (!b) return;
    const ref = `[[block:${b}]]`;
    if (content.channel === "email") {
      const at = content.mjml.lastIndexOf("</mj-body>");
      set({ mjml: at >= 0 ? `${content.mjml.slice(0, at)}  ${ref}\n  ${content.mjml.slice(at)}` : `${content.mjml}\n${ref}` });
    } else set({ body: `${content.body} ${ref}` });
  };

  const [imageToInsert, setImageToInsert] = useState("");
  const insertImage = () => {
    const url = imageToInsert || props.media[0]?.url;
    if (!url || content.channel !== "email") return;
    const image = `<mj-section><mj-column><mj-image src="${url.replace(/"/g, "&quot;")}" alt="" /></mj-column></mj-section>`;
    const at = content.mjml.lastIndexOf("</mj-body>");
    set({ mjml: at >= 0 ? `${content.mjml.slice(0, at)}  ${image}\n  ${content.mjml.slice(at)}` : `${content.mjml}\n${image}` });
  };

  const data = preview.data && preview.data.intent === "preview" ? preview.data : null;
  const previewIssues = data && !data.ok ? (data.issues ?? []) : [];
  const allIssues = [...issues, ...previewIssues.filter((p) => !issues.some((i) => i.part === p.part && i.line === p.line && i.message === p.message))];
  const testResult = tester.data && tester.data.intent === "test" ? tester.data : null;

  return (
    <Layout>
      <Layout.Section>
        <Card>
          <BlockStack gap="400">
            {issues.length > 0 && (
              <Banner tone="critical" title="The message was not saved">
                <ul data-save-issues>
                  {issues.map((i, k) => (
                    <li key={k} data-issue-part={i.part} data-issue-line={i.line} data-issue-name={i.name ?? ""}>
                      {i.part}, line {i.line}: {i.message}
                    </li>
                  ))}
                </ul>
              </Banner>
            )}
            <TextField label="Name" value={name} onChange={setName} autoComplete="off" error={issueText(issues, "name")} />
            <InlineStack gap="400">
              <Select
                label="Channel"
                disabled={props.channelLocked}
                options={[{ label: "Email", value: "email" }, { label: "SMS", value: "sms" }, { label: "Web push", value: "push" }]}
                value={content.channel}
                onChange={(v) => changeChannel(v as ChannelKind)}
              />
              <Select label="Purpose" options={PURPOSES} value={content.purpose} onChange={(v) => set({ purpose: v })} />
            </InlineStack>

            {content.channel === "email" && (
              <>
                <TextField label="Subject" value={content.subject} onChange={(v) => set({ subject: v })} autoComplete="off" error={issueText(allIssues, "subject")} />
                <TextField label="Preheader" value={content.preheader} onChange={(v) => set({ preheader: v })} autoComplete="off" error={issueText(allIssues, "preheader")} />
                <TextField
                  label="Body (MJML with Liquid)"
                  value={content.mjml}
                  onChange={(v) => set({ mjml: v })}
                  multiline={14}
                  monospaced
                  autoComplete="off"
                  error={issueText(allIssues, "mjml")}
                  id="content-mjml"
                />
              </>
            )}
            {content.channel === "sms" && (
              <>
                <TextField label="Message" value={content.body} onChange={(v) => set({ body: v })} multiline={4} autoComplete="off" error={issueText(allIssues, "body")} id="content-sms-body" />
                {sms && (
                  <InlineStack gap="200" blockAlign="center">
                    <span data-sms-encoding={sms.encoding}>
                      <Badge tone={sms.encoding === "UCS-2" ? "attention" : "info"}>{sms.encoding}</Badge>
                    </span>
                    <Text as="span" tone="subdued">
                      <span data-sms-characters>{Array.from(content.body).length}</span> characters · <span data-sms-units>{sms.units}</span> {sms.encoding === "GSM-7" ? "septets" : "UTF-16 units"} ·{" "}
                      <span data-sms-segments>{sms.segments}</span> {sms.segments === 1 ? "segment" : "segments"}
                    </Text>
                    {sms.nonGsmChars.length > 0 && (
                      <Text as="span" tone="caution">
                        Not in GSM-7: {sms.nonGsmChars.join(" ")}
                      </Text>
                    )}
                  </InlineStack>
                )}
                <Text as="p" tone="subdued" variant="bodySm">
                  Counted on the template; names filled in per customer can change the count. Promotional texts get “Reply STOP to opt out.” unless they already say how.
                </Text>
              </>
            )}
            {content.channel === "push" && (
              <>
                <TextField label="Title" value={content.title} onChange={(v) => set({ title: v })} autoComplete="off" error={issueText(allIssues, "title")} />
                <TextField label="Body" value={content.body} onChange={(v) => set({ body: v })} multiline={3} autoComplete="off" error={issueText(allIssues, "body")} />
                <Select
                  label="Icon (from the media library)"
                  options={[{ label: "No icon", value: "" }, ...props.media.map((m) => ({ label: m.originalName, value: m.url }))]}
                  value={content.icon ?? ""}
                  onChange={(v) => setContent((c) => ({ ...c, icon: v || undefined }) as MessageContent)}
                />
                <TextField label="Link (https)" value={content.link} onChange={(v) => set({ link: v })} autoComplete="off" error={issueText(allIssues, "link")} />
              </>
            )}

            <SurveyEditor content={content} onChange={setContent} />
            <VariantsEditor content={content} onChange={setContent} />

            {content.channel !== "push" && (
              <InlineStack gap="200" blockAlign="end">
                <Select
                  label="Reusable block"
                  options={channelBlocks.length ? channelBlocks.map((b) => ({ label: b.name, value: b.name })) : [{ label: "No blocks for this channel yet", value: "" }]}
                  value={blockToInsert || channelBlocks[0]?.name || ""}
                  onChange={setBlockToInsert}
                />
                <Button onClick={insertBlock} disabled={!channelBlocks.length}>
                  Insert block
                </Button>
                <Button url="/app/content/blocks" variant="plain">
                  Manage blocks
                </Button>
              </InlineStack>
            )}
            {content.channel === "email" && (
              <InlineStack gap="200" blockAlign="end">
                <Select
                  label="Image from the media library"
                  options={props.media.length ? props.media.map((m) => ({ label: m.originalName, value: m.url })) : [{ label: "No images uploaded yet", value: "" }]}
                  value={imageToInsert || props.media[0]?.url || ""}
                  onChange={setImageToInsert}
                />
                <Button onClick={insertImage} disabled={!props.media.length}>
                  Insert image
                </Button>
                <Button url="/app/media" variant="plain">
                  Media library
                </Button>
              </InlineStack>
            )}

            <InlineStack gap="200">
              <Button
                variant="primary"
                loading={navigation.state === "submitting"}
                onClick={() => submit({ name, body: content } as never, { method: "post", encType: "application/json" })}
              >
                Save as new version
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>
      </Layout.Section>

      <Layout.Section variant="oneThird">
        <BlockStack gap="400">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Preview as
              </Text>
              <TextField label="Find a customer" placeholder="email or name" value={customerQuery} onChange={setCustomerQuery} autoComplete="off" />
              <Select
                label="Customer"
                options={[{ label: "No customer (fallbacks only)", value: "" }, ...(customers.data?.customers ?? []).map((c) => ({ label: c.label, value: c.id }))]}
                value={customerId}
                onChange={setCustomerId}
              />
            </BlockStack>
          </Card>
          <Card>
            <BlockStack gap="200">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Preview
                </Text>
                {preview.state !== "idle" && <Text as="span" tone="subdued">updating…</Text>}
              </InlineStack>
              {data && !data.ok && <Banner tone="warning">{data.error ?? "Fix the highlighted fields to see the preview."}</Banner>}
              {data && data.ok && data.preview.variant !== "primary" && (
                <Banner tone="info">This customer&apos;s data cannot fill the message, so they would get the shop&apos;s generic copy (shown).</Banner>
              )}
              {data && data.ok && data.preview.channel === "email" && (
                <div data-preview="email">
                  <Text as="p" fontWeight="bold">
                    <span data-preview-subject>{data.preview.output.subject}</span>
                  </Text>
                  <Text as="p" tone="subdued">
                    {data.preview.output.preheader}
                  </Text>
                  <iframe title="Email preview" data-preview-frame srcDoc={data.preview.output.html} sandbox="" style={{ width: "100%", height: 420, border: "1px solid #ddd", background: "#fff" }} />
                  <Text as="h3" variant="headingSm">
                    Text part
                  </Text>
                  <pre data-preview-text style={{ whiteSpace: "pre-wrap", fontSize: 12, maxHeight: 200, overflow: "auto" }}>
                    {data.preview.output.text}
                  </pre>
                </div>
              )}
              {data && data.ok && data.preview.channel === "sms" && (
                <div data-preview="sms">
                  <Box background="bg-surface-secondary" padding="300" borderRadius="300">
                    <Text as="p">{data.preview.output.body}</Text>
                  </Box>
                  <Text as="p" tone="subdued">
                    As sent: {data.preview.output.segments.encoding}, {data.preview.output.segments.segments} segment(s)
                  </Text>
                </div>
              )}
              {data && data.ok && data.preview.channel === "push" && (
                <div data-preview="push">
                  <Box background="bg-surface-secondary" padding="300" borderRadius="300">
                    <InlineStack gap="200" blockAlign="center">
                      {data.preview.output.icon && <img src={data.preview.output.icon} alt="" width={32} height={32} />}
                      <BlockStack>
                        <Text as="p" fontWeight="bold">
                          {data.preview.output.title}
                        </Text>
                        <Text as="p">{data.preview.output.body}</Text>
                      </BlockStack>
                    </InlineStack>
                  </Box>
                  <Text as="p" tone="subdued" breakWord>
                    Opens {data.preview.output.link}
                  </Text>
                </div>
              )}
            </BlockStack>
          </Card>
          {content.channel !== "push" && (
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Send a test
                </Text>
                <TextField
                  label="To"
                  placeholder={content.channel === "email" ? (props.shopEmail ?? "you@example.com") : "+15551234567"}
                  value={testTo}
                  onChange={setTestTo}
                  autoComplete="off"
                  type={content.channel === "email" ? "email" : "tel"}
                />
                <Button
                  loading={tester.state !== "idle"}
                  onClick={() => tester.submit({ intent: "test", body: content, customerId, to: testTo } as never, { method: "post", action: "/app/content/preview", encType: "application/json" })}
                >
                  Send test
                </Button>
                {testResult && (testResult.ok ? <Banner tone="success">Test sent to {testResult.to}.</Banner> : <Banner tone="critical">{testResult.error}</Banner>)}
              </BlockStack>
            </Card>
          )}
        </BlockStack>
      </Layout.Section>
    </Layout>
  );
}
