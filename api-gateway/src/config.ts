import { z } from 'zod';
import { MAX_BUNDLE_ITEMS } from '../../common/src/amqp/bundle';
import { STALE_AFTER_MS } from '../../common/src/stock-levels/view';
import { amqpEnv, commonEnv, dbEnv, int, loadConfig } from '../../common/src/config';

/**
 * Where the workers' replies come back (messaging/rpc.ts). 'direct': RabbitMQ
 * direct reply-to (amq.rabbitmq.reply-to), no queue. 'exclusive': one
 * server-named exclusive, auto-delete classic queue, declared again on every
 * reconnect. RabbitMQ's guide advises against direct reply-to beyond a few
 * hundred messages/s to one requester; the bench measures both and sets the
 * default below.
 */
export const REPLY_QUEUE_MODES = ['direct', 'exclusive'] as const;
export type ReplyQueueMode = (typeof REPLY_QUEUE_MODES)[number];
export const DEFAULT_REPLY_QUEUE: ReplyQueueMode = 'direct';

/**
 * Messages per worker queue awaiting the broker's confirm before the next is
 * sent (messaging/rpc.ts). Requests that arrive meanwhile wait and go together.
 * One: a confirm round trip is short next to a worker's batch, so the worker
 * stays fed, and the bundles (and the workers' batches) are as large as the
 * load makes them; measured against 2, the fresh-connection sales were 7-11%
 * faster and the cart manager spent less CPU (BENCHMARKS.md, issue 9).
 */
export const DEFAULT_PUBLISHES_IN_FLIGHT = 1;

export const gatewayEnv = z.object({
  ...commonEnv,
  ...dbEnv,
  ...amqpEnv,
  /** 127.0.0.1 outside containers: nothing is reachable from another machine unless asked for (the image sets 0.0.0.0). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Below 32768 (see README). 0 picks a free port (tests). */
  PORT: int(5003, 0, 65535),
  /** Pending connections the kernel queues for accept(); capped by net.core.somaxconn. */
  LISTEN_BACKLOG: int(16_384, 1, 65535),
  /** Read-only pool for GET endpoints (orders, carts, products). */
  DB_POOL_SIZE: int(4, 1, 100),
  /** How long POST /checkOutCart waits for the outcome before answering 202 Pending. */
  CHECKOUT_WAIT_MS: int(10_000, 100, 120_000),
  /**
   * How long POST /addToCart waits for the cart manager before answering 503.
   * As long as a checkout's wait: under a burst the add-to-cart queue drains in
   * a few seconds, and a 503 only sends the buyer to the back of it again (at
   * 5 s, 4,000 to 6,000 of 10,000 buyers retried, and the retries were a third
   * of the cart manager's work).
   */
  ADD_TO_CART_WAIT_MS: int(10_000, 100, 120_000),
  MAX_QUANTITY_PER_LINE: int(100, 1, 1_000_000),
  /** Seconds in Retry-After on 202, 503 and ALL_RESERVED. */
  RETRY_AFTER_SECONDS: int(1, 1, 3_600),
  /** 'direct' or 'exclusive' reply queue for the RPC to the workers (REPLY_QUEUE_MODES above). */
  REPLY_QUEUE: z.enum(REPLY_QUEUE_MODES).default(DEFAULT_REPLY_QUEUE),
  /**
   * Most requests the gateway sends in one message to a worker queue: the
   * requests of one event-loop turn travel as a bundle (common/src/amqp/bundle.ts),
   * and their replies come back as one. 1: every request in a message of its own.
   */
  RPC_BUNDLE_MAX: int(MAX_BUNDLE_ITEMS, 1, MAX_BUNDLE_ITEMS),
  /**
   * Messages per worker queue that may await the broker's confirm at once;
   * requests that arrive meanwhile wait and go together in the next (bundles
   * grow with the load, no timer). 0: no bound, each turn's requests go at its end.
   */
  RPC_PUBLISHES_IN_FLIGHT: int(DEFAULT_PUBLISHES_IN_FLIGHT, 0, 1_000),
  /**
   * A pushed stock level not heard of again for this long is unknown: the
   * gateway asks the cart manager instead of refusing from it. Above the
   * inventory manager's heartbeat (STOCK_LEVELS_HEARTBEAT_MS, 1 s).
   */
  STOCK_LEVELS_STALE_MS: int(STALE_AFTER_MS, 100, 3_600_000),
});

export type GatewayConfig = z.infer<typeof gatewayEnv>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  return loadConfig(gatewayEnv, env);
}
