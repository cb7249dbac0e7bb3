// /app/journeys: every journey with its status, live version and live counts (in the journey
// now, waiting, converted, entered in the last 7 days); a new blank journey opens the editor;
// the ready-made journeys can be installed one by one as drafts.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, redirect, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, EmptyState, IndexTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { JOURNEY_TEMPLATES } from "../../core/journeys/templates";
import { requireAdmin } from "../auth.server";
import { AlertsBanner } from "../components/journeys/AlertsBanner";
import { CHANNEL_LABEL, count, STATUS_LABEL, STATUS_TONE, TEMPLATE_DESCRIPTION } from "../components/journeys/labels";
import { pool } from "../db.server";
import { alertSummary, createBlankJourney, installJourneyTemplate, listJourneys, listPauses } from "../models/journey-list.server";

export const meta: MetaFunction = () => [{ title: "Journeys · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const [journeys, pauses, alerts] = await Promise.all([
    listJourneys(pool(), admin.shopId, new Date()), listPauses(pool(), admin.shopId), alertSummary(pool(), admin.shopId),
  ]);
  const byTemplate = new Map(journeys.filter((j) => j.templateKey).map((j) => [j.templateKey!, j.id]));
  const templates = JOURNEY_TEMPLATES.map((t) => ({
    key: t.id, name: t.name, description: TEMPLATE_DESCRIPTION[t.id] ?? "", installedId: byTemplate.get(t.id) ?? null,
  }));
  // Shop- and channel-wide pauses stop every journey: say so at the top of the list.
  const emergency = pauses.filter((p) => p.scope !== "journey").map((p) => (p.scope === "shop" ? p.label : `${CHANNEL_LABEL[p.target] ?? p.target} sends`));
  return { journeys, templates, emergency, alerts };
}

type ActionResult = { installed: { key: string; journeyId: string } } | { error: string };

export async function action({ request }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent === "new") {
    const id = await createBlankJourney(pool(), admin.shopId);
    return redirect(`/app/journeys/${id}/edit`);
  }
  if (intent === "install") {
    const key = String(form.get("template") ?? "");
    const r = await installJourneyTemplate(pool(), admin.shopId, key);
    if (r.ok) return { installed: { key, journeyId: r.value.journeyId } };
    switch (r.error.kind) {
      case "unknown_template":
        return { error: `There is no ready-made journey called "${key}"` };
      case "already_installed":
        return { error: "That journey is already installed" };
    }
  }
  return { error: `Unknown action "${intent}"` };
}

export default function JourneysList() {
  const { journeys, templates, emergency, alerts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const live = journeys.some((j) => j.status === "published");
  // Live counts: refresh while something is running and the tab is in view.
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, 30_000);
    return () => clearInterval(t);
  }, [live, revalidator]);
  const busy = (intent: string, template?: string) =>
    navigation.state !== "idle" && navigation.formData?.get("intent") === intent && (template === undefined || navigation.formData?.get("template") === template);

  const rows = journeys.map((j, i) => (
    <IndexTable.Row id={j.id} key={j.id} position={i}>
      <IndexTable.Cell>
        <span data-journey-row={j.id}>
          <Link to={`/app/journeys/${j.id}`} data-journey-link={j.id}>
            <Text as="span" fontWeight="semibold">
              {j.name}
            </Text>
          </Link>{" "}
          {j.templateKey && <Badge>Ready-made</Badge>}
        </span>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <span data-journey-status={j.id}>
          <Badge tone={STATUS_TONE[j.status]}>{STATUS_LABEL[j.status]}</Badge>
        </span>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {j.liveVersion === null ? "—" : `v${j.liveVersion}`} {j.liveVersion !== null && j.draftChanged && <Badge tone="attention">Unpublished changes</Badge>}
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          <span data-journey-count={`${j.id}:in`}>{count(j.inJourney)}</span>
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          <span data-journey-count={`${j.id}:waiting`}>{count(j.waiting)}</span>
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          <span data-journey-count={`${j.id}:converted`}>{count(j.converted)}</span>
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          <span data-journey-count={`${j.id}:entered7d`}>{count(j.enteredLast7Days)}</span>
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Link to={`/app/journeys/${j.id}/edit`}>Edit</Link>
      </IndexTable.Cell>
    </IndexTable.Row>
  ));

  return (
    <Page
      title="Journeys"
      subtitle="Multi-step journeys from a trigger to a goal"
      backAction={{ content: "Home", url: "/app" }}
      secondaryActions={[{ content: "Emergency pause", url: "/app/journeys/pauses" }, { content: "Alerts", url: "/app/alerts" }]}
    >
      <Layout>
        {alerts.open > 0 && (
          <Layout.Section>
            <AlertsBanner summary={alerts} />
          </Layout.Section>
        )}
        {emergency.length > 0 && (
          <Layout.Section>
            <div data-emergency-banner>
              <Banner tone="warning" title={`Paused: ${emergency.join(", ")}`} action={{ content: "Manage pauses", url: "/app/journeys/pauses" }}>
                <Text as="p">Nothing in a paused scope is stepped or sent until you resume it.</Text>
              </Banner>
            </div>
          </Layout.Section>
        )}
        {result && "error" in result && (
          <Layout.Section>
            <Banner tone="critical">
              <span data-journeys-error>{result.error}</span>
            </Banner>
          </Layout.Section>
        )}
        {result && "installed" in result && (
          <Layout.Section>
            <Banner tone="success">
              <span data-journeys-installed={result.installed.journeyId}>
                Installed as a draft. <Link to={`/app/journeys/${result.installed.journeyId}`}>Open it</Link> to review and publish.
              </span>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card padding="0">
            {journeys.length === 0 ? (
              <div data-journeys-empty>
                <EmptyState heading="No journeys yet" image="">
                  <Text as="p">Start from a blank journey, or install one of the ready-made journeys below and adjust it.</Text>
                </EmptyState>
              </div>
            ) : (
              <IndexTable
                resourceName={{ singular: "journey", plural: "journeys" }}
                itemCount={journeys.length}
                selectable={false}
                headings={[
                  { title: "Journey" }, { title: "Status" }, { title: "Live version" },
                  { title: "In journey", alignment: "end" }, { title: "Waiting", alignment: "end" },
                  { title: "Converted", alignment: "end" }, { title: "Entered (7 days)", alignment: "end" }, { title: "" },
                ]}
              >
                {rows}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineStack>
            <Form method="post">
              <input type="hidden" name="intent" value="new" />
              <Button submit variant="primary" loading={busy("new")}>
                New journey
              </Button>
            </Form>
          </InlineStack>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                Install from template
              </Text>
              {templates.map((t) => (
                <div key={t.key} data-template={t.key}>
                  <InlineStack align="space-between" blockAlign="center" gap="400" wrap={false}>
                    <BlockStack gap="100">
                      <Text as="h3" variant="headingSm">
                        {t.name}
                      </Text>
                      <Text as="p" tone="subdued">
                        {t.description}
                      </Text>
                    </BlockStack>
                    {t.installedId ? (
                      <InlineStack gap="200" blockAlign="center" wrap={false}>
                        <span data-template-installed={t.key}>
                          <Badge tone="success">Installed</Badge>
                        </span>
                        <Link to={`/app/journeys/${t.installedId}`}>Open</Link>
                      </InlineStack>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="install" />
                        <input type="hidden" name="template" value={t.key} />
                        <Button submit loading={busy("install", t.key)} accessibilityLabel={`Install ${t.name}`}>
                          Install
                        </Button>
                      </Form>
                    )}
                  </InlineStack>
                </div>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
