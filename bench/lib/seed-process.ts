// Seeds a generated demo shop into the database at argv[2] (url) in a process of its own, so
// the benchmark that measures a job under the worker's heap limit does not pay for, or run
// out of memory on, the generator's in-memory store. Prints {"shopId", "orders"}.
import pg from "pg";
import { seedDemoShop } from "../../scripts/demo-data/seed";

const [url, customers, seed, domain, now] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 2 });
pool.on("error", () => {});
const { shopId, orders } = await seedDemoShop(pool, { now: new Date(now), customers: Number(customers), seed: Number(seed), domain });
await pool.query("analyze");
await pool.end();
console.log(JSON.stringify({ shopId, orders }));
