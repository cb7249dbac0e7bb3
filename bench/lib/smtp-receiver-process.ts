// A local smtp-server in a process of its own, for the send benchmark: the receiving side's
// parsing must not share the sender's thread (a real provider's servers are elsewhere).
//   child: tsx bench/lib/smtp-receiver-process.ts   (prints {"port":N}, then on stdin end {"received":N})
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { SMTPServer } from "smtp-server";

export interface SmtpReceiver { port: number; close(): Promise<number> }

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve(import.meta.dirname, "smtp-receiver-process.ts")], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`smtp receiver exited (${code})`)));
  });
  const { port } = JSON.parse(await next()) as { port: number };
  return {
    port,
    close: async () => {
      const done = next();
      child.stdin!.end();
      return (JSON.parse(await done) as { received: number }).received;
    },
  };
}

async function main() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _s, cb) {
      stream.on("data", () => {});
      stream.on("end", () => {
        received++;
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.stdout.write(JSON.stringify({ port: (server.server.address() as AddressInfo).port }) + "\n");
  process.stdin.resume();
  process.stdin.once("end", () => {
    process.stdout.write(JSON.stringify({ received }) + "\n", () => server.close(() => process.exit(0)));
  });
}

if (import.meta.filename === process.argv[1]) await main();
