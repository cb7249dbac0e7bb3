// A throwaway self-signed certificate for *.myshopify.com and 127.0.0.1, made with the
// openssl CLI (tests and demo only). undefined when openssl is missing: serve plain HTTP.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface SimCert { key: string; cert: string }

let cached: SimCert | undefined | null;

export function simCertificate(): SimCert | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), "store-sim-tls-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
      "-subj", "/CN=store-sim", "-addext", "subjectAltName=DNS:*.myshopify.com,DNS:localhost,IP:127.0.0.1",
    ], { stdio: "ignore" });
    cached = { key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert: readFileSync(path.join(dir, "cert.pem"), "utf8") };
  } catch {
    cached = null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cached ?? undefined;
}
