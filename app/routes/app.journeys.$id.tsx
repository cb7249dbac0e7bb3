// /app/journeys/:id: one journey: status, publish (validation errors name the node), pause and
// resume (with the policy for waits that fell due meanwhile), per-node analytics with
// suppression reasons, messages held now (quiet hours, caps) and drop-off, A/B and holdout results, version history with restore,
// and the audit trail. The editor (/app/journeys/:id/edit) is a child route: when it is the
// one asked for, this route only renders it.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useOutlet } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import type { ValidationError } from "../../core/journeys/validate";
import { requireAdmin } from "../auth.server";
import { StatGrid } from "../components/StatGrid";
import { actorOf, resumeDeps } from "../components/journeys/actions.server";
import { count, percent, STATUS_LABEL, STATUS_TONE } from "../components/journeys/labels";
import { isResumePolicy } from "../components/journeys/pause-options";
import { ResumeForm } from "../components/journeys/ResumeForm";
import { pool, prisma } from "../db.server";
import { formatInstant } from "../lib/dates";
import { journeyAnalytics } from "../models/journey-analytics.server";
import { getJourneyDetail, holdoutSummary, journeyAuditTrail, listVersionHistory, timeInJourney } from "../models/journey-list.server";
import { migrateToLiveVersion, pause, publishJourney, restoreJourneyVersion, resume, runningOnOlderVersions } from "../models/journeys.server";

export const meta: MetaFunction = () => [{ title: "Journey · Winback" }];

interface NodeInfo {
  id: string;
  type: string;
  label?: string;
}

const nodesOf = (def: unknown): NodeInfo[] => {
  const nodes = (def as { nodes?: unknown } | null)?.nodes;
  return Array.isArray(nodes) ? nodes.filter((n): n is NodeInfo => typeof n?.id === "string").map((n) => ({ id: n.id, type: String(n.type ?? ""), label: n.label })) : [];
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const id = params.id ?? "";
  const now = new Date();
  const detail = await getJourneyDetail(pool(), admin.shopId, id, now);
  if (!detail) throw new Response("Journey not found", { status: 404 });
  // A child route (the editor) is being shown: it loads what it needs itself.
  if (new URL(request.url).pathname.replace(/\/$/, "") !== `/app/journeys/${id}`) return { view: "child" as const };
  const [shop, analytics, versions, audit, holdout, time, olderRunning] = await Promise.all([
    prisma().shop.findUniqueOrThrow({ where: { id: admin.shopId }, select: { timezone: true } }),
    journeyAnalytics(pool(), admin.shopId, id),
    listVersionHistory(pool(), admin.shopId, id),
    journeyAuditTrail(pool(), admin.shopId, id),
    holdoutSummary(pool(), admin.shopId, id),
    timeInJourney(pool(), admin.shopId, id),
    runningOnOlderVersions(pool(), admin.shopId, id),
  ]);
  const tz = shop.timezone;
  return {
    view: "detail" as const,
    journey: {
      id: detail.id, name: detail.name, status: detail.status, liveVersion: detail.liveVersion, draftChanged: detail.draftChanged,
      shopPaused: detail.shopPaused, templateKey: detail.templateKey,
      pause: detail.pause && { ...detail.pause, pausedAt: formatInstant(detail.pause.pausedAt, tz) },
    },
    // The live version's nodes (what customers run through), else the draft's; nodes that
    // only older versions had are appended from the analytics.
    nodes: nodesOf(detail.live ?? detail.draft),
    analytics,
    versions: versions.map((v) => ({ ...v, when: formatInstant(v.publishedAt, tz) })),
    audit: audit.map((a) => ({ ...a, when: formatInstant(a.at, tz) })),
    holdout,
    time,
    olderRunning,
  };
}

