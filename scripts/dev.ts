// The development server Shopify CLI starts (`shopify app dev`, see shopify.web.toml):
// provides the database (embedded unless DATABASE_URL is set), applies migrations, then
// runs Remix's Vite dev server with hot reload, and the workers beside it.
import { spawn } from "node:child_process";
import { resolveDatabase } from "../prisma/database";
import { migrate } from "../prisma/migrate";
import { applyLocalSecrets } from "./lib/local-secrets";

if (!process.env.SHOPIFY_API_SECRET) applyLocalSecrets();
const database = await resolveDatabase();
await migrate(database.url);
const env = { ...process.env, DATABASE_URL: database.url };
const children = [
  spawn("npx", ["--no-install", "remix", "vite:dev"], { stdio: "inherit", env }),
  spawn("npx", ["--no-install", "tsx", "scripts/worker.ts"], { stdio: "inherit", env }),
];
const stop = () => {
  for (const c of children) c.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
await Promise.all(children.map((c) => new Promise((resolve) => c.once("exit", resolve))));
await database.stop();
