// The Klaviyo queue: one job syncs one shop (profiles with scores, consent, segment lists) to
// Klaviyo through app/models/klaviyo.server.ts. Nightly, every installed shop with Klaviyo
// connected gets one (deterministic job ids: one per shop and day); "Sync now" on the Channels
// page queues one at once. The outcome is written to the audit log, and a failure raises an
// alert the merchant sees.
import type pg from "pg";
import type { Logger } from "pino";
import { klaviyoClientForShop, syncShopToKlaviyo } from "../../app/models/klaviyo.server";
import { raiseAlert } from "../journeys/definitions";
import type { QueueName, QueueSystem } from "../queues";
import { forActiveShop } from "../shop-guard";

export const KLAVIYO_QUEUE: QueueName = "klaviyo";

export type KlaviyoJob = { kind: "sync-shop"; shopId: number };

export type KlaviyoSyncOutcome =
  | { synced: true; profiles: number; subscribed: number; unsubscribed: number; lists: number }
  | { synced: false; reason: string };

export async function enqueueKlaviyoSync(qs: QueueSystem, shopId: number, key: string): Promise<void> {
  await qs.queue<KlaviyoJob>(KLAVIYO_QUEUE).add("sync-shop", { kind: "sync-shop", shopId }, { jobId: `klaviyo-${shopId}-${key}` });
}

/** The nightly fan-out: every installed shop with Klaviyo connected, once per day. */
export async function enqueueNightlyKlaviyoSync(db: pg.Pool, qs: QueueSystem, day: string): Promise<number> {
  const shops = await db.query<{ id: number }>(
    `select s.id from shops s join provider_credentials p on p.shop_id = s.id and p.provider = 'klaviyo' where s.status = 'installed'`);
  for (const { id } of shops.rows) await enqueueKlaviyoSync(qs, id, day);
  return shops.rows.length;
}

export async function syncKlaviyoShop(db: pg.Pool, shopId: number, now: Date): Promise<KlaviyoSyncOutcome> {
  const client = await klaviyoClientForShop(db, shopId);
  if (!client.ok) return record(db, shopId, now, { synced: false, reason: client.error });
  if (!client.value) return { synced: false, reason: "Klaviyo is not connected" };
  const r = await syncShopToKlaviyo(db, shopId, client.value, { now });
  const outcome: KlaviyoSyncOutcome = r.ok
    ? { synced: true, profiles: r.value.profiles, subscribed: r.value.subscribed, unsubscribed: r.value.unsubscribed, lists: r.value.lists.length }
    : { synced: false, reason: `${r.error.kind}: ${r.error.message}` };
  return record(db, shopId, now, outcome);
}

async function record(db: pg.Pool, shopId: number, now: Date, outcome: KlaviyoSyncOutcome): Promise<KlaviyoSyncOutcome> {
  await db.query(
    `insert into audit_log (shop_id, actor, action, entity, entity_id, after, at) values ($1, 'klaviyo-sync', $2, 'provider', 'klaviyo', $3, $4)`,
    [shopId, outcome.synced ? "klaviyo.synced" : "klaviyo.sync_failed", JSON.stringify(outcome), now]);
  if (!outcome.synced) {
    await raiseAlert(db, shopId, {
      kind: "provider_failure", severity: "warning", message: `Klaviyo sync failed: ${outcome.reason}`,
      details: { provider: "klaviyo" }, dedupeKey: `klaviyo-sync:${now.toISOString().slice(0, 10)}`,
    });
  }
  return outcome;
}

export function registerKlaviyoWorker(deps: { qs: QueueSystem; db: pg.Pool; logger: Logger }) {
  return deps.qs.worker<KlaviyoJob>(KLAVIYO_QUEUE, async (job) => {
    const run = await forActiveShop(deps.db, job.data.shopId, () => syncKlaviyoShop(deps.db, job.data.shopId, new Date()));
    deps.logger.info({ shopId: job.data.shopId, outcome: run.ran ? run.result : run }, "klaviyo sync processed");
    return run.ran ? run.result : run;
  }, { concurrency: 1 });
}
