import type { ErrorCode } from '../../../contracts/errors';
import { type StockCounters, refusalFor } from '../../../contracts/stock';

export type CartLineRefusal = { code: ErrorCode; message: string };

/**
 * Whether a cart line may grow to `wanted` units: within the per-line maximum,
 * and not refused by the stock rule against what is available now (a soft
 * check: it reserves nothing, checkout does). Null when it may.
 */
export function cartLineRefusal(productId: string, wanted: number, maxPerLine: number, stock: StockCounters): CartLineRefusal | null {
  if (wanted > maxPerLine) {
    return { code: 'INVALID_REQUEST', message: `quantity: the cart line would hold ${wanted} units, more than the maximum of ${maxPerLine} per line` };
  }
  const refusal = refusalFor(stock, wanted);
  if (!refusal) return null;
  return {
    code: refusal,
    message:
      refusal === 'SOLD_OUT'
        ? `product ${productId} is sold out`
        : `product ${productId}: the cart line would hold ${wanted} units, ${stock.available} available now`,
  };
}
