// Starts every worker of this process and the schedules. Each worker only translates a
// queue message (ids) into a call; the work itself lives in the models and the core.
import type pg from "pg";
import type { Logger } from "pino";
import { journeyChannelRegistry } from "../app/models/channels.server";
import { journeyWebhookOptions, merchantMailer } from "../app/models/journey-effects.server";
import { assertNever } from "../core/result";
import { startAttributionWorker } from "./attribution/worker";
import { adoptVariantsForInstalledShops } from "./content/adopt-variants";
import { registerImportsWorker } from "./imports/worker";
import { runDateTriggersAllShops } from "./journeys/date-triggers";
import { checkJourneyHealthAllShops } from "./journeys/health";
import { registerJourneyWorkers } from "./journeys/worker";
import { enqueueNightlyKlaviyoSync, registerKlaviyoWorker } from "./klaviyo/worker";
import type { QueueSystem } from "./queues";
import { fanOutShopScoring, registerScoringSchedule, registerScoringWorker } from "./scoring/worker";
import { enqueueNightlySegmentRefresh, enqueueNightlyShopifyMembersSync, registerSegmentWorkers, runDueRechecks } from "./segments/worker";
import { runShopifyNightly } from "./shopify-sync/nightly";
import { afterCustomerChanged, afterOrderChanged, customerIdOfPayload, isCustomerTopic, isOrderTopic, orderIdOfPayload } from "./order-changed";
import { MAINTENANCE_QUEUE, registerSchedules, type MaintenanceJobName } from "./scheduler";
import { liveOfferCodeIssuer } from "./store-clients";
import { sweepWebhookDeliveries } from "./sweeper";
import { WEBHOOKS_QUEUE, type WebhookJob } from "./webhooks.queue";
import { processWebhookDelivery } from "./webhooks.worker";

export interface RunningWorkers {
  close(): Promise<void>;
}

export async function startWorkers(deps: { qs: QueueSystem; db: pg.Pool; logger: Logger }): Promise<RunningWorkers> {
  const { qs, db, logger } = deps;
  qs.worker<WebhookJob>(WEBHOOKS_QUEUE, async (job) => {
    const outcome = await processWebhookDelivery(db, job.data.deliveryId);
    logger.info({ deliveryId: job.data.deliveryId, outcome }, "webhook delivery processed");
    if (outcome.applied && isOrderTopic(outcome.topic)) await followOrderDelivery(db, qs, job.data.deliveryId, outcome.topic);
    if (outcome.applied && isCustomerTopic(outcome.topic)) await followCustomerDelivery(db, qs, job.data.deliveryId, outcome.topic);
    return outcome;
  });
  qs.worker(MAINTENANCE_QUEUE, async (job) => {
    const name = job.name as MaintenanceJobName;
    switch (name) {
      case "sweep-webhooks":
        return { requeued: await sweepWebhookDeliveries(db, qs) };
      case "nightly":
        return {
          // Scoring runs at 03:00 shop-local from the hourly fan-out (jobs/scoring/worker.ts); this
          // catches the shops at that hour now (deterministic job ids: no double runs).
          shops: (await fanOutShopScoring(db, qs, new Date())).shops,
          shopifySegments: await enqueueNightlyShopifyMembersSync(db, qs, new Date().toISOString().slice(0, 10)),
          segments: await enqueueNightlySegmentRefresh(db, qs, new Date().toISOString().slice(0, 10)),
          shopify: await runShopifyNightly(db, { logger }),
          klaviyo: await enqueueNightlyKlaviyoSync(db, qs, new Date().toISOString().slice(0, 10)),
          variants: await adoptVariantsForInstalledShops(db, new Date(), logger),
        };
      case "segment-rechecks":
        return runDueRechecks(db, qs);
      case "journey-date-triggers":
        return { enrolled: await runDateTriggersAllShops({ db, qs, logger, channels: journeyChannelRegistry(), webhooks: journeyWebhookOptions(), merchantMail: merchantMailer(), inline: false }) };
      case "journey-health":
        return { alerts: await checkJourneyHealthAllShops(db) };
      default:
        return assertNever(name, "maintenance job");
    }
  }, { concurrency: 1 });
  await startAttributionWorker({ qs, db, logger });
  registerImportsWorker(deps);
  registerKlaviyoWorker(deps);
  registerSegmentWorkers(deps);
  registerScoringWorker(deps);
  await registerScoringSchedule(qs);
  // Journeys send through the shop's configured providers (SMTP, Twilio, web push); offer nodes
  // create codes on the shop's own store (Shopify discounts, WooCommerce coupons); webhook
  // nodes sign with the shop's secret; notify nodes email the shop's contact.
  await registerJourneyWorkers({
    db, qs, logger, channels: journeyChannelRegistry(), offerCodes: await liveOfferCodeIssuer(db),
    webhooks: journeyWebhookOptions(), merchantMail: merchantMailer(),
  });
  await registerSchedules(qs);
  return { close: () => qs.close() };
}

/** The shop and payload of a stored webhook delivery; undefined once the shop is gone. */
async function deliveryOf(db: pg.Pool, deliveryId: string): Promise<{ shop_id: number; payload: Record<string, unknown> } | undefined> {
  const r = await db.query<{ shop_id: number; payload: Record<string, unknown> }>(
    `select s.id as shop_id, d.payload from webhook_deliveries d join shops s on s.domain = d.shop_domain where d.id = $1`,
    [deliveryId],
  );
  return r.rows[0];
}

async function followCustomerDelivery(db: pg.Pool, qs: QueueSystem, deliveryId: string, topic: string): Promise<void> {
  const row = await deliveryOf(db, deliveryId);
  const customerId = row && customerIdOfPayload(topic, row.payload);
  if (customerId) await afterCustomerChanged(db, qs, row.shop_id, customerId);
}

async function followOrderDelivery(db: pg.Pool, qs: QueueSystem, deliveryId: string, topic: string): Promise<void> {
  const row = await deliveryOf(db, deliveryId);
  const orderId = row && orderIdOfPayload(topic, row.payload);
  if (orderId) await afterOrderChanged(db, qs, row.shop_id, orderId, topic === "orders/create");
}
