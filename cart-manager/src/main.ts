import { Broker } from '../../common/src/amqp/broker';
import { topologyFor } from '../../common/src/amqp/topology';
import { createPool } from '../../common/src/db';
import { exitOnConfigError, runService } from '../../common/src/lifecycle';
import { createLogger } from '../../common/src/logger';
import { startWorkerOps } from '../../common/src/metrics';
import { loadCartConfig } from './config';
import { addToCartConsumer } from './handlers/add-to-cart';
import { checkoutConsumer } from './handlers/checkout';
import { orderFinalizedConsumer } from './handlers/order-finalized';

/**
 * The cart manager: wires its dependencies, registers one consumer per queue
 * (src/handlers/) and starts. Nothing else happens here.
 */
const config = exitOnConfigError(() => loadCartConfig());
const log = createLogger('cart-manager', config.LOG_LEVEL);

runService(log, async () => {
  const pool = createPool(config, config.DB_POOL_SIZE);
  const topology = topologyFor(config.QUEUE_PREFIX);
  const broker = new Broker({ url: config.AMQP_URL, log, topology, deliveryLimit: config.AMQP_DELIVERY_LIMIT, prefetch: config.PREFETCH });
  // Bind first: a port in use stops the start before anything connects.
  const ops = await startWorkerOps('cart-manager', { broker, pool }, config, log);
  await pool.query('SELECT 1');

  // Every queue in adaptive batches: one transaction per batch, an outcome per message.
  const batching = { maxBatch: config.CART_BATCH_MAX, concurrency: config.CART_BATCH_CONCURRENCY };
  broker.consumeBatches(addToCartConsumer({ pool, broker, log, maxPerLine: config.MAX_QUANTITY_PER_LINE, crash: config }, topology.addToCart, batching));
  broker.consumeBatches(checkoutConsumer({ pool, broker, log, processOrderQueue: topology.processOrder, crash: config, allReservedWaitMs: config.ALL_RESERVED_WAIT_MS }, topology.checkout, batching));
  broker.consumeBatches(orderFinalizedConsumer({ pool, log, crash: config }, topology.orderFinalized, batching));

  await broker.start();
  log.info({ queuePrefix: config.QUEUE_PREFIX, ...batching }, 'consuming');
  return async () => {
    await ops.stop();
    await broker.stop();
    await pool.end();
  };
});