type ActionResult =
  | { ok: true; message: string }
  | { ok: false; error: string; validation?: ValidationError[] };

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionResult> {
  const admin = await requireAdmin(request);
  const id = params.id ?? "";
  const actor = actorOf(admin);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const detail = await getJourneyDetail(pool(), admin.shopId, id, new Date());
  if (!detail) throw new Response("Journey not found", { status: 404 });
  switch (intent) {
    case "publish": {
      const r = await publishJourney(pool(), admin.shopId, id, actor);
      if (r.ok) return { ok: true, message: `Published as version ${r.value.version}.` };
      return r.error.kind === "not_found"
        ? { ok: false, error: "Journey not found" }
        : { ok: false, error: "This draft cannot be published yet:", validation: r.error.errors };
    }
    case "pause": {
      if (detail.pause) return { ok: false, error: "This journey is already paused." };
      if (detail.liveVersion === null) return { ok: false, error: "Only a published journey can be paused." };
      await pause(pool(), admin.shopId, "journey", id, { actor });
      return { ok: true, message: "Paused. Nothing in this journey is stepped or sent until you resume it." };
    }
    case "resume": {
      const policy = form.get("policy");
      if (!isResumePolicy(policy)) return { ok: false, error: "Choose what happens to waits that came due: send now, skip or reschedule." };
      const r = await resume(resumeDeps(), admin.shopId, "journey", id, { policy, actor });
      if (!r.resumed) return { ok: false, error: "This journey is not paused." };
      return { ok: true, message: `Resumed (${policy.replace("_", " ")}): ${r.enrollments} waiting customers and ${r.messages} held messages carry on.` };
    }
    case "restore": {
      const version = Number(form.get("version"));
      if (!Number.isInteger(version) || version < 1) return { ok: false, error: "Choose a version to restore." };
      const r = await restoreJourneyVersion(pool(), admin.shopId, id, version, actor);
      if (r.ok) return { ok: true, message: `Version ${version} restored as version ${r.value.version}.` };
      return r.error.kind === "not_found"
        ? { ok: false, error: `There is no version ${version}.` }
        : { ok: false, error: `Version ${version} no longer passes validation:`, validation: r.error.errors };
    }
    case "migrate": {
      if (detail.liveVersion === null) return { ok: false, error: "Only a published journey has versions to move to." };
      const r = await migrateToLiveVersion(pool(), admin.shopId, id, actor);
      if (!r) return { ok: false, error: "Journey not found" };
      const kept = Object.values(r.kept).reduce((a, b) => a + (b ?? 0), 0);
      return {
        ok: true,
        message: `${r.migrated} customer${r.migrated === 1 ? "" : "s"} moved to version ${r.toVersion}.` +
          (kept ? ` ${kept} stay on their version (waiting at a step the new version no longer has, or mid-step).` : ""),
      };
    }
    default:
      return { ok: false, error: `Unknown action "${intent}"` };
  }
}

/** "cap" -> "cap"; "conflict:lost_priority" -> "conflict (lost priority)". */
const reasonLabel = (k: string) => {
  const [kind, why] = k.split(":");
  return why ? `${kind.replace(/_/g, " ")} (${why.replace(/_/g, " ")})` : k.replace(/_/g, " ");
};

const reasons = (r: Record<string, number>) =>
  Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${reasonLabel(k)} ${count(n)}`).join(", ") || "—";

const hours = (h: number | null) => (h === null ? "—" : h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`);

export default function JourneyDetail() {
  const outlet = useOutlet();
  const data = useLoaderData<typeof loader>();
  if (outlet || data.view === "child") return outlet;
  return <Detail data={data} />;
}

type DetailData = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { view: "detail" }>;

