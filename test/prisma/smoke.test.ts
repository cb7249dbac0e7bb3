import { afterAll, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/db";

const db = await createTestDatabase();
afterAll(() => db.drop());

it("clones a migrated database", async () => {
  const r = await db.pool.query(`select count(*)::int as n from shops`);
  expect(r.rows[0].n).toBe(0);
});
