import { afterAll, expect, it } from "vitest";
import { createQueueSystem } from "../../jobs/queues";
import { enqueueNightlySegmentRefresh, SEGMENTS_QUEUE } from "../../jobs/segments/worker";
import { createTestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const db = await createTestDatabase();
const qs = createQueueSystem({ databaseUrl: db.url });
afterAll(async () => {
  await qs.close();
  await db.drop();
});

it("queues one full segment refresh per installed shop per day", async () => {
  const a = await insertShop(db.pool, "nightly-a.myshopify.com");
  const b = await insertShop(db.pool, "nightly-b.myshopify.com");
  await db.pool.query(`update shops set status = 'uninstalled' where id = $1`, [b]);
  expect(await enqueueNightlySegmentRefresh(db.pool, qs, "2026-11-23")).toBe(1);
  expect(await enqueueNightlySegmentRefresh(db.pool, qs, "2026-11-23")).toBe(1);
  const jobs = await qs.queue(SEGMENTS_QUEUE).getJobs(["waiting", "delayed", "prioritized"]);
  expect(jobs.map((j) => j.data)).toEqual([{ kind: "refresh-shop", shopId: a }]);
});
