import type { PoolConnection, RowDataPacket } from '../../../common/src/db';
import type { StockCounters } from '../../../contracts/stock';
import type { PricedProduct } from '../domain/pricing';
import { rowKey } from '../domain/row-key';

/**
 * Reads of product_details, which the inventory manager alone writes: the
 * counters for add-to-cart's soft check, the prices and counters for checkout. Nothing
 * here locks or writes a product row.
 */

/** The counters of each product that exists, by rowKey(product id): one read, no lock. */
export async function readStocks(conn: PoolConnection, productIds: readonly string[]): Promise<Map<string, StockCounters>> {
  if (productIds.length === 0) return new Map();
  const [rows] = await conn.query<RowDataPacket[]>('SELECT product_id, quantity, reserved, sold FROM product_details WHERE product_id IN (?)', [
    [...new Set(productIds)],
  ]);
  return new Map(rows.map((r) => [rowKey(r.product_id as string), { available: Number(r.quantity), reserved: Number(r.reserved), sold: Number(r.sold) }]));
}

/** The price, deal window and counters of each product that exists, by product id: one read, no lock. */
export async function readPricing(conn: PoolConnection, productIds: readonly string[]): Promise<Map<string, PricedProduct>> {
  if (productIds.length === 0) return new Map();
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT product_id, price_cents, deal_price_cents, deal_starts_at, deal_ends_at, deal_only, quantity, reserved, sold FROM product_details WHERE product_id IN (?)',
    [[...new Set(productIds)]],
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
        stock: { available: Number(p.quantity), reserved: Number(p.reserved), sold: Number(p.sold) },
      },
    ]),
  );
}

/** The database clock: every instance prices a deal by the same time. */
export async function databaseNow(conn: PoolConnection): Promise<Date> {
  const [[clock]] = await conn.query<RowDataPacket[]>('SELECT NOW(6) AS now');
  return clock!.now as Date;
}
