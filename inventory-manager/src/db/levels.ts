import type { Pool, RowDataPacket } from '../../../common/src/db';
import type { StockLevel } from '../../../contracts/stock';

/** Most products a heartbeat carries; a bigger catalogue is heard about only as it changes. */
export const HEARTBEAT_PRODUCT_LIMIT = 10_000;

interface LevelRow extends RowDataPacket {
  product_id: string;
  quantity: number;
  reserved: number;
  sold: number;
  stock_version: number | string;
}

/** Committed counters and stock_version of these products (or of every product, up to the limit), without locks. */
export async function readLevels(pool: Pool, productIds: readonly string[] | 'all'): Promise<StockLevel[]> {
  if (productIds !== 'all' && productIds.length === 0) return [];
  const [rows] =
    productIds === 'all'
      ? await pool.query<LevelRow[]>('SELECT product_id, quantity, reserved, sold, stock_version FROM product_details ORDER BY product_id LIMIT ?', [
          HEARTBEAT_PRODUCT_LIMIT,
        ])
      : await pool.query<LevelRow[]>('SELECT product_id, quantity, reserved, sold, stock_version FROM product_details WHERE product_id IN (?)', [
          [...productIds],
        ]);
  return rows.map((r) => ({ productID: r.product_id, available: r.quantity, reserved: r.reserved, sold: r.sold, version: Number(r.stock_version) }));
}
