/**
 * Pushed stock levels, the sending side (docs/design.md, "Pushed stock
 * levels"). After every transaction that moves a product's counters, its
 * levels go out on the stock-levels fanout exchange: the first change after a
 * quiet spell at once (at the end of that turn, so the products of one turn
 * share a message), later ones gathered into at most one message per
 * `intervalMs`. The levels are read after the commit, with the stock_version
 * that transaction wrote, so a message carries committed state at least as new
 * as the change that caused it. Every `heartbeatMs`, every product's levels go
 * out too: receivers treat a product they have not heard about for a few
 * seconds as unknown, and a message lost on the way is made good by the next
 * heartbeat. Publishing is best effort: nothing decides stock from these
 * levels, only refusals that a buyer may retry.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../../common/src/logger';
import { MAX_LEVELS_PER_MESSAGE, type StockLevelsMessage } from '../../../contracts/messages';
import type { StockLevel } from '../../../contracts/stock';

/** Most products a heartbeat carries; a bigger catalogue is heard about only as it changes. */
export const HEARTBEAT_PRODUCT_LIMIT = 10_000;

export interface LevelsPublisherOptions {
  /** At most one message of changes per this many ms (the first after a quiet spell goes at once). */
  intervalMs: number;
  /** Every product's levels this often (0: no heartbeat). */
  heartbeatMs: number;
}

export interface LevelsPublisherDeps {
  /** Committed levels of these products, or of every product. */
  read(productIds: readonly string[] | 'all'): Promise<StockLevel[]>;
  /** Put one message on the exchange. */
  send(message: StockLevelsMessage): Promise<void>;
  log: Logger;
}

export class StockLevelsPublisher {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  /** Messages sent (changes and heartbeats), for tests and metrics. */
  sent = 0;

  constructor(
    private readonly deps: LevelsPublisherDeps,
    private readonly options: LevelsPublisherOptions,
  ) {}

  /** The StockChangeListener of the repositories: these products' counters moved in a transaction that committed. */
  readonly changed = (productIds: readonly string[]): void => {
    if (this.stopped) return;
    for (const id of productIds) this.dirty.add(id);
    this.schedule();
  };

  start(): void {
    if (this.options.heartbeatMs > 0 && !this.heartbeat) {
      this.heartbeat = setInterval(() => this.track(this.publish('all')), this.options.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Every product's levels now (a restock from the seed command, a start). */
  publishAll(): Promise<void> {
    return this.track(this.publish('all'));
  }

  /** Stop the timers; the changes already noted go out first (bounded by the caller). */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
      this.scheduled = false;
    }
    if (this.dirty.size > 0) this.flush();
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastFlushAt + this.options.intervalMs - performance.now();
    const run = () => {
      this.timer = null;
      this.scheduled = false;
      this.flush();
    };
    this.timer = wait > 0 ? setTimeout(run, wait) : setImmediate(run);
  }

  private flush(): void {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    this.lastFlushAt = performance.now();
    void this.track(this.publish(ids));
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  private async publish(which: readonly string[] | 'all'): Promise<void> {
    try {
      const levels = await this.deps.read(which);
      for (let i = 0; i < levels.length; i += MAX_LEVELS_PER_MESSAGE) {
        await this.deps.send({ levels: levels.slice(i, i + MAX_LEVELS_PER_MESSAGE) });
        this.sent++;
      }
    } catch (err) {
      // The broker or the database is away: receivers will not hear from us and
      // treat these products as unknown (they ask the workers) until the next heartbeat gets through.
      this.deps.log.debug({ err, products: which === 'all' ? 'all' : which.length }, 'stock levels not published');
    }
  }
}
