// The builder page body shared by /app/segments/new and /app/segments/:id: name, tree,
// live count and reach (debounced POST to /api/v1/segments/preview), save with errors shown
// on the node they name.
import { useFetcher, useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, List, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import type { SegmentNode } from "../../../core/segments/schema";
import { BuilderChoicesContext, type BuilderChoices } from "./more-kinds";
import { NodeEditor, type ErrorList } from "./SegmentBuilder";

export type PreviewResponse =
  | { ok: true; total: number; reach: { email: number; sms: number }; sample: { id: string; email: string | null; name: string | null }[] }
  | { ok: false; errors: ErrorList };

const NO_CHOICES: BuilderChoices = { shopifySegments: [], journeys: [], clusters: [] };

export function SegmentEditor(props: {
  initialName: string;
  initialTree: SegmentNode;
  segmentId?: string;
  segments: { id: string; name: string }[];
  saveErrors?: ErrorList;
  /** The shop's journeys and Shopify segments, for the conditions that pick one. */
  choices?: BuilderChoices;
}) {
  const [name, setName] = useState(props.initialName);
  const [tree, setTree] = useState<SegmentNode>(props.initialTree);
  const preview = useFetcher<PreviewResponse>();
  const submit = useSubmit();
  const navigation = useNavigation();
  const timer = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      preview.submit({ definition: tree, segmentId: props.segmentId ?? null } as never, { method: "post", action: "/api/v1/segments/preview", encType: "application/json" });
    }, 350);
    return () => clearTimeout(timer.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tree]);

  const data = preview.data;
  const previewErrors = data && !data.ok ? data.errors : [];
  const errors = [...(props.saveErrors ?? []), ...previewErrors];
  const nameError = errors.find((e) => e.path === "name")?.message;
  const others = (props.segments ?? []).filter((s) => s.id !== props.segmentId);

  return (
    <Layout>
      <Layout.Section>
        <BlockStack gap="400">
          <Card>
            <div data-testid="segment-name">
              <TextField label="Name" autoComplete="off" value={name} onChange={setName} error={nameError} />
            </div>
          </Card>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Who is in it
              </Text>
              <BuilderChoicesContext.Provider value={props.choices ?? NO_CHOICES}>
                <NodeEditor node={tree} path="root" errors={errors} segments={others} onChange={setTree} />
              </BuilderChoicesContext.Provider>
            </BlockStack>
          </Card>
          {props.saveErrors && props.saveErrors.length > 0 && (
            <Banner tone="critical" title="The segment was not saved">
              <List>
                {props.saveErrors.map((e) => (
                  <List.Item key={e.path + e.message}>
                    {e.path}: {e.message}
                  </List.Item>
                ))}
              </List>
            </Banner>
          )}
          <InlineStack align="end">
            <div data-testid="save-segment">
              <Button
                variant="primary"
                loading={navigation.state === "submitting"}
                onClick={() => submit({ name, definition: tree } as never, { method: "post", encType: "application/json" })}
              >
                Save segment
              </Button>
            </div>
          </InlineStack>
        </BlockStack>
      </Layout.Section>
      <Layout.Section variant="oneThird">
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Live count
            </Text>
            {data?.ok ? (
              <>
                <Text as="p" variant="heading2xl">
                  <span data-testid="preview-count">{data.total.toLocaleString("en-US")}</span>
                </Text>
                <Text as="p" tone="subdued">
                  customers{preview.state !== "idle" ? " (updating…)" : ""}
                </Text>
                <Text as="p">
                  Reach: <span data-testid="reach-email">{data.reach.email.toLocaleString("en-US")}</span> by email,{" "}
                  <span data-testid="reach-sms">{data.reach.sms.toLocaleString("en-US")}</span> by SMS
                </Text>
                {data.sample.length > 0 && (
                  <List>
                    {data.sample.map((c) => (
                      <List.Item key={c.id}>{c.name ?? c.email ?? `customer ${c.id}`}</List.Item>
                    ))}
                  </List>
                )}
              </>
            ) : data && !data.ok ? (
              <div data-testid="preview-errors">
                <Text as="p" tone="critical">
                  Fix {data.errors.length === 1 ? "this problem" : `these ${data.errors.length} problems`} to see the count.
                </Text>
              </div>
            ) : (
              <Text as="p" tone="subdued">
                Counting…
              </Text>
            )}
          </BlockStack>
        </Card>
      </Layout.Section>
    </Layout>
  );
}
