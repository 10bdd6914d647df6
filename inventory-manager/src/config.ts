import { z } from 'zod';
import { amqpEnv, commonEnv, dbEnv, int, loadConfig } from '../../common/src/config';

export const inventoryEnv = z.object({
  ...commonEnv,
  ...dbEnv,
  ...amqpEnv,
  /** 127.0.0.1 outside containers: the only writer of stock is not open to the network by default (the image sets 0.0.0.0). */
  GRPC_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, every inventory call must carry it (metadata `authorization: Bearer <secret>`); unset: calls are not authenticated. */
  INVENTORY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Below 32768: the kernel hands out 32768+ to outgoing connections. 0 picks a free port (tests). */
  GRPC_PORT: int(9100, 0, 65535),
  DB_POOL_SIZE: int(10, 1, 100),
  /** How long a reservation holds stock while its payment runs. */
  RESERVATION_TTL_MS: int(120_000, 100, 86_400_000),
  /** How often this instance's sweeper returns expired holds to stock (0 disables it). */
  SWEEP_INTERVAL_MS: int(1_000, 0, 3_600_000),
  SWEEP_BATCH_SIZE: int(100, 1, 10_000),
  /**
   * true: Reserve, Commit and Rollback calls (single and batch RPCs) that arrive
   * while a transaction on their rows runs are served together in the next one
   * (docs/design.md, "Batching"). false: one transaction per call, as before.
   */
  INVENTORY_COALESCE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Calls one coalesced transaction serves at most. */
  INVENTORY_BATCH_MAX: int(200, 1, 5_000),
  /**
   * Pushed stock levels (docs/design.md): after a quiet spell a change goes out
   * at once, then at most one message of changes per this many ms. Together with
   * the time a message takes, it bounds how long a gateway may still refuse a
   * unit that came back (well under 500 ms).
   */
  STOCK_LEVELS_INTERVAL_MS: int(100, 1, 10_000),
  /** Every product's levels this often, so receivers know they are still current (they distrust a level after 5 s). 0: none. */
  STOCK_LEVELS_HEARTBEAT_MS: int(1_000, 0, 60_000),
});

export type InventoryConfig = z.infer<typeof inventoryEnv>;

export function loadInventoryConfig(env: NodeJS.ProcessEnv = process.env): Readonly<InventoryConfig> {
  return loadConfig(inventoryEnv, env);
}