function Detail({ data }: { data: DetailData }) {
  const { journey, nodes, analytics, versions, audit, holdout, time } = data;
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [confirming, setConfirming] = useState<number | null>(null);
  const busy = (intent: string) => navigation.state !== "idle" && navigation.formData?.get("intent") === intent;

  const stats = new Map(analytics.nodes.map((n) => [n.nodeId, n]));
  const nodeRows = [...nodes.map((n) => n.id), ...analytics.nodes.map((n) => n.nodeId).filter((id) => !nodes.some((n) => n.id === id))].map((nodeId) => {
    const info = nodes.find((n) => n.id === nodeId);
    const s = stats.get(nodeId) ?? { entered: 0, waiting: 0, passed: 0, exited: 0, converted: 0, suppressed: {}, held: {} };
    return [
      <span key="n" data-node-row={nodeId}>
        {info?.label ?? nodeId} <Text as="span" tone="subdued">({info?.type ?? "removed"})</Text>
      </span>,
      count(s.entered), count(s.waiting), count(s.passed), count(s.exited), count(s.converted), reasons(s.suppressed), <span key="h" data-node-held={nodeId}>{reasons(s.held)}</span>,
      // Leaving at a holdout is the control group, not a drop-off.
      info?.type === "holdout" ? "control" : s.entered ? percent(s.exited / s.entered) : "—",
    ];
  });
  // Entry: who the trigger brought in, and who the conflict rules kept out (and why).
  const entrySuppressed = Object.values(analytics.entry.suppressed).reduce((a, b) => a + b, 0);
  nodeRows.unshift([
    <span key="n" data-entry-row>
      Entry <Text as="span" tone="subdued">(trigger)</Text>
    </span>,
    count(analytics.totals.enrolled), "—", count(analytics.totals.enrolled), "—", "—",
    <span key="s" data-entry-suppressed>{reasons(analytics.entry.suppressed)}</span>, "—", "—",
  ]);
  const holdoutNodes = new Set(nodes.filter((n) => n.type === "holdout").map((n) => n.id));
  const worst = analytics.nodes
    .filter((n) => !holdoutNodes.has(n.nodeId))
    .reduce<(typeof analytics.nodes)[number] | null>((w, n) => (n.exited > (w?.exited ?? 0) ? n : w), null);
  const control = holdout.find((g) => g.group === "control");
  const treated = holdout.find((g) => g.group === "treatment");

  const canPublish = journey.draftChanged;
  return (
    <Page
      title={journey.name}
      titleMetadata={
        <span data-journey-detail-status>
          <Badge tone={STATUS_TONE[journey.status]}>{STATUS_LABEL[journey.status]}</Badge>
        </span>
      }
      subtitle={journey.liveVersion === null ? "Not published yet" : `Live version ${journey.liveVersion}${journey.draftChanged ? " · the draft has unpublished changes" : ""}`}
      backAction={{ content: "Journeys", url: "/app/journeys" }}
      secondaryActions={[{ content: "Open editor", url: `/app/journeys/${journey.id}/edit` }]}
    >
      <Layout>
        {result && (
          <Layout.Section>
            {result.ok ? (
              <Banner tone="success">
                <span data-journey-message>{result.message}</span>
              </Banner>
            ) : (
              <Banner tone="critical">
                <BlockStack gap="200">
                  <span data-journey-error>{result.error}</span>
                  {result.validation && (
                    <ul data-validation-errors>
                      {result.validation.map((e, i) => (
                        <li key={i} data-validation-node={e.nodeId ?? ""}>
                          {e.nodeId ? <strong>Node “{e.nodeId}”: </strong> : <strong>Journey: </strong>}
                          {e.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </BlockStack>
              </Banner>
            )}
          </Layout.Section>
        )}
        {journey.shopPaused && (
          <Layout.Section>
            <Banner tone="warning" title="All journeys are paused for this shop" action={{ content: "Manage pauses", url: "/app/journeys/pauses" }} />
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Status
              </Text>
              {journey.pause && (
                <BlockStack gap="200">
                  <Text as="p">
                    Paused since {journey.pause.pausedAt}
                    {journey.pause.pausedBy ? ` by ${journey.pause.pausedBy}` : ""}. {count(journey.pause.expiredWaits)} waits have come due during the pause.
                  </Text>
                  <ResumeForm hidden={{}} initialPolicy={journey.pause.policy} busy={busy("resume")} />
                </BlockStack>
              )}
              <InlineStack gap="300" blockAlign="center">
                {canPublish && (
                  <Form method="post">
                    <input type="hidden" name="intent" value="publish" />
                    <Button submit variant="primary" loading={busy("publish")}>
                      {journey.liveVersion === null ? "Publish" : "Publish changes"}
                    </Button>
                  </Form>
                )}
                {journey.liveVersion !== null && !journey.pause && (
                  <Form method="post">
                    <input type="hidden" name="intent" value="pause" />
                    <Button submit tone="critical" loading={busy("pause")}>
                      Pause journey
                    </Button>
                  </Form>
                )}
                <Link to={`/app/journeys/${journey.id}/edit`}>Edit the draft</Link>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <StatGrid
            attribute="journey-total"
            stats={[
              { id: "enrolled", label: "Entered", value: count(analytics.totals.enrolled) },
              { id: "in", label: "In journey now", value: count(analytics.totals.active + analytics.totals.waiting) },
              { id: "converted", label: "Converted", value: count(analytics.totals.converted) },
              { id: "exited", label: "Exited (incl. holdout)", value: count(analytics.totals.exited) },
              {
                id: "suppressed-entry", label: "Suppressed at entry", value: count(entrySuppressed),
                help: "Conflicts: a higher-priority journey, the cap on concurrent journeys, or too little time in the stage",
              },
            ]}
            columns={5}
          />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: 16 }}>
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Steps
                </Text>
                <Text as="p" tone="subdued">
                  Time in journey (finished customers, holdout control aside): average {hours(time.avgHours)}, median {hours(time.medianHours)}.{" "}
                  {worst ? `Most customers left at “${worst.nodeId}” (${count(worst.exited)}).` : "Nobody has left early."}
                </Text>
              </BlockStack>
            </div>
            <div data-node-table>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "text", "text", "numeric"]}
                headings={["Step", "Entered", "Waiting", "Passed", "Left here", "Converted here", "Suppressed (why)", "Held now (why)", "Drop-off"]}
                rows={nodeRows}
              />
            </div>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            <Card padding="0">
              <div style={{ padding: 16 }}>
                <Text as="h2" variant="headingMd">
                  Conversion by A/B variant
                </Text>
              </div>
              {analytics.variants.length ? (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "numeric", "numeric"]}
                  headings={["Split", "Variant", "Entered", "Converted", "Rate"]}
                  rows={analytics.variants.map((v) => [v.nodeId, v.variant, count(v.enrolled), count(v.converted), percent(v.conversionRate)])}
                />
              ) : (
                <div style={{ padding: "0 16px 16px" }}>
                  <Text as="p" tone="subdued">
                    No A/B split has assigned anyone yet.
                  </Text>
                </div>
              )}
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Holdout vs treated
                </Text>
                {control && treated ? (
                  <div data-holdout>
                    <Text as="p">
                      Treated {percent(treated.conversionRate)} of {count(treated.customers)} ordered; holdout {percent(control.conversionRate)} of{" "}
                      {count(control.customers)}: {((treated.conversionRate - control.conversionRate) * 100).toFixed(1)} pts lift (see Results for the
                      interval).
                    </Text>
                  </div>
                ) : (
                  <Text as="p" tone="subdued">
                    No holdout results yet: they show once the holdout has kept customers out (versions published before every journey kept a
                    holdout have none).
                  </Text>
                )}
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: 16 }}>
              <Text as="h2" variant="headingMd">
                Version history
              </Text>
            </div>
            {versions.length === 0 ? (
              <div style={{ padding: "0 16px 16px" }}>
                <Text as="p" tone="subdued">
                  Not published yet.
                </Text>
              </div>
            ) : (
              <div data-versions>
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={["Version", "Action", "Who", "When", ""]}
                  rows={versions.map((v) => [
                    <span key="v" data-version={v.version}>
                      v{v.version} {v.version === journey.liveVersion && <Badge tone="success">Live</Badge>}
                    </span>,
                    v.action === "restore" && v.restoredFrom ? `Restored v${v.restoredFrom}` : v.action === "restore" ? "Restored" : "Published",
                    v.publishedBy ?? "—",
                    v.when,
                    v.version === journey.liveVersion ? (
                      ""
                    ) : confirming === v.version ? (
                      <Form method="post" key="r" onSubmit={() => setConfirming(null)}>
                        <InlineStack gap="200" blockAlign="center" wrap={false}>
                          <input type="hidden" name="intent" value="restore" />
                          <input type="hidden" name="version" value={v.version} />
                          <Text as="span">Make v{v.version} live again?</Text>
                          <Button submit size="slim" variant="primary" accessibilityLabel={`Confirm restore of version ${v.version}`}>
                            Confirm restore
                          </Button>
                          <Button size="slim" onClick={() => setConfirming(null)}>
                            Cancel
                          </Button>
                        </InlineStack>
                      </Form>
                    ) : (
                      <Button key="r" size="slim" onClick={() => setConfirming(v.version)} accessibilityLabel={`Restore version ${v.version}`}>
                        Restore
                      </Button>
                    ),
                  ])}
                />
              </div>
            )}
            {data.olderRunning > 0 && journey.liveVersion !== null && (
              <div style={{ padding: 16 }} data-older-running={data.olderRunning}>
                <Form method="post">
                  <InlineStack gap="300" blockAlign="center">
                    <input type="hidden" name="intent" value="migrate" />
                    <Text as="span">
                      {count(data.olderRunning)} customer{data.olderRunning === 1 ? " is" : "s are"} still on an older version and will finish there.
                    </Text>
                    <Button submit size="slim">{`Move them to v${journey.liveVersion}`}</Button>
                  </InlineStack>
                </Form>
              </div>
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: 16 }}>
              <Text as="h2" variant="headingMd">
                Audit trail
              </Text>
            </div>
            <div data-audit>
              <DataTable
                columnContentTypes={["text", "text", "text", "text"]}
                headings={["When", "Who", "Action", "Details"]}
                rows={audit.map((a) => [a.when, a.actor, a.action, a.details])}
              />
            </div>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
