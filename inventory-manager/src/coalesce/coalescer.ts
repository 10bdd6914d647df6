/**
 * Adaptive batching without a timer (docs/design.md, "Batching without losing a
 * guarantee"). Calls are gathered per key (the product rows a Reserve locks):
 * a call whose keys are free starts a batch at the end of the current
 * event-loop turn, together with every call that arrived in that turn; a call
 * whose keys are taken by a batch running now waits, and when that batch
 * settles, the next one takes everything that waited, up to `maxBatch`. At low
 * load a batch is one call and adds no wait; under a burst batches grow by
 * themselves. Batches on disjoint keys run at the same time.
 *
 * Nothing here decides anything about stock: `run` is one database transaction
 * that decides every call under the row locks. Two processes coalescing on the
 * same row each run their batches, and the row lock orders them.
 *
 * Failure isolation: a refusal is one call's outcome. A batch whose
 * transaction fails as a whole with an error that retrying cannot help here
 * (`isWholeFailure`: the database is down, conflicts outlived their retries)
 * fails every call with it. Any other failure may belong to one request: the
 * batch is split in two halves, served one after the other (arrival order is
 * kept), recursively, until the request it belongs to fails alone and its
 * neighbours go through.
 */
import type { Logger } from '../../../common/src/logger';
import type { Outcome } from '../domain/batch';

export type { Outcome };

export interface CoalescerOptions<Req, Res> {
  /** Upper bound of calls per batch (one transaction). */
  maxBatch: number;
  /** What a call locks: two batches sharing a key never run at once in this process. */
  keysOf(req: Req): readonly string[];
  /** Serve a batch in one transaction: one outcome per call, in order. Throws when the transaction failed as a whole. */
  run(batch: readonly Req[]): Promise<Outcome<Res>[]>;
  /** True for a failure of the whole batch that splitting cannot help. */
  isWholeFailure(err: unknown): boolean;
  log: Logger;
}

/** Transactions run and calls answered; calls / batches is the mean batch size. */
export interface CoalescerStats {
  batches: number;
  calls: number;
}

interface Waiting<Req, Res> {
  req: Req;
  keys: readonly string[];
  resolve(res: Res): void;
  reject(err: unknown): void;
}

export class Coalescer<Req, Res> {
  readonly stats: CoalescerStats = { batches: 0, calls: 0 };
  private waiting: Waiting<Req, Res>[] = [];
  /** Keys of the batches running now. */
  private readonly busy = new Set<string>();
  private running = 0;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: CoalescerOptions<Req, Res>) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new Error(`maxBatch must be a positive integer, got ${options.maxBatch}`);
  }

  /** Serve one call with whatever batch it joins; resolves with its result, rejects with its refusal or failure. */
  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.waiting.push({ req, keys: [...new Set(this.options.keysOf(req))], resolve, reject });
      this.schedulePump();
    });
  }

  /** Calls waiting for a batch (not those of the batches running now). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Resolves when nothing waits and no batch runs (graceful stop). */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Start batches at the end of this event-loop turn: every call that arrives
   * in the same turn (a batch RPC's orders, the calls of one socket read) can
   * join the same batch. setImmediate, not a timer: it waits for nothing.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    for (let batch = this.take(); batch.length > 0; batch = this.take()) void this.serve(batch);
    this.notifyIdle();
  }

  /**
   * The next batch: waiting calls in arrival order whose keys are all free, up
   * to maxBatch. A call left waiting holds its keys for this pick, so a later
   * call on the same product never overtakes it.
   */
  private take(): Waiting<Req, Res>[] {
    const batch: Waiting<Req, Res>[] = [];
    const rest: Waiting<Req, Res>[] = [];
    const skipped = new Set<string>();
    for (const w of this.waiting) {
      if (batch.length < this.options.maxBatch && w.keys.every((k) => !this.busy.has(k) && !skipped.has(k))) batch.push(w);
      else {
        rest.push(w);
        for (const k of w.keys) skipped.add(k);
      }
    }
    if (batch.length > 0) {
      this.waiting = rest;
      for (const w of batch) for (const k of w.keys) this.busy.add(k);
    }
    return batch;
  }

  private async serve(batch: Waiting<Req, Res>[]): Promise<void> {
    this.running++;
    try {
      await this.isolate(batch);
    } catch (err) {
      // Only a bug gets here; no caller may hang on it (settling a settled call does nothing).
      for (const w of batch) w.reject(err);
    } finally {
      this.running--;
      for (const w of batch) for (const k of w.keys) this.busy.delete(k);
      // What waited for these keys goes now, in one batch: no need to wait for another turn.
      this.pump();
    }
  }

  private async isolate(batch: Waiting<Req, Res>[]): Promise<void> {
    this.stats.batches++;
    let outcomes: Outcome<Res>[];
    try {
      outcomes = await this.options.run(batch.map((w) => w.req));
      if (outcomes.length !== batch.length) throw new Error(`batch of ${batch.length} answered ${outcomes.length} outcomes`);
    } catch (err) {
      if (batch.length === 1 || this.options.isWholeFailure(err)) {
        this.stats.calls += batch.length;
        for (const w of batch) w.reject(err);
        return;
      }
      this.options.log.warn({ err, size: batch.length }, 'batch transaction failed: splitting it to isolate the request it belongs to');
      const half = Math.ceil(batch.length / 2);
      await this.isolate(batch.slice(0, half));
      await this.isolate(batch.slice(half));
      return;
    }
    this.stats.calls += batch.length;
    outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.error)));
  }

  private notifyIdle(): void {
    if (this.running > 0 || this.waiting.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * Serve a list in batches of at most `maxBatch`, one after the other, with the
 * coalescer's failure isolation but without gathering (the sweeper's job: its
 * candidates are already a list).
 */
export async function serveIsolated<Req, Res>(
  reqs: readonly Req[],
  options: Pick<CoalescerOptions<Req, Res>, 'maxBatch' | 'run' | 'isWholeFailure' | 'log'>,
): Promise<{ outcomes: (Outcome<Res> | { ok: false; error: unknown })[]; stats: CoalescerStats }> {
  const coalescer = new Coalescer<Req, Res>({ ...options, keysOf: () => ['*'] });
  const outcomes = await Promise.all(
    reqs.map((r) =>
      coalescer.submit(r).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    ),
  );
  return { outcomes, stats: coalescer.stats };
}
