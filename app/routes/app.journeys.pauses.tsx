// /app/journeys/pauses: the emergency stop. Pause every journey of the shop, or one channel
// for everyone (email, SMS, push); see every pause in force (journey pauses included) and
// resume each, choosing what happens to the waits and sends that fell due meanwhile.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { actorOf, resumeDeps } from "../components/journeys/actions.server";
import { CHANNEL_LABEL } from "../components/journeys/labels";
import { isPauseScope, isResumePolicy, PAUSABLE_CHANNELS } from "../components/journeys/pause-options";
import { ResumeForm } from "../components/journeys/ResumeForm";
import { pool, prisma } from "../db.server";
import { formatInstant } from "../lib/dates";
import { listPauses } from "../models/journey-list.server";
import { pause, resume } from "../models/journeys.server";

export const meta: MetaFunction = () => [{ title: "Emergency pause · Winback" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const [shop, pauses] = await Promise.all([
    prisma().shop.findUniqueOrThrow({ where: { id: admin.shopId }, select: { timezone: true } }),
    listPauses(pool(), admin.shopId),
  ]);
  return { pauses: pauses.map((p) => ({ ...p, since: formatInstant(p.pausedAt, shop.timezone) })) };
}

type ActionResult = { ok: true; message: string } | { ok: false; error: string };

export async function action({ request }: ActionFunctionArgs): Promise<ActionResult> {
  const admin = await requireAdmin(request);
  const actor = actorOf(admin);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const scope = form.get("scope");
  const target = String(form.get("target") ?? "");
  // Journey pauses are made on the journey's page; this page stops the shop or a channel.
  if (intent === "pause") {
    if (scope === "shop") {
      await pause(pool(), admin.shopId, "shop", "", { actor });
      return { ok: true, message: "Every journey is paused." };
    }
    if (scope === "channel" && (PAUSABLE_CHANNELS as readonly string[]).includes(target)) {
      await pause(pool(), admin.shopId, "channel", target, { actor });
      return { ok: true, message: `${CHANNEL_LABEL[target]} sends are paused for every journey.` };
    }
    return { ok: false, error: "Pause the whole shop, or one of the channels email, sms or push." };
  }
  if (intent === "resume") {
    const policy = form.get("policy");
    if (!isPauseScope(scope)) return { ok: false, error: "Unknown pause." };
    if (!isResumePolicy(policy)) return { ok: false, error: "Choose what happens to waits that came due: send now, skip or reschedule." };
    const r = await resume(resumeDeps(), admin.shopId, scope, target, { policy, actor });
    if (!r.resumed) return { ok: false, error: "That pause is no longer in force." };
    return { ok: true, message: `Resumed: ${r.enrollments} waiting customers and ${r.messages} held messages carry on.` };
  }
  return { ok: false, error: `Unknown action "${intent}"` };
}

export default function Pauses() {
  const { pauses } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const pausing = (key: string) => navigation.state !== "idle" && navigation.formData?.get("intent") === "pause" && `${navigation.formData?.get("scope")}:${navigation.formData?.get("target") ?? ""}` === key;
  const shopPaused = pauses.some((p) => p.scope === "shop");
  const pausedChannels = new Set(pauses.filter((p) => p.scope === "channel").map((p) => p.target));

  return (
    <Page title="Emergency pause" backAction={{ content: "Journeys", url: "/app/journeys" }}>
      <Layout>
        {result && (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"}>
              <span data-pause-message>{result.ok ? result.message : result.error}</span>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Stop sending
              </Text>
              <Text as="p" tone="subdued">
                While paused nothing in scope is stepped or sent; customers stay where they are, and orders still convert them. A pause of
                one journey is made on that journey's page.
              </Text>
              <InlineStack gap="300">
                <Form method="post">
                  <input type="hidden" name="intent" value="pause" />
                  <input type="hidden" name="scope" value="shop" />
                  <Button submit tone="critical" variant="primary" disabled={shopPaused} loading={pausing("shop:")}>
                    Pause all journeys
                  </Button>
                </Form>
                {PAUSABLE_CHANNELS.map((c) => (
                  <Form method="post" key={c}>
                    <input type="hidden" name="intent" value="pause" />
                    <input type="hidden" name="scope" value="channel" />
                    <input type="hidden" name="target" value={c} />
                    <Button submit tone="critical" disabled={pausedChannels.has(c)} loading={pausing(`channel:${c}`)}>
                      {`Pause ${CHANNEL_LABEL[c]}`}
                    </Button>
                  </Form>
                ))}
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                In force
              </Text>
              {pauses.length === 0 ? (
                <span data-no-pauses>
                  <Text as="p" tone="subdued">
                    Nothing is paused.
                  </Text>
                </span>
              ) : (
                pauses.map((p) => (
                  <div key={`${p.scope}:${p.target}`} data-pause={`${p.scope}:${p.target}`}>
                    <BlockStack gap="200">
                      <Text as="h3" variant="headingSm">
                        {p.scope === "journey" ? (
                          <Link to={`/app/journeys/${p.target}`}>Journey: {p.label}</Link>
                        ) : p.scope === "channel" ? (
                          `${CHANNEL_LABEL[p.target] ?? p.target} for every journey`
                        ) : (
                          p.label
                        )}
                      </Text>
                      <Text as="p" tone="subdued">
                        Since {p.since}
                        {p.pausedBy ? ` by ${p.pausedBy}` : ""}
                      </Text>
                      <ResumeForm hidden={{ scope: p.scope, target: p.target }} initialPolicy={p.policy} />
                    </BlockStack>
                  </div>
                ))
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
