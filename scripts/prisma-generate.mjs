// Generates the Prisma client offline. Prisma's CLI needs DATABASE_URL to read the schema
// (without it it falls back to the binary engine and tries to download one); any
// well-formed URL will do for `generate`, which never connects.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("prisma/schema.prisma")) process.exit(0);
const env = { ...process.env };
env.DATABASE_URL ||= "postgresql://generate:generate@127.0.0.1:5432/generate";
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const r = spawnSync("npx", ["--no-install", "prisma", "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
