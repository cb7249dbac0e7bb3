// Starts one real PostgreSQL for the whole test run (a fresh cluster in a temporary
// directory, or TEST_DATABASE_SERVER_URL when given) and migrates a template database that
// every test file clones (test/helpers/db.ts).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureDatabaseExists, startEmbeddedPostgres, withDatabase } from "../../prisma/embedded";
import { migrate } from "../../prisma/migrate";

export const TEMPLATE_DATABASE = "winback_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  try {
    return await startDatabase(project);
  } catch (e) {
    // Vitest can swallow a failing global setup's reason; say it plainly.
    console.error("test database setup failed:", e);
    throw e;
  }
}

async function startDatabase(project: TestProject) {
  let serverUrl = process.env.TEST_DATABASE_SERVER_URL;
  let stop = async () => {};
  let dir: string | undefined;
  if (!serverUrl) {
    dir = mkdtempSync(path.join(os.tmpdir(), "winback-test-pg-"));
    const server = await startEmbeddedPostgres(dir);
    serverUrl = server.serverUrl;
    stop = server.stop;
  }
  await ensureDatabaseExists(serverUrl, TEMPLATE_DATABASE);
  await migrate(withDatabase(serverUrl, TEMPLATE_DATABASE));
  project.provide("pgServerUrl", serverUrl);
  return async () => {
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
