// Editor parts for a message's variant test and its survey block. A variant replaces only the
// fields filled in; empty ones come from the message above.
import { BlockStack, Button, Checkbox, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import type { MessageContent } from "../../../core/content/schema";

type Variant = { key: string; weight: number } & Record<string, unknown>;
const FIELDS: Record<MessageContent["channel"], { name: string; label: string; multiline?: number }[]> = {
  email: [{ name: "subject", label: "Subject" }, { name: "preheader", label: "Preheader" }, { name: "mjml", label: "Body (MJML)", multiline: 6 }],
  sms: [{ name: "body", label: "Message", multiline: 3 }],
  push: [{ name: "title", label: "Title" }, { name: "body", label: "Body", multiline: 2 }],
};
const METRICS = [{ label: "Attributed orders", value: "conversions" }, { label: "Clicks", value: "clicks" }, { label: "Opens", value: "opens" }];

export function VariantsEditor({ content, onChange }: { content: MessageContent; onChange: (c: MessageContent) => void }) {
  const test = content.variants as { variants: Variant[]; metric: string; adopted?: unknown } | undefined;
  const update = (t: typeof test) => onChange({ ...content, variants: t } as MessageContent);
  const setVariant = (i: number, patch: Record<string, unknown>) =>
    update({ ...test!, variants: test!.variants.map((v, k) => (k === i ? { ...v, ...patch } : v)) });
  const nextKey = () => String.fromCharCode(97 + (test?.variants.length ?? 0));
  if (!test) {
    return <Button onClick={() => update({ metric: "conversions", variants: [{ key: "a", weight: 1 }, { key: "b", weight: 1 }] })}>Test variants of this message</Button>;
  }
  return (
    <BlockStack gap="300">
      <InlineStack gap="200" blockAlign="end">
        <Text as="h3" variant="headingSm">Variants</Text>
        <Select label="Winner decided on" options={METRICS} value={test.metric} onChange={(m) => update({ ...test, metric: m })} disabled={!!test.adopted} />
      </InlineStack>
      {test.variants.map((v, i) => (
        <BlockStack gap="200" key={i}>
          <InlineStack gap="200" blockAlign="end">
            <TextField label="Variant key" value={v.key} onChange={(key) => setVariant(i, { key })} autoComplete="off" />
            <TextField label="Weight" type="number" value={String(v.weight)} onChange={(w) => setVariant(i, { weight: Math.max(1, Number(w) || 1) })} autoComplete="off" />
            <Button disabled={test.variants.length <= 2 || !!test.adopted} onClick={() => update({ ...test, variants: test.variants.filter((_, k) => k !== i) })}>Remove</Button>
          </InlineStack>
          {FIELDS[content.channel].map((f) => (
            <TextField key={f.name} label={`${f.label} (empty: as above)`} value={(v[f.name] as string | undefined) ?? ""} multiline={f.multiline} autoComplete="off"
              onChange={(val) => setVariant(i, { [f.name]: val === "" ? undefined : val })} />
          ))}
        </BlockStack>
      ))}
      <InlineStack gap="200">
        <Button disabled={test.variants.length >= 8 || !!test.adopted} onClick={() => update({ ...test, variants: [...test.variants, { key: nextKey(), weight: 1 }] })}>Add variant</Button>
        <Button variant="plain" tone="critical" onClick={() => update(undefined)}>Stop testing variants</Button>
      </InlineStack>
    </BlockStack>
  );
}

export function SurveyEditor({ content, onChange }: { content: MessageContent; onChange: (c: MessageContent) => void }) {
  if (content.channel !== "email") return null;
  const survey = content.survey;
  return (
    <BlockStack gap="200">
      <Checkbox label="Ask a one-question survey (placed where the MJML says [[survey]], else at the end)" checked={!!survey}
        onChange={(on) => onChange({ ...content, survey: on ? { kind: "nps", question: "How likely are you to recommend us to a friend?" } : undefined })} />
      {survey && (
        <InlineStack gap="200" blockAlign="end">
          <Select label="Scale" options={[{ label: "NPS (0-10)", value: "nps" }, { label: "CSAT (1-5)", value: "csat" }]} value={survey.kind}
            onChange={(k) => onChange({ ...content, survey: { ...survey, kind: k as "nps" | "csat" } })} />
          <TextField label="Question" value={survey.question} onChange={(q) => onChange({ ...content, survey: { ...survey, question: q } })} autoComplete="off" />
        </InlineStack>
      )}
    </BlockStack>
  );
}
