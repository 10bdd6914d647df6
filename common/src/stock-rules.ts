import { AppError, type ErrorCode } from './errors';

export interface StockItem {
  productId: string;
  quantity: number;
}

export interface StockCounters {
  /** Units available to sell now (product_details.quantity). */
  available: number;
  reserved: number;
  sold: number;
}

export const MAX_ITEMS_PER_ORDER = 100;

/**
 * Merge duplicate lines and sort by product id: every transaction locks product
 * rows in this one order, so two multi-item orders can never deadlock.
 */
export function normalizeItems(items: ReadonlyArray<{ product_id?: string; quantity?: number }>): StockItem[] {
  if (items.length === 0) throw invalid('items must not be empty');
  if (items.length > MAX_ITEMS_PER_ORDER) throw invalid(`items: at most ${MAX_ITEMS_PER_ORDER} lines`);
  const merged = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    const productId = item.product_id ?? '';
    const quantity = item.quantity ?? 0;
    if (productId.length < 1 || productId.length > 100) throw invalid(`items[${i}].product_id must be 1 to 100 characters`);
    if (!Number.isInteger(quantity) || quantity < 1) throw invalid(`items[${i}].quantity must be a positive integer`);
    merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  }
  return [...merged.entries()]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
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

export function validateOrderId(orderId: string | undefined): string {
  if (!orderId || orderId.length > 36) throw invalid('order_id must be 1 to 36 characters');
  return orderId;
}

function invalid(message: string): AppError {
  return new AppError({ code: 'INVALID_REQUEST', message });
}
