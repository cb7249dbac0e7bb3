import { pool } from "../db.server";
import { queues } from "../../jobs/queues";

// Liveness and readiness for load balancers and uptime checks: database and queue.
export async function loader() {
  const checks: Record<string, { ok: boolean; ms: number; error?: string; backend?: string }> = {};
  const time = async (name: string, f: () => Promise<unknown>, extra: { backend?: string } = {}) => {
    const t = performance.now();
    try {
      await f();
      checks[name] = { ok: true, ms: Math.round(performance.now() - t), ...extra };
    } catch (e) {
      checks[name] = { ok: false, ms: Math.round(performance.now() - t), error: (e as Error).message, ...extra };
    }
  };
  await time("database", () => pool().query("select 1"));
  await time("queue", () => queues().ping(), { backend: queues().kind });
  const ok = Object.values(checks).every((c) => c.ok);
  return Response.json({ status: ok ? "ok" : "degraded", checks }, { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
