import { batchPrefetch } from '../../common/src/amqp/consume';
import { Broker } from '../../common/src/amqp/broker';
import { topologyFor } from '../../common/src/amqp/topology';
import { createPool } from '../../common/src/db';
import { createInventoryClient } from '../../common/src/inventory-client';
import { exitOnConfigError, runService } from '../../common/src/lifecycle';
import { createLogger } from '../../common/src/logger';
import { startWorkerOps } from '../../common/src/metrics';
import { loadCheckoutConfig } from './config';
import { OrderProcessor, processOrderConsumer } from './handlers/process-order';
import { startReconciler } from './jobs/reconciler';
import { MockPayment } from './payment/mock-payment';

/**
 * The checkout manager: wires its dependencies, registers its consumer
 * (src/handlers/), starts the reconciler job (src/jobs/) and starts. Nothing
 * else happens here.
 */
const config = exitOnConfigError(() => loadCheckoutConfig());
const log = createLogger('checkout-manager', config.LOG_LEVEL);

runService(log, async () => {
  const pool = createPool(config, config.DB_POOL_SIZE);
  const topology = topologyFor(config.QUEUE_PREFIX);
  const batching = { maxBatch: config.CHECKOUT_MAX_BATCH, concurrency: config.CHECKOUT_BATCH_CONCURRENCY };
  // The batch consumer sets its own prefetch (batchPrefetch in consume.ts); `prefetch` is for plain consumers, of which this service has none.
  const prefetch = batchPrefetch(batching.maxBatch, batching.concurrency);
  const broker = new Broker({ url: config.AMQP_URL, log, topology, deliveryLimit: config.AMQP_DELIVERY_LIMIT, prefetch });
  // Bind first: a port in use stops the start before anything connects.
  const ops = await startWorkerOps('checkout-manager', { broker, pool }, config, log);
  await pool.query('SELECT 1');
  const inventory = createInventoryClient(config.INVENTORY_ADDR, { timeoutMs: config.INVENTORY_TIMEOUT_MS, secret: config.INVENTORY_SECRET });
  const payment = new MockPayment(pool, {
    latencyMs: config.PAYMENT_LATENCY_MS,
    declineRate: config.PAYMENT_DECLINE_RATE,
    seed: config.PAYMENT_SEED,
  });
  const processor = new OrderProcessor({ pool, inventory, payment, broker, topology, crash: config, log });

  broker.consumeBatches(processOrderConsumer(processor, topology.processOrder, batching));

  await broker.start();
  const stopReconciler = startReconciler(pool, processor, log, config.RECONCILE_AFTER_MS, config.RECONCILE_INTERVAL_MS);
  log.info({ queuePrefix: config.QUEUE_PREFIX, ...batching, prefetch, inventory: config.INVENTORY_ADDR }, 'consuming');
  return async () => {
    await ops.stop();
    await stopReconciler();
    await broker.stop();
    inventory.close();
    await pool.end();
  };
});
