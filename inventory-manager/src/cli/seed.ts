/**
 * npm run seed -- --product X --name "Lightning deal X" --stock 10
 *                 [--price 1999 --deal-price 999 --deal-minutes 30 --deal-only]
 * Creates the product with that stock, or adds that many units to an existing
 * one (a restock, written to the ledger). Goes through the inventory manager's
 * own repository: it stays the only writer of stock.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { dbEnv, loadConfig } from '../../../common/src/config';
import { createPool } from '../../../common/src/db';
import { createLogger } from '../../../common/src/logger';
import { InventoryRepo, type ProductSeed } from '../db/inventory-repo';

const USAGE =
  'usage: npm run seed -- --product ID --stock N [--name TEXT] [--price CENTS] [--deal-price CENTS] [--deal-minutes M] [--deal-starts-in-minutes M] [--deal-only]';

const argsSchema = z
  .object({
    product: z.string().min(1).max(100),
    name: z.string().min(1).max(200).optional(),
    stock: z.coerce.number().int().min(0).max(10_000_000),
    price: z.coerce.number().int().min(0).optional(),
    'deal-price': z.coerce.number().int().min(0).optional(),
    'deal-minutes': z.coerce.number().positive().optional(),
    'deal-starts-in-minutes': z.coerce.number().default(0),
    'deal-only': z.boolean().default(false),
  })
  .refine((a) => (a['deal-price'] === undefined) === (a['deal-minutes'] === undefined), {
    message: '--deal-price and --deal-minutes go together',
  });

export function parseSeedArgs(argv: string[], now = new Date()): ProductSeed {
  const { values } = parseArgs({
    args: argv,
    options: {
      product: { type: 'string' },
      name: { type: 'string' },
      stock: { type: 'string' },
      price: { type: 'string' },
      'deal-price': { type: 'string' },
      'deal-minutes': { type: 'string' },
      'deal-starts-in-minutes': { type: 'string' },
      'deal-only': { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    throw new Error(`${parsed.error.issues.map((i) => `--${i.path.join('.') || 'args'}: ${i.message}`).join('; ')}\n${USAGE}`);
  }
  const a = parsed.data;
  const seed: ProductSeed = { productId: a.product, stock: a.stock, name: a.name, priceCents: a.price };
  if (a['deal-price'] !== undefined && a['deal-minutes'] !== undefined) {
    const starts = new Date(now.getTime() + a['deal-starts-in-minutes'] * 60_000);
    seed.dealPriceCents = a['deal-price'];
    seed.dealStartsAt = starts;
    seed.dealEndsAt = new Date(starts.getTime() + a['deal-minutes'] * 60_000);
  }
  if (a['deal-only']) seed.dealOnly = true;
  return seed;
}

async function main(): Promise<void> {
  const seed = parseSeedArgs(process.argv.slice(2));
  const config = loadConfig(z.object({ ...dbEnv, LOG_LEVEL: z.string().default('warn') }));
  const pool = createPool(config, 1);
  try {
    const repo = new InventoryRepo(pool, createLogger('seed', config.LOG_LEVEL), 60_000);
    const result = await repo.restock(seed);
    process.stdout.write(
      `${result.created ? 'created' : 'restocked'} ${result.productId}: available ${result.available}, reserved ${result.reserved}, sold ${result.sold}\n`,
    );
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`seed failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
