// /app/alerts: what the journey engine raised (channel failures and fallbacks, sends whose
// outcome is unknown, journey errors, merchant notifications), open ones worst first, each
// resolvable (or all at once); the latest resolved ones below for context.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Badge, Banner, Button, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { TableCard } from "../components/TableCard";
import { requireAdmin } from "../auth.server";
import { actorOf } from "../components/journeys/actions.server";
import { pool, prisma } from "../db.server";
import { formatInstant } from "../lib/dates";
import { listAlerts, resolveAlerts } from "../models/journey-list.server";

export const meta: MetaFunction = () => [{ title: "Alerts · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const [shop, alerts] = await Promise.all([
    prisma().shop.findUniqueOrThrow({ where: { id: admin.shopId }, select: { timezone: true } }),
    listAlerts(pool(), admin.shopId),
  ]);
  const view = (a: (typeof alerts.open)[number]) => ({
    id: a.id, kind: a.kind, severity: a.severity, message: a.message,
    journeyId: typeof a.details.journeyId === "string" || typeof a.details.journeyId === "number" ? String(a.details.journeyId) : null,
    created: formatInstant(a.createdAt, shop.timezone), resolved: a.resolvedAt ? formatInstant(a.resolvedAt, shop.timezone) : null,
  });
  return { open: alerts.open.map(view), resolved: alerts.resolved.map(view) };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent === "resolve") {
    const id = String(form.get("id") ?? "");
    const n = await resolveAlerts(pool(), admin.shopId, [id], actorOf(admin), new Date());
    return n ? { ok: true as const, message: "Alert resolved." } : { ok: false as const, error: "That alert is not open." };
  }
  if (intent === "resolve_all") {
    const n = await resolveAlerts(pool(), admin.shopId, "all", actorOf(admin), new Date());
    return { ok: true as const, message: `${n} alert${n === 1 ? "" : "s"} resolved.` };
  }
  return { ok: false as const, error: `Unknown action "${intent}"` };
}

const TONE: Record<string, "critical" | "warning" | "info" | undefined> = { critical: "critical", error: "critical", warning: "warning", info: "info" };
const KIND: Record<string, string> = {
  channel_failure: "Channel failure", channel_fallback: "Fell back to another channel", send_needs_review: "Send needs review",
  journey_error: "Journey error", notify_merchant: "Journey notification", drop_off: "Sudden drop-off", low_conversion: "Conversion below target",
  channel_failure_rate: "Channel failure rate", webhook_failed: "Webhook failed", merchant_email_failed: "Notification email failed",
};

export default function Alerts() {
  const { open, resolved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const resolving = (id: string) => navigation.state !== "idle" && navigation.formData?.get("id") === id;

  return (
    <Page
      title="Alerts"
      subtitle={`${open.length} open`}
      backAction={{ content: "Journeys", url: "/app/journeys" }}
      secondaryActions={open.length > 1 ? [{ content: "Resolve all", onAction: () => submit({ intent: "resolve_all" }, { method: "post" }) }] : []}
    >
      <Layout>
        {result && (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"}>
              <span data-alerts-message>{result.ok ? result.message : result.error}</span>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card padding="0">
            {open.length === 0 ? (
              <div style={{ padding: 16 }} data-no-alerts>
                <Text as="p">No open alerts.</Text>
              </div>
            ) : (
              <div data-open-alerts>
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={["Severity", "What", "Message", "Raised", ""]}
                  rows={open.map((a) => [
                    <span key="s" data-alert={a.id}>
                      <Badge tone={TONE[a.severity]}>{a.severity.charAt(0).toUpperCase() + a.severity.slice(1)}</Badge>
                    </span>,
                    KIND[a.kind] ?? a.kind,
                    a.journeyId ? (
                      <span key="m">
                        {a.message} (<a href={`/app/journeys/${a.journeyId}`}>journey</a>)
                      </span>
                    ) : (
                      a.message
                    ),
                    a.created,
                    <Form method="post" key="r">
                      <input type="hidden" name="intent" value="resolve" />
                      <input type="hidden" name="id" value={a.id} />
                      <Button submit size="slim" loading={resolving(a.id)} accessibilityLabel={`Resolve alert ${a.id}`}>
                        Resolve
                      </Button>
                    </Form>,
                  ])}
                />
              </div>
            )}
          </Card>
        </Layout.Section>
        {resolved.length > 0 && (
          <Layout.Section>
            <TableCard
              title="Recently resolved"
              columnContentTypes={["text", "text", "text", "text"]}
              headings={["Severity", "What", "Message", "Resolved"]}
              rows={resolved.map((a) => [a.severity, KIND[a.kind] ?? a.kind, a.message, a.resolved ?? ""])}
            />
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}
