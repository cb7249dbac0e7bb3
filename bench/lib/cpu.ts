// CPU seconds used so far (user + system) by a process and, optionally, its children, read from
// /proc (Linux). On a shared machine wall time swings with the load; CPU time much less, and on
// N cores a run can never take less wall time than its CPU time / N.
import { readFileSync } from "node:fs";
import { readdirSync } from "node:fs";

const TICK = 100; // USER_HZ on Linux

function stat(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces: fields start after its closing parenthesis.
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** Fields after the name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime. */
function own(f: string[]): number {
  return (Number(f[11]) + Number(f[12])) / TICK;
}

/** CPU seconds of `pid`; with `tree`, plus its live children's and its exited children's. */
export function cpuSeconds(pid: number, tree = false): number {
  const f = stat(pid);
  if (!f) return 0;
  let total = own(f);
  if (!tree) return total;
  total += (Number(f[13]) + Number(f[14])) / TICK;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const c = stat(Number(name));
    if (c && Number(c[1]) === pid) total += own(c);
  }
  return total;
}

/** The PostgreSQL server's process id (the parent of every backend). */
export async function postmasterPid(query: (sql: string) => Promise<{ rows: { pid: number }[] }>): Promise<number> {
  const backend = (await query("select pg_backend_pid() as pid")).rows[0].pid;
  return Number(stat(backend)![1]);
}
