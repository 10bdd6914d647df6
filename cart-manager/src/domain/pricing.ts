import { isDealActive } from '../../../contracts/deal';
import type { ErrorCode } from '../../../contracts/errors';
import type { StockCounters } from '../../../contracts/stock';

export interface PricedProduct {
  productId: string;
  priceCents: number;
  dealPriceCents: number | null;
  dealStartsAt: Date | null;
  dealEndsAt: Date | null;
  dealOnly: boolean;
  /** Its counters, read with the prices (no lock); absent when not read. */
  stock?: StockCounters;
}

export type PriceResult = { ok: true; unitPriceCents: number; deal: boolean } | { ok: false; code: ErrorCode; message: string };

/**
 * The unit price charged at checkout time `now` (the database clock, so every
 * instance agrees): the deal price inside the window, the regular price
 * outside it, or a refusal for a deal-only product outside its window.
 */
export function unitPrice(p: PricedProduct, now: Date): PriceResult {
  if (isDealActive({ priceCents: p.dealPriceCents, startsAt: p.dealStartsAt, endsAt: p.dealEndsAt }, now)) return { ok: true, unitPriceCents: p.dealPriceCents!, deal: true };
  if (p.dealOnly) {
    return { ok: false, code: 'DEAL_NOT_ACTIVE', message: `product ${p.productId} is sold only during its deal, which is not open now` };
  }
  return { ok: true, unitPriceCents: p.priceCents, deal: false };
}

export interface CartLine {
  productId: string;
  quantity: number;
}

export interface PricedLine extends CartLine {
  unitPriceCents: number;
}

export type OrderPricing =
  | { ok: true; lines: PricedLine[]; totalCents: number }
  | { ok: false; code: ErrorCode; message: string };

/** Price a whole cart: all lines priced, or the first refusal. */
export function priceCart(lines: readonly CartLine[], products: ReadonlyMap<string, PricedProduct>, now: Date): OrderPricing {
  const priced: PricedLine[] = [];
  let totalCents = 0;
  for (const line of lines) {
    const product = products.get(line.productId);
    if (!product) return { ok: false, code: 'PRODUCT_NOT_FOUND', message: `product ${line.productId} no longer exists` };
    const price = unitPrice(product, now);
    if (!price.ok) return price;
    priced.push({ ...line, unitPriceCents: price.unitPriceCents });
    totalCents += price.unitPriceCents * line.quantity;
  }
  return { ok: true, lines: priced, totalCents };
}
