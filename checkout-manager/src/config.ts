import { z } from 'zod';
import { amqpEnv, commonEnv, dbEnv, int, loadConfig } from '../../common/src/config';

export const checkoutEnv = z.object({
  ...commonEnv,
  ...dbEnv,
  ...amqpEnv,
  DB_POOL_SIZE: int(5, 1, 100),
  /**
   * The process-order consumer takes its messages in adaptive batches of at
   * most CHECKOUT_MAX_BATCH, and runs up to CHECKOUT_BATCH_CONCURRENCY batches
   * at once (their payments overlap). Its prefetch, the orders one process
   * may have in flight, is their product: 200 x 10 = 2,000.
   */
  CHECKOUT_MAX_BATCH: int(200, 1, 1_000),
  CHECKOUT_BATCH_CONCURRENCY: int(10, 1, 100),
  /** host:port of the inventory manager's gRPC server. */
  INVENTORY_ADDR: z.string().min(1).default('127.0.0.1:9100'),
  /** Sent with every inventory call when set; the inventory manager's INVENTORY_SECRET. */
  INVENTORY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Deadline of one inventory call. */
  INVENTORY_TIMEOUT_MS: int(5_000, 100, 60_000),
  /** Mock payment: how long a charge takes, and the share of charges declined (0..1). */
  PAYMENT_LATENCY_MS: int(200, 0, 600_000),
  PAYMENT_DECLINE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Seed of the mock payment's decisions: the same seed and order id always decide the same way. */
  PAYMENT_SEED: z.string().max(100).default('flashsale'),
  /** Orders pending longer than this are finished by the reconciler (0 disables it). */
  RECONCILE_AFTER_MS: int(300_000, 0, 86_400_000),
  RECONCILE_INTERVAL_MS: int(10_000, 100, 3_600_000),
});

export type CheckoutConfig = z.infer<typeof checkoutEnv>;

export function loadCheckoutConfig(env: NodeJS.ProcessEnv = process.env): Readonly<CheckoutConfig> {
  return loadConfig(checkoutEnv, env);
}
