import type { Logger } from '../../common/src/logger';
import type { InventoryRepo } from './db/inventory-repo';

/**
 * Every inventory manager instance sweeps; the conditional release makes
 * concurrent sweepers safe, so no leader election is needed.
 */
export function startSweeper(repo: InventoryRepo, log: Logger, intervalMs: number, batchSize: number): () => Promise<void> {
  if (intervalMs <= 0) return async () => undefined;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = async () => {
    try {
      // Drain: keep sweeping full batches without waiting for the next tick.
      while (!stopped && (await repo.sweepExpired(batchSize)) === batchSize);
    } catch (err) {
      log.warn({ err }, 'sweep failed, will retry');
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = tick().finally(() => (running = null));
  }, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
