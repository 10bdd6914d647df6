import { z } from 'zod';
import { amqpEnv, commonEnv, dbEnv, int, loadConfig } from '../../common/src/config';

export const cartEnv = z.object({
  ...commonEnv,
  ...dbEnv,
  ...amqpEnv,
  DB_POOL_SIZE: int(5, 1, 100),
  /**
   * Unacked messages of a one-at-a-time consumer. Every queue of the cart
   * manager is consumed in batches, whose prefetch is CART_BATCH_MAX x
   * CART_BATCH_CONCURRENCY; this bounds any other consumer.
   */
  PREFETCH: int(32, 1, 1_000),
  /**
   * Most messages applied in one transaction, per queue (add-to-cart, checkout,
   * order-finalized). Batches adapt to the load: at low load a batch is one
   * message; under a burst, everything that waited while the previous batch ran,
   * up to this bound.
   */
  CART_BATCH_MAX: int(100, 1, 1_000),
  /** Batches of one queue that may run at once in this process. */
  CART_BATCH_CONCURRENCY: int(2, 1, 16),
  MAX_QUANTITY_PER_LINE: int(100, 1, 1_000_000),
  /**
   * A checkout whose units are all held by pending payments waits this long
   * for them to end (sold: SOLD_OUT; given back: its turn to reserve) before
   * it is answered ALL_RESERVED; 0 answers at once. A mock payment takes
   * PAYMENT_LATENCY_MS (200 ms by default); the wait leaves room for a rush.
   */
  ALL_RESERVED_WAIT_MS: int(2_000, 0, 60_000),
});

export type CartConfig = z.infer<typeof cartEnv>;

export function loadCartConfig(env: NodeJS.ProcessEnv = process.env): Readonly<CartConfig> {
  return loadConfig(cartEnv, env);
}
