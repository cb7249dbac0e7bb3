// Resume a pause: the merchant picks what happens to waits and sends that fell due meanwhile.
import { Form } from "@remix-run/react";
import { BlockStack, Button, InlineStack, Select } from "@shopify/polaris";
import { useState } from "react";
import type { ResumePolicy } from "../../../jobs/journeys/pause";
import { POLICY_LABEL } from "./labels";

const OPTIONS = (Object.keys(POLICY_LABEL) as ResumePolicy[]).map((p) => ({ value: p, label: POLICY_LABEL[p] }));

export function ResumeForm({ hidden, initialPolicy, busy, label = "Resume" }: { hidden: Record<string, string>; initialPolicy: ResumePolicy; busy?: boolean; label?: string }) {
  const [policy, setPolicy] = useState<string>(initialPolicy);
  return (
    <Form method="post" data-resume-form={hidden.scope ? `${hidden.scope}:${hidden.target ?? ""}` : "journey"}>
      <BlockStack gap="200">
        <input type="hidden" name="intent" value="resume" />
        {Object.entries(hidden).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <Select label="Waits and sends that came due during the pause" name="policy" options={OPTIONS} value={policy} onChange={setPolicy} />
        <InlineStack>
          <Button submit variant="primary" loading={busy}>
            {label}
          </Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}
