// The whole project typechecks under TypeScript strict mode: a type error fails the suite,
// so CI (which runs only `npm test`) catches it too.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

it("tsc --noEmit reports no errors", () => {
  const root = path.resolve(import.meta.dirname, "..");
  const r = spawnSync("npx", ["--no-install", "tsc", "--noEmit", "--pretty", "false"], { cwd: root, encoding: "utf8", timeout: 600_000 });
  const errors = r.stdout.split("\n").filter((l) => /error TS\d+/.test(l));
  expect(errors).toEqual([]);
  expect(r.status).toBe(0);
}, 600_000);
