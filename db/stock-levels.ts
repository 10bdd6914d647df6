/**
 * The read of pushed stock levels (docs/design.md, "Pushed stock levels"): a
 * product's committed counters and stock_version, without locks. Shared by the
 * inventory manager, which publishes them after each change and in its
 * heartbeat, the seed command, which publishes a restock, and the gateway,
 * whose snapshot on every (re)connect is this read of every product. It only
 * reads: the inventory manager alone writes product_details.
 */
import type { Pool, RowDataPacket } from '../common/src/db';
import type { StockLevel } from '../contracts/stock';

interface LevelRow extends RowDataPacket {
  product_id: string;
  quantity: number;
  reserved: number;
  sold: number;
  stock_version: number | string;
}

const LEVELS = 'SELECT product_id, quantity, reserved, sold, stock_version FROM product_details';

/** These products' levels, or every product's ('all', the first `limit` by id when a limit is given). */
export async function readLevels(db: Pool, productIds: readonly string[] | 'all', limit?: number): Promise<StockLevel[]> {
  if (productIds !== 'all' && productIds.length === 0) return [];
  const [rows] =
    productIds !== 'all'
      ? await db.query<LevelRow[]>(`${LEVELS} WHERE product_id IN (?)`, [[...productIds]])
      : limit === undefined
        ? await db.query<LevelRow[]>(LEVELS)
        : await db.query<LevelRow[]>(`${LEVELS} ORDER BY product_id LIMIT ?`, [limit]);
  return rows.map((r) => ({ productID: r.product_id, available: r.quantity, reserved: r.reserved, sold: r.sold, version: Number(r.stock_version) }));
}
