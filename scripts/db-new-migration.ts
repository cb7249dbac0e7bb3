// npm run db:migration -- NAME: writes prisma/migrations/<timestamp>_NAME/migration.sql with
// the SQL that takes the database from the last migration's datamodel
// (prisma/schema.migrated.prisma) to prisma/schema.prisma, then records the new datamodel.
// Prisma's own `migrate dev` needs a schema engine that cannot run here; `migrate diff`
// between two datamodels can.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { resolveDatabase } from "../prisma/database";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name_in_snake_case>");
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, "..");
const schema = path.join(root, "prisma", "schema.prisma");
const migrated = path.join(root, "prisma", "schema.migrated.prisma");
const database = await resolveDatabase();
const r = spawnSync("npx", ["--no-install", "prisma", "migrate", "diff", "--from-schema-datamodel", migrated, "--to-schema-datamodel", schema, "--script"], {
  cwd: root,
  encoding: "utf8",
  env: { ...process.env, DATABASE_URL: database.url },
});
await database.stop();
if (r.status !== 0) {
  console.error(r.stderr);
  process.exit(1);
}
if (!/\b(create|alter|drop)\b/i.test(r.stdout)) {
  console.log("schema.prisma has no changes since the last migration");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(root, "prisma", "migrations", `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), r.stdout);
const header = readFileSync(migrated, "utf8").split("\n").filter((l) => l.startsWith("// ")).slice(0, 2).join("\n");
writeFileSync(migrated, `${header}\n${readFileSync(schema, "utf8")}`);
console.log(`wrote ${path.relative(root, dir)}/migration.sql; apply it with npm run db:migrate`);
