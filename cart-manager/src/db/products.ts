import type { PoolConnection, RowDataPacket } from '../../../common/src/db';
import type { StockCounters } from '../../../contracts/stock';
import type { PricedProduct } from '../domain/pricing';

/**
 * Reads of product_details, which the inventory manager alone writes: the
 * counters for add-to-cart's soft check and the prices for checkout. Nothing
 * here locks or writes a product row.
 */

export async function readStock(conn: PoolConnection, productId: string): Promise<StockCounters | null> {
  const [rows] = await conn.execute<RowDataPacket[]>('SELECT quantity, reserved, sold FROM product_details WHERE product_id = ?', [productId]);
  const row = rows[0];
  return row ? { available: Number(row.quantity), reserved: Number(row.reserved), sold: Number(row.sold) } : null;
}

/** The price and deal window of each product that exists, by product id. */
export async function readPricing(conn: PoolConnection, productIds: string[]): Promise<Map<string, PricedProduct>> {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT product_id, price_cents, deal_price_cents, deal_starts_at, deal_ends_at, deal_only FROM product_details WHERE product_id IN (?)',
    [productIds],
  );
  return new Map(
    rows.map((p) => [
      p.product_id as string,
      {
        productId: p.product_id as string,
        priceCents: p.price_cents as number,
        dealPriceCents: p.deal_price_cents as number | null,
        dealStartsAt: p.deal_starts_at as Date | null,
        dealEndsAt: p.deal_ends_at as Date | null,
        dealOnly: p.deal_only === 1,
      },
    ]),
  );
}

/** The database clock: every instance prices a deal by the same time. */
export async function databaseNow(conn: PoolConnection): Promise<Date> {
  const [[clock]] = await conn.query<RowDataPacket[]>('SELECT NOW(6) AS now');
  return clock!.now as Date;
}
