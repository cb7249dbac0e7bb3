// The lifecycle stage as a Polaris badge, one label and tone per stage everywhere.
import { Badge } from "@shopify/polaris";

type Tone = "success" | "info" | "attention" | "warning" | "critical" | "new" | undefined;

export const STAGE_LABELS: Record<string, { label: string; tone: Tone }> = {
  new: { label: "New", tone: "new" },
  active: { label: "Active", tone: "success" },
  loyal: { label: "Loyal", tone: "success" },
  at_risk: { label: "At risk", tone: "warning" },
  dormant: { label: "Dormant", tone: "attention" },
  lost: { label: "Lost", tone: "critical" },
  won_back: { label: "Won back", tone: "info" },
};

export const RFM_LABELS: Record<string, string> = {
  champions: "Champions",
  loyal: "Loyal",
  active: "Active",
  new: "New",
  promising: "Promising",
  needs_attention: "Needs attention",
  almost_lost: "Almost lost",
  at_risk: "At risk",
  cant_lose: "Can't lose",
  previously_loyal: "Previously loyal",
  dormant: "Dormant",
};

/** A behavioural cluster as pages show it: numbered from 1 as merchants count, then its words. */
export const clusterLabel = (c: { id: number; description: string }) => `Group ${c.id + 1}: ${c.description}`;

export function StageBadge({ stage }: { stage: string | null }) {
  if (!stage) return <Badge>Not scored</Badge>;
  const s = STAGE_LABELS[stage] ?? { label: stage, tone: undefined };
  return (
    <span data-stage={stage}>
      <Badge tone={s.tone}>{s.label}</Badge>
    </span>
  );
}
