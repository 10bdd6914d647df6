import { z } from 'zod';
import { amqpEnv, commonEnv, dbEnv, int, loadConfig } from '../../common/src/config';

export const cartEnv = z.object({
  ...commonEnv,
  ...dbEnv,
  ...amqpEnv,
  DB_POOL_SIZE: int(5, 1, 100),
  /** Unacked messages this process works on at once. */
  PREFETCH: int(32, 1, 1_000),
  MAX_QUANTITY_PER_LINE: int(100, 1, 1_000_000),
});

export type CartConfig = z.infer<typeof cartEnv>;

export function loadCartConfig(env: NodeJS.ProcessEnv = process.env): Readonly<CartConfig> {
  return loadConfig(cartEnv, env);
}
