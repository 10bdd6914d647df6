/**
 * The inventory manager's entry point for putting stock in: the seed command,
 * the tools and the tests all come through here (it stays the only writer of
 * stock, with the same transaction and ledger row as any restock).
 */
import type { Pool } from '../../common/src/db';
import { createLogger } from '../../common/src/logger';
import { ProductRepo } from './db/products';
import type { ProductSeed } from './domain/restock';

export type { ProductSeed };

export interface SeedResult {
  productId: string;
  created: boolean;
  available: number;
  reserved: number;
  sold: number;
}

/** Create each product with its stock, or add its stock to an existing one; in the order given. */
export async function seedProducts(pool: Pool, seeds: readonly ProductSeed[]): Promise<SeedResult[]> {
  const repo = new ProductRepo(pool, createLogger('seed', 'warn'));
  const results: SeedResult[] = [];
  for (const seed of seeds) {
    const r = await repo.restock(seed);
    results.push({ productId: r.productId, created: r.created, available: r.available, reserved: r.reserved, sold: r.sold });
  }
  return results;
}
