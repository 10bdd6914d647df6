import { type Pool, type PoolConnection } from '../../../common/src/db';
import { AppError } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import { type ProductSeed, changedColumns, newProductOf } from '../domain/restock';
import { type StockChangeListener, stockTransaction } from './stock-changes';
import { type ProductLevel, lockProducts, moveStock, readProduct } from './stock-tables';

export type RestockResult = ProductLevel & { created: boolean };

/** Products: their counters (CheckQuantity) and restock, the only way stock comes in. */
export class ProductRepo {
  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    /** Told after a restock commits (the pushed stock levels). */
    private readonly onStockChange?: StockChangeListener,
  ) {}

  async checkQuantity(productId: string): Promise<ProductLevel> {
    const level = await readProduct(this.pool, productId);
    if (!level) throw new AppError({ code: 'PRODUCT_NOT_FOUND', message: `product ${productId} does not exist` });
    return level;
  }

  /**
   * Create a product with `stock` units, or add `stock` units to an existing
   * one (and change the fields the seed gives), under the product's row lock,
   * with a `restock` ledger row.
   */
  async restock(seed: ProductSeed): Promise<RestockResult> {
    return stockTransaction(
      this.pool,
      async (conn) => {
        const existing = (await lockProducts(conn, [seed.productId])).get(seed.productId);
        if (existing) await updateProduct(conn, seed);
        else await insertProduct(conn, seed);
        if (seed.stock > 0) await moveStock(conn, 'restock', null, [{ productId: seed.productId, quantity: seed.stock }]);
        const level = (await readProduct(conn, seed.productId))!;
        return { ...level, created: !existing };
      },
      { log: this.log },
      this.onStockChange,
    );
  }
}

/** A new product starts empty; its stock comes in through the ledgered restock movement. */
async function insertProduct(conn: PoolConnection, seed: ProductSeed): Promise<void> {
  const p = newProductOf(seed);
  await conn.execute(
    `INSERT INTO product_details (product_id, product_name, quantity, price_cents, deal_price_cents, deal_starts_at, deal_ends_at, deal_only)
     VALUES (?, ?, 0, ?, ?, ?, ?, ?)`,
    [p.productId, p.name, p.priceCents, p.dealPriceCents, p.dealStartsAt, p.dealEndsAt, p.dealOnly ? 1 : 0],
  );
}

async function updateProduct(conn: PoolConnection, seed: ProductSeed): Promise<void> {
  const columns = changedColumns(seed);
  if (columns.length === 0) return;
  await conn.execute(`UPDATE product_details SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE product_id = ?`, [
    ...columns.map(([, v]) => v),
    seed.productId,
  ]);
}
