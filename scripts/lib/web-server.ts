// Serves the built Remix app (build/) over HTTP with Express: static assets with long
// cache for hashed files, everything else through Remix.
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const BUILD_DIR = path.join(ROOT, "build");

export async function startWebServer(port: number, host = "0.0.0.0"): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const serverBuild = path.join(BUILD_DIR, "server", "index.js");
  if (!existsSync(serverBuild)) throw new Error("no build found: run `npm run build` first");
  const build = (await import(pathToFileURL(serverBuild).href)) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  app.use("/assets", express.static(path.join(BUILD_DIR, "client", "assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(BUILD_DIR, "client"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, host, () => resolve(s));
  });
  const actualPort = (server.address() as { port: number }).port;
  return {
    server,
    url: `http://localhost:${actualPort}`,
    close: () => new Promise((res) => server.close(() => res())),
  };
}
