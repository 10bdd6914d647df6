/**
 * The inventory manager's entry point for putting stock in: the seed command,
 * the tools and the tests all come through here (it stays the only writer of
 * stock, with the same transaction and ledger row as any restock).
 */
import type { Pool } from '../../common/src/db';
import { createLogger } from '../../common/src/logger';
import { InventoryRepo, type ProductSeed } from './db/inventory-repo';

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
  // The reservation TTL plays no part in a restock.
  const repo = new InventoryRepo(pool, createLogger('seed', 'warn'), 60_000);
  const results: SeedResult[] = [];
  for (const seed of seeds) results.push(await repo.restock(seed));
  return results;
}
