// Group work that many concurrent jobs of one process ask for into batches: each caller
// submits one id and awaits its own result, while the batch function runs once for up to
// `max` ids of a shop in one transaction. A batch starts as soon as a lane is free, so a lone
// request is not delayed; under load, requests pile up while the lanes are busy and go
// together (group-commit style). An id already in a running or forming batch waits for the
// next one, so the same row is never in two batches of this process at once.
export interface BatchOptions {
  /** Most ids in one batch. */
  max: number;
  /** Batches in flight at once (each holds one database connection). */
  lanes: number;
}

export const DEFAULT_BATCH: BatchOptions = { max: 100, lanes: 3 };

interface Pending<R> {
  shopId: number;
  id: string;
  resolve(r: R): void;
  reject(e: unknown): void;
}

export class Coalescer<R> {
  private queue: Pending<R>[] = [];
  private running = 0;
  private inFlight = new Set<string>();
  private scheduled = false;

  constructor(private readonly run: (shopId: number, ids: string[]) => Promise<Map<string, R>>, private readonly opts: BatchOptions) {}

  submit(shopId: number, id: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ shopId, id, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let the submissions of this turn of the event loop join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      this.kick();
    });
  }

  private kick(): void {
    while (this.running < this.opts.lanes && this.queue.length > 0) {
      const shopId = this.queue[0].shopId;
      const taken: Pending<R>[] = [];
      const ids = new Set<string>();
      const rest: Pending<R>[] = [];
      for (const p of this.queue) {
        const key = `${p.shopId}:${p.id}`;
        if (taken.length < this.opts.max && p.shopId === shopId && !ids.has(p.id) && !this.inFlight.has(key)) {
          taken.push(p);
          ids.add(p.id);
        } else rest.push(p);
      }
      if (taken.length === 0) return; // everything left waits for a batch in flight
      this.queue = rest;
      for (const id of ids) this.inFlight.add(`${shopId}:${id}`);
      this.running++;
      this.run(shopId, [...ids]).then(
        (results) => {
          for (const p of taken) {
            if (results.has(p.id)) p.resolve(results.get(p.id)!);
            else p.reject(new Error(`batch returned no result for ${p.id}`));
          }
        },
        (e) => { for (const p of taken) p.reject(e); },
      ).finally(() => {
        for (const id of ids) this.inFlight.delete(`${shopId}:${id}`);
        this.running--;
        this.kick();
      });
    }
  }
}

/**
 * Work a job hands on instead of waiting for: at most `limit` pieces run at once in this
 * process (a job waits for a free slot, which is the back-pressure on the queue). Whatever
 * was running when the process dies is found again by the sweeper (wake_at, messages.status).
 */
export class Background {
  private running = new Set<Promise<void>>();
  private waiting: (() => void)[] = [];

  constructor(private readonly limit: number, private readonly onError: (e: unknown) => void) {}

  async run(work: () => Promise<unknown>): Promise<void> {
    while (this.running.size >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    const p: Promise<void> = work().then(() => undefined, this.onError).finally(() => {
      this.running.delete(p);
      this.waiting.shift()?.();
    });
    this.running.add(p);
  }

  /** Wait for everything handed on so far. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
