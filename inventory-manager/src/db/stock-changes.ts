/**
 * Which products' counters a transaction moved, told to a listener once the
 * transaction has committed (the pushed stock levels: levels/publisher.ts).
 * The two functions that move counters (moveStock, applyMovements) note the
 * products on their connection; a transaction started with stockTransaction
 * hands them over after its commit. A rolled-back attempt tells nothing, and a
 * retried one starts from an empty set.
 */
import { type Pool, type PoolConnection, type TransactionOptions, withTransaction } from '../../../common/src/db';

/** Told after a commit, with the products whose counters it moved; must not throw. */
export type StockChangeListener = (productIds: readonly string[]) => void;

const changes = new WeakMap<PoolConnection, Set<string>>();

/** Record, in the caller's transaction, that these products' counters moved. */
export function noteStockChange(conn: PoolConnection, productIds: Iterable<string>): void {
  const set = changes.get(conn);
  if (!set) return;
  for (const id of productIds) set.add(id);
}

/** withTransaction, and after the commit the listener hears which products' counters moved. */
export async function stockTransaction<T>(
  pool: Pool,
  work: (conn: PoolConnection) => Promise<T>,
  options: TransactionOptions,
  listener: StockChangeListener | undefined,
): Promise<T> {
  let moved = new Set<string>();
  const result = await withTransaction(
    pool,
    async (conn) => {
      moved = new Set();
      changes.set(conn, moved);
      try {
        return await work(conn);
      } finally {
        changes.delete(conn);
      }
    },
    options,
  );
  if (moved.size > 0) listener?.([...moved]);
  return result;
}
