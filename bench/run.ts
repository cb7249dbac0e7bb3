// npm run bench -- NAME [--size N] [--batch N] [--phases] [--backend redis|postgres]: runs bench/NAME.ts and prints one JSON line
// {"bench": NAME, ...figures} per result it returns.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const { positionals, values } = parseArgs({ allowPositionals: true, options: { size: { type: "string" }, batch: { type: "string" }, phases: { type: "boolean" }, backend: { type: "string" } } });
const name = positionals[0];
const available = readdirSync(import.meta.dirname).filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("lib")).map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME [--size N]\nbenchmarks: ${available.join(", ")}`);
  process.exit(2);
}
const mod = (await import(path.join(import.meta.dirname, `${name}.ts`))) as {
  run(opts: { size?: number; batch?: number; phases?: boolean; backend?: string }): Promise<Record<string, unknown> | Record<string, unknown>[]>;
  /** Node flags the code under test runs with in production (e.g. the worker's heap limit). */
  nodeFlags?: string[];
};
// A benchmark that declares node flags runs in a child started with them, so it is measured
// as it runs in production.
if (mod.nodeFlags?.length && !process.env.WINBACK_BENCH_CHILD) {
  const r = spawnSync(process.execPath, [...mod.nodeFlags, "--import", "tsx", import.meta.filename, ...process.argv.slice(2)], {
    stdio: "inherit", env: { ...process.env, WINBACK_BENCH_CHILD: "1" },
  });
  process.exit(r.status ?? 1);
}
const size = values.size ? Number(values.size) : undefined;
if (size !== undefined && !(size > 0)) {
  console.error("--size must be a positive number");
  process.exit(2);
}
if (values.backend !== undefined && values.backend !== "redis" && values.backend !== "postgres") {
  console.error("--backend must be redis or postgres");
  process.exit(2);
}
const batch = values.batch ? Number(values.batch) : undefined;
const result = await mod.run({ size, batch, phases: values.phases, backend: values.backend });
for (const line of Array.isArray(result) ? result : [result]) console.log(JSON.stringify({ bench: name, ...line }));
process.exit(0);
