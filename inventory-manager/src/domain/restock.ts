/**
 * Restock rules: what putting stock in means for a product that is new or
 * already exists. The seed command, the tools and the tests come through
 * src/seed.ts; the repository writes what these decide.
 */
import { AppError } from '../../../common/src/errors';

export interface ProductSeed {
  productId: string;
  name?: string;
  /** Units to add (a new product starts with them). */
  stock: number;
  priceCents?: number;
  dealPriceCents?: number | null;
  dealStartsAt?: Date | null;
  dealEndsAt?: Date | null;
  dealOnly?: boolean;
}

/** A product_details row to insert for a new product. */
export interface NewProduct {
  productId: string;
  name: string;
  stock: number;
  priceCents: number;
  dealPriceCents: number | null;
  dealStartsAt: Date | null;
  dealEndsAt: Date | null;
  dealOnly: boolean;
}

export type ProductColumn = 'product_name' | 'price_cents' | 'deal_price_cents' | 'deal_starts_at' | 'deal_ends_at' | 'deal_only';
export type ColumnValue = string | number | Date | null;

/** A new product needs a price; everything else has a default. */
export function newProductOf(seed: ProductSeed): NewProduct {
  if (seed.priceCents === undefined) {
    throw new AppError({ code: 'INVALID_REQUEST', message: `product ${seed.productId} is new: a price is required` });
  }
  return {
    productId: seed.productId,
    name: seed.name ?? seed.productId,
    stock: seed.stock,
    priceCents: seed.priceCents,
    dealPriceCents: seed.dealPriceCents ?? null,
    dealStartsAt: seed.dealStartsAt ?? null,
    dealEndsAt: seed.dealEndsAt ?? null,
    dealOnly: seed.dealOnly ?? false,
  };
}

/** The columns a restock of an existing product changes: only the ones the seed gives. */
export function changedColumns(seed: ProductSeed): [ProductColumn, ColumnValue][] {
  const out: [ProductColumn, ColumnValue][] = [];
  if (seed.name !== undefined) out.push(['product_name', seed.name]);
  if (seed.priceCents !== undefined) out.push(['price_cents', seed.priceCents]);
  if (seed.dealPriceCents !== undefined) out.push(['deal_price_cents', seed.dealPriceCents]);
  if (seed.dealStartsAt !== undefined) out.push(['deal_starts_at', seed.dealStartsAt]);
  if (seed.dealEndsAt !== undefined) out.push(['deal_ends_at', seed.dealEndsAt]);
  if (seed.dealOnly !== undefined) out.push(['deal_only', seed.dealOnly ? 1 : 0]);
  return out;
}
