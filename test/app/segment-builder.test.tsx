// The builder's value pickers, rendered as the server renders them: stages, RFM groups and the
// shop's behavioural clusters are picked by their labels, never typed as internal names.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { NodeEditor, scoreValueChoices } from "../../app/components/segments/SegmentBuilder";
import { BuilderChoicesContext, type BuilderChoices } from "../../app/components/segments/more-kinds";
import type { SegmentNode } from "../../core/segments/schema";
import { RFM_GROUPS } from "../../core/scoring/rfm";
import { lifecycleStageSchema } from "../../core/scoring/schema";

const CHOICES: BuilderChoices = {
  shopifySegments: [],
  journeys: [],
  clusters: [
    { id: 0, description: "ordered recently, many orders" },
    { id: 1, description: "buys mostly on discount, small baskets" },
  ],
};

function render(node: SegmentNode, choices = CHOICES): string {
  return renderToStaticMarkup(
    <AppProvider i18n={en}>
      <BuilderChoicesContext.Provider value={choices}>
        <NodeEditor node={node} path="root" errors={[]} segments={[]} onChange={() => {}} />
      </BuilderChoicesContext.Provider>
    </AppProvider>,
  );
}

/** The options of the value picker of the condition rendered at the root. */
function valueOptions(html: string): { value: string; label: string; selected: boolean }[] {
  const picker = html.match(/data-testid="cond-root-value">(.*?)<\/select>/s)?.[1];
  if (!picker) return [];
  return [...picker.matchAll(/<option value="([^"]*)"([^>]*)>([^<]*)<\/option>/g)].map((m) => ({
    value: m[1],
    selected: /selected/.test(m[2]),
    label: m[3].replace(/&#x27;/g, "'"),
  }));
}

describe("score value pickers", () => {
  it("offers every lifecycle stage and RFM group the scoring writes, by label", () => {
    expect(scoreValueChoices("stage", [])!.map((c) => c.value).sort()).toEqual([...lifecycleStageSchema.options].sort());
    expect(scoreValueChoices("rfm_group", [])!.map((c) => c.value).sort()).toEqual([...RFM_GROUPS].sort());
    const stage = valueOptions(render({ kind: "score", field: "stage", cmp: { op: "eq", value: "at_risk" } }));
    expect(stage.find((o) => o.selected)).toEqual({ value: "at_risk", label: "At risk", selected: true });
    const group = valueOptions(render({ kind: "score", field: "rfm_group", cmp: { op: "neq", value: "cant_lose" } }));
    expect(group.find((o) => o.selected)?.label).toBe("Can't lose");
    expect(group).toHaveLength(RFM_GROUPS.length);
  });

  it("offers the shop's behavioural clusters in words", () => {
    const html = render({ kind: "score", field: "cluster_id", cmp: { op: "eq", value: 1 } });
    expect(html).toMatch(/<option value="cluster_id" selected="">Behaviour group<\/option>/);
    const options = valueOptions(html);
    expect(options).toEqual([
      { value: "0", label: "Group 1: ordered recently, many orders", selected: false },
      { value: "1", label: "Group 2: buys mostly on discount, small baskets", selected: true },
    ]);
  });

  it("keeps a stored value that is not in the list visible, and leaves other fields as typed values", () => {
    const odd = valueOptions(render({ kind: "score", field: "stage", cmp: { op: "eq", value: "vip" } }));
    expect(odd.find((o) => o.selected)?.value).toBe("vip");
    expect(valueOptions(render({ kind: "score", field: "recency_score", cmp: { op: "gte", value: 4 } }))).toEqual([]);
    // Before the shop's first fit there are no clusters: the number is typed.
    expect(valueOptions(render({ kind: "score", field: "cluster_id", cmp: { op: "eq", value: 0 } }, { ...CHOICES, clusters: [] }))).toEqual([]);
  });
});
