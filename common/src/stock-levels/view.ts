/**
 * Pushed stock levels, the receiving side: what one process knows of each
 * product's counters (docs/design.md, "Pushed stock levels"). A level replaces
 * the one held only if its version is higher; the same version refreshes when
 * it was last heard of; an older one, arriving late, is ignored. A product not
 * heard of for `staleAfterMs`, or any product while the view is not trusted
 * (before the first snapshot, and from a lost broker connection until the
 * snapshot after the reconnect), is unknown: the caller asks the workers
 * instead of assuming. The view only ever refuses: a unit is granted by the
 * inventory manager's transaction alone.
 */
import type { ErrorCode } from '../../../contracts/errors';
import { type StockLevel, refusalFor, refusalMessage } from '../../../contracts/stock';

/** A product not heard about for this long is unknown. */
export const STALE_AFTER_MS = 5_000;

export interface StockRefusal {
  code: ErrorCode;
  message: string;
}

export interface StockLevelsReader {
  /** The level of a product, if it is known and current; undefined means "ask". */
  known(productId: string): StockLevel | undefined;
  /** Why `wanted` units of the product cannot be had now, from a current level; null when they may (or the level is unknown). */
  refusal(productId: string, wanted: number): StockRefusal | null;
}

interface Held {
  level: StockLevel;
  heardAt: number;
}

export class StockLevels implements StockLevelsReader {
  private readonly levels = new Map<string, Held>();
  private trusted = false;
  /** Levels applied and ignored (older than the one held), for tests and metrics. */
  readonly stats = { applied: 0, ignored: 0 };

  constructor(
    private readonly staleAfterMs = STALE_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keep the level if it is newer than the one held (true), refresh it if the same, ignore it if older (false). */
  apply(level: StockLevel): boolean {
    const held = this.levels.get(level.productID);
    const at = this.now();
    if (held && level.version < held.level.version) {
      this.stats.ignored++;
      return false;
    }
    if (held && level.version === held.level.version) {
      held.heardAt = at;
      return false;
    }
    this.levels.set(level.productID, { level, heardAt: at });
    this.stats.applied++;
    return true;
  }

  /** A snapshot was loaded after the latest (re)connect: current levels may be used. */
  trust(): void {
    this.trusted = true;
  }

  /** Events may have been missed (the connection was lost): nothing is known until the next snapshot. */
  distrust(): void {
    this.trusted = false;
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  known(productId: string): StockLevel | undefined {
    if (!this.trusted) return undefined;
    const held = this.levels.get(productId);
    if (!held || this.now() - held.heardAt > this.staleAfterMs) return undefined;
    return held.level;
  }

  refusal(productId: string, wanted: number): StockRefusal | null {
    const level = this.known(productId);
    if (!level) return null;
    const code = refusalFor(level, wanted);
    return code ? { code, message: refusalMessage(code, productId, wanted, level) } : null;
  }
}
