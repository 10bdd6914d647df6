import { AppError } from '../../../common/src/errors';
import { idProblem } from '../../../contracts/ids';

export interface StockItem {
  productId: string;
  quantity: number;
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
    const problem = idProblem(productId);
    if (problem) throw invalid(`items[${i}].product_id ${problem}`);
    if (!Number.isInteger(quantity) || quantity < 1) throw invalid(`items[${i}].quantity must be a positive integer`);
    merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  }
  return [...merged.entries()]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

export function validateOrderId(orderId: string | undefined): string {
  if (!orderId || orderId.length > 36) throw invalid('order_id must be 1 to 36 characters');
  const problem = idProblem(orderId);
  if (problem) throw invalid(`order_id ${problem}`);
  return orderId;
}

export function validateProductId(productId: string | undefined): string {
  const problem = idProblem(productId ?? '');
  if (problem) throw invalid(`product_id ${problem}`);
  return productId!;
}

function invalid(message: string): AppError {
  return new AppError({ code: 'INVALID_REQUEST', message });
}
