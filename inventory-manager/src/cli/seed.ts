/**
 * npm run seed -- --product X --stock 10 --price 1999 [--name "Lightning deal X"]
 *                 [--deal-price 999 --deal-minutes 30] [--deal-only]
 * Creates the product with that stock (then --price is required), or adds that
 * many units to an existing one (a restock, written to the ledger). Goes
 * through the inventory manager's own repository: it stays the only writer of
 * stock.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Broker } from '../../../common/src/amqp/broker';
import { topologyFor } from '../../../common/src/amqp/topology';
import { amqpEnv, dbEnv, loadConfig } from '../../../common/src/config';
import { type Pool, createPool } from '../../../common/src/db';
import { createLogger } from '../../../common/src/logger';
import { readLevels } from '../../../db/stock-levels';
import { AppError } from '../../../common/src/errors';
import { type ProductSeed, type SeedResult, seedProducts } from '../seed';
import { withIdRule } from '../../../contracts/ids';

export const USAGE = [
  'usage: npm run seed -- --product ID --stock N --price CENTS [--name TEXT] [--deal-price CENTS --deal-minutes M] [--deal-starts-in-minutes M] [--deal-only]',
  '       (--price is required when the product is new; a restock of an existing product may leave it out)',
  '  --product ID                 the product, 1 to 100 characters',
  '  --stock N                    units to add (0 or more); a new product starts with N units',
  '  --price CENTS                regular price in integer cents (required when the product is new; on an existing one it changes the price)',
  '  --name TEXT                  display name (default: the product id)',
  '  --deal-price CENTS           deal price in integer cents, with --deal-minutes',
  '  --deal-minutes M             length of the deal window, with --deal-price',
  '  --deal-starts-in-minutes M   the window opens M minutes from now (default 0: now)',
  '  --deal-only                  sold only inside the deal window',
  'example: npm run seed -- --product X --name "Lightning deal X" --stock 10 --price 1999 --deal-price 999 --deal-minutes 30',
].join('\n');

/** A bad command line: the message names the option, then the usage follows. */
export class SeedUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'SeedUsageError';
  }
}

/** price_cents and deal_price_cents are INT columns. */
const MAX_CENTS = 2_147_483_647;

const required = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}`;
/** parseArgs hands over strings; an absent option stays undefined (not NaN), so "is required" can be told apart. */
const integer = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z
      .number({ error: required(`an integer from ${min} to ${max}`) })
      .int(`must be an integer from ${min} to ${max}`)
      .min(min, `must be an integer from ${min} to ${max}`)
      .max(max, `must be an integer from ${min} to ${max}`),
  );
const minutes = (positive: boolean) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    positive
      ? z.number({ error: required('a number of minutes') }).positive('must be more than 0 minutes')
      : z.number({ error: required('a number of minutes') }),
  );

const argsSchema = z
  .object({
    product: withIdRule(z.string({ error: required('a product id') })),
    name: z.string().min(1, 'must be 1 to 200 characters').max(200, 'must be 1 to 200 characters').optional(),
    stock: integer(0, 10_000_000),
    price: integer(0, MAX_CENTS).optional(),
    'deal-price': integer(0, MAX_CENTS).optional(),
    'deal-minutes': minutes(true).optional(),
    'deal-starts-in-minutes': minutes(false).default(0),
    'deal-only': z.boolean().default(false),
  })
  .refine((a) => (a['deal-price'] === undefined) === (a['deal-minutes'] === undefined), {
    message: '--deal-price and --deal-minutes go together',
  });

/** The seed a command line asks for; a bad one throws SeedUsageError. `--help` is left to main. */
export function parseSeedArgs(argv: string[], now = new Date()): ProductSeed {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
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
      allowPositionals: false,
    }));
  } catch (err) {
    // Unknown option, missing value, stray argument: parseArgs says which.
    throw new SeedUsageError((err as Error).message);
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    throw new SeedUsageError(parsed.error.issues.map((i) => (i.path.length ? `--${i.path.join('.')} ${i.message}` : i.message)).join('; '));
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

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const seed = parseSeedArgs(argv);
  const config = loadConfig(z.object({ ...dbEnv, ...amqpEnv }));
  const pool = createPool(config, 1);
  try {
    let result: SeedResult;
    try {
      [result] = (await seedProducts(pool, [seed])) as [SeedResult];
    } catch (err) {
      // The repository refuses to create a product without a price (its only INVALID_REQUEST).
      if (seed.priceCents === undefined && err instanceof AppError && err.code === 'INVALID_REQUEST') {
        throw new Error(`product ${seed.productId} does not exist yet: --price CENTS is required to create it (e.g. --price 1999)`);
      }
      throw err;
    }
    process.stdout.write(
      `${result.created ? 'created' : 'restocked'} ${result.productId}: available ${result.available}, reserved ${result.reserved}, sold ${result.sold}\n`,
    );
    const announced = await announceLevels(config, pool, [result.productId]);
    if (!announced) {
      process.stderr.write(
        `seed: the new stock level was not pushed (the message broker at AMQP_URL did not answer); running gateways hear of it with the inventory manager's next heartbeat\n`,
      );
    }
  } finally {
    await pool.end();
  }
}

/** How long the seed command waits for the broker to push the new level. */
const ANNOUNCE_WAIT_MS = 3_000;

/**
 * Push these products' levels on the stock-levels exchange, as the inventory
 * manager does after its own transactions, so a product sold out on every
 * gateway reopens at once. False when the broker did not take the message.
 */
async function announceLevels(config: { AMQP_URL: string; QUEUE_PREFIX: string; AMQP_DELIVERY_LIMIT: number }, pool: Pool, productIds: string[]): Promise<boolean> {
  const topology = topologyFor(config.QUEUE_PREFIX);
  const broker = new Broker({ url: config.AMQP_URL, log: createLogger('seed', 'silent'), topology, deliveryLimit: config.AMQP_DELIVERY_LIMIT, prefetch: 1 });
  try {
    await broker.start({ waitForConnect: false });
    const deadline = Date.now() + ANNOUNCE_WAIT_MS;
    while (!broker.isReady && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!broker.isReady) return false;
    await broker.publish(topology.stockLevelsExchange, '', { levels: await readLevels(pool, productIds) }, { persistent: false });
    return true;
  } catch {
    return false;
  } finally {
    await broker.stop(0);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`seed failed: ${(err as Error).message}\n`);
    process.exit(err instanceof SeedUsageError ? 2 : 1);
  });
}
