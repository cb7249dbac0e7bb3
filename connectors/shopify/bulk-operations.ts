// Starting and waiting for bulk queries through the Admin client.
import { err, ok, type Result } from "../../core/result";
import type { AdminGraphql, ClientError } from "./client";
import { BULK_QUERIES, operation, type BulkKind } from "./operations";

export interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  completedAt: string | null;
  rootObjectCount: string;
  url: string | null;
}

export type BulkError =
  | { kind: "client"; error: ClientError }
  | { kind: "bulk-user-error"; message: string }
  | { kind: "bulk-failed"; status: string; errorCode: string | null };

export interface Waiting {
  pollIntervalMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Resolves when the bulk_operations/finish webhook for this operation arrives. */
  waitForFinish?: (operationId: string) => Promise<void>;
}

type RunPayload = {
  bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: { message: string; code: string | null }[] };
};

/** Starts the bulk query for `kind`; waits while the shop's concurrent slots are all taken. */
/** The bulkOperationRunQuery variables for a kind. Only customers have no children; grouping elsewhere lets the reader join streaming. */
export function bulkRunVariables(kind: BulkKind): { query: string; groupObjects: boolean } {
  return { query: BULK_QUERIES[kind], groupObjects: kind !== "customers" };
}

export async function startBulkQuery(client: AdminGraphql, kind: BulkKind, w: Waiting): Promise<Result<string, BulkError>> {
  for (let attempt = 0; ; attempt++) {
    const r = await client.request<RunPayload>(operation("bulk-run-query"), bulkRunVariables(kind));
    if (!r.ok) return err({ kind: "client", error: r.error });
    const p = r.value.data.bulkOperationRunQuery;
    if (p.bulkOperation) return ok(p.bulkOperation.id);
    const busy = p.userErrors.some((u) => u.code === "LIMIT_REACHED" || u.code === "OPERATION_IN_PROGRESS");
    if (busy && attempt < 120) {
      await w.sleep(w.pollIntervalMs);
      continue;
    }
    return err({ kind: "bulk-user-error", message: p.userErrors.map((u) => u.message).join("; ") });
  }
}

/** Polls (or takes the finish webhook) until the operation is no longer in flight. */
export async function awaitBulkOperation(client: AdminGraphql, id: string, w: Waiting): Promise<Result<BulkOperation, BulkError>> {
  for (;;) {
    const r = await client.request<{ bulkOperation: BulkOperation | null }>(operation("bulk-operation"), { id });
    if (!r.ok) return err({ kind: "client", error: r.error });
    const op = r.value.data.bulkOperation;
    if (!op) return err({ kind: "bulk-failed", status: "NOT_FOUND", errorCode: null });
    if (op.status !== "CREATED" && op.status !== "RUNNING" && op.status !== "CANCELING") return ok(op);
    await (w.waitForFinish ? Promise.race([w.waitForFinish(id), w.sleep(w.pollIntervalMs)]) : w.sleep(w.pollIntervalMs));
  }
}
