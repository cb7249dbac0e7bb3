// Named statements: one text always gets the same name, different texts different names, and
// a named statement runs (and reruns) on a real connection with its values.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepared } from "../../jobs/prepared";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase("prepared"); });
afterAll(async () => db?.drop());

describe("prepared", () => {
  it("names a text by its content", () => {
    const a = prepared("select $1::int + 1 as n");
    expect(a).toEqual(prepared("select $1::int + 1 as n"));
    expect(a.name).toMatch(/^wb_[0-9a-f]{24}$/);
    expect(prepared("select $1::int + 2 as n").name).not.toBe(a.name);
  });

  it("runs as a named statement, again and again on one connection", async () => {
    const client = await db.pool.connect();
    try {
      for (let i = 0; i < 8; i++) {
        const r = await client.query<{ n: number }>({ ...prepared("select $1::int + 1 as n"), values: [i] });
        expect(r.rows[0].n).toBe(i + 1);
      }
      const named = await client.query<{ name: string }>(`select name from pg_prepared_statements`);
      expect(named.rows.map((r) => r.name)).toContain(prepared("select $1::int + 1 as n").name);
    } finally {
      client.release();
    }
  });
});
