// The imports worker: CSV and WooCommerce import runs, and WooCommerce webhook deliveries.
// It only translates a message (ids) into a call; runs go through forActiveShop.
import type pg from "pg";
import { parseEncryptionKey } from "../../core/secrets/seal";
import type { Logger } from "pino";
import { forActiveShop } from "../shop-guard";
import type { QueueSystem } from "../queues";
import { IMPORTS_QUEUE, type ImportJob } from "./queue";
import { runImport } from "./run-import";
import { applyWooDelivery } from "./woo-delivery";

export function registerImportsWorker(deps: { qs: QueueSystem; db: pg.Pool; logger: Logger; encryptionKey?: () => Buffer | undefined }) {
  const { qs, db, logger } = deps;
  const key = deps.encryptionKey ?? defaultKey;
  return qs.worker<ImportJob>(IMPORTS_QUEUE, async (job) => {
    const data = job.data;
    if (data.type === "woo-delivery") {
      const outcome = await applyWooDelivery(db, data.deliveryId, new Date());
      logger.info({ deliveryId: data.deliveryId, outcome }, "woocommerce delivery processed");
      return outcome;
    }
    const outcome = await forActiveShop(db, data.shopId, () => runImport(db, data.shopId, data.runId, { encryptionKey: key() }));
    const summary = outcome.ran ? { ...outcome.result, rejected: outcome.result.rejected.length } : outcome;
    logger.info({ runId: data.runId, shopId: data.shopId, outcome: summary }, "import run processed");
    return summary;
  }, { concurrency: 2 });
}

function defaultKey(): Buffer | undefined {
  const raw = process.env.WINBACK_ENCRYPTION_KEY;
  const key = raw ? parseEncryptionKey(raw) : undefined;
  return key?.ok ? key.value : undefined;
}
