import type { Logger } from '../../../common/src/logger';
import { runPeriodically } from '../../../common/src/periodic';
import type { InventoryRepo } from '../db/inventory-repo';

/**
 * Returns expired holds to stock every `intervalMs` (0: never). Every
 * inventory manager instance sweeps; the conditional release makes concurrent
 * sweepers safe, so no leader election is needed. Resolves stop().
 */
export function startSweeper(repo: Pick<InventoryRepo, 'sweepExpired'>, log: Logger, intervalMs: number, batchSize: number): () => Promise<void> {
  if (intervalMs <= 0) return async () => undefined;
  return runPeriodically(
    intervalMs,
    async (isStopped) => {
      // Drain: keep sweeping full batches without waiting for the next tick.
      while (!isStopped() && (await repo.sweepExpired(batchSize)) === batchSize);
    },
    log,
    'sweep',
  );
}
