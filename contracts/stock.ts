import type { ErrorCode } from './errors';

/**
 * What a product's stock level means to a buyer. The inventory manager decides
 * with it under the row lock; the cart manager (and, with pushed stock levels,
 * the gateway) uses the same rule for its early refusals, so a buyer gets the
 * same answer whichever part of the system gives it.
 */
export interface StockCounters {
  /** Units available to sell now (product_details.quantity). */
  available: number;
  reserved: number;
  sold: number;
}

/** A product's counters as pushed to the gateways and cart managers, with the version that orders them. */
export interface StockLevel extends StockCounters {
  productID: string;
  /** product_details.stock_version: grows by one with every transaction that moves the counters. */
  version: number;
}

/**
 * Why `wanted` units cannot be held, or null if they can. Never turn a hold into
 * a final no: while units are held by pending payments that could cover the
 * request, the answer is ALL_RESERVED (retry later), not SOLD_OUT.
 */
export function refusalFor(counters: StockCounters, wanted: number): ErrorCode | null {
  if (wanted <= counters.available) return null;
  if (counters.available + counters.reserved >= wanted) return 'ALL_RESERVED';
  if (counters.available === 0 && counters.reserved === 0) return 'SOLD_OUT';
  return 'INSUFFICIENT_STOCK';
}

export function refusalMessage(code: ErrorCode, productId: string, wanted: number, counters: StockCounters): string {
  switch (code) {
    case 'SOLD_OUT':
      return `product ${productId} is sold out`;
    case 'ALL_RESERVED':
      return `product ${productId}: no unit available now, ${counters.reserved} held by pending payments may come back`;
    default:
      return `product ${productId}: ${wanted} wanted, ${counters.available} available`;
  }
}
