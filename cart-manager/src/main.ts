import { Broker } from '../../common/src/amqp/broker';
import { crashPoint } from '../../common/src/crash';
import { createPool } from '../../common/src/db';
import { exitOnConfigError, runService } from '../../common/src/lifecycle';
import { createLogger } from '../../common/src/logger';
import { startWorkerOps } from '../../common/src/metrics';
import { addToCartJob, checkoutJob, checkoutReplyOf, orderFinalizedEvent, type ProcessOrderJob } from '../../contracts/messages';

import { topologyFor } from '../../common/src/amqp/topology';
import { loadCartConfig } from './config';
import { addToCart } from './handlers/add-to-cart';
import { createOrder } from './handlers/checkout';
import { applyOrderFinalized } from './handlers/order-finalized';

const config = exitOnConfigError(() => loadCartConfig());
const log = createLogger('cart-manager', config.LOG_LEVEL);

runService(log, async () => {
  const pool = createPool(config, config.DB_POOL_SIZE);
  const topology = topologyFor(config.QUEUE_PREFIX);
  const broker = new Broker({ url: config.AMQP_URL, log, topology, deliveryLimit: config.AMQP_DELIVERY_LIMIT, prefetch: config.PREFETCH });
  // Bind first: a port in use stops the start before anything connects.
  const ops = await startWorkerOps('cart-manager', { broker, pool }, config, log);
  await pool.query('SELECT 1');

  broker.consume({
    queue: topology.addToCart,
    schema: addToCartJob,
    logFields: (job) => ({ clientId: job.clientID, productId: job.productID, requestId: job.requestID }),
    handler: async (job, ctx) => {
      if (job.deadline !== undefined && Date.now() > job.deadline) {
        // The gateway already answered 503 (retry): applying it now would only
        // add work behind the retries. A retry with the same key is applied once.
        ctx.log.debug('add-to-cart past its deadline, dropped unapplied');
        return;
      }
      const reply = await addToCart(pool, ctx.log, job, config.MAX_QUANTITY_PER_LINE);
      ctx.log.debug({ code: reply.code }, 'add to cart handled');
      broker.reply(ctx, reply, ctx.log);
    },
  });

  broker.consume({
    queue: topology.checkout,
    schema: checkoutJob,
    logFields: (job) => ({ orderId: job.orderID, clientId: job.clientID }),
    handler: async (job, ctx) => {
      const step = await createOrder(pool, ctx.log, job);
      if (step.kind === 'final') {
        ctx.log.info({ status: step.order.status, code: step.order.code }, 'checkout answered by the cart manager');
        broker.reply(ctx, checkoutReplyOf(step.order), ctx.log);
        return;
      }
      crashPoint('cart.after-order-commit', config);
      // Published (and confirmed) before the ack: a crash in between is healed
      // by the redelivery, which finds the pending order and publishes again.
      const next: ProcessOrderJob = { orderID: job.orderID };
      await broker.sendToQueue(topology.processOrder, next, {
        replyTo: ctx.replyTo,
        correlationId: ctx.correlationId,
        messageId: `process:${job.orderID}`,
      });
      ctx.log.info({ totalCents: step.order.totalCents }, 'order created, handed to the checkout manager');
    },
  });

  broker.consume({
    queue: topology.orderFinalized,
    schema: orderFinalizedEvent,
    logFields: (event) => ({ orderId: event.orderID, clientId: event.clientID }),
    handler: async (event, ctx) => {
      if (await applyOrderFinalized(pool, ctx.log, event)) ctx.log.info('ordered quantities removed from the cart');
    },
  });

  await broker.start();
  log.info({ queuePrefix: config.QUEUE_PREFIX, prefetch: config.PREFETCH }, 'consuming');
  return async () => {
    await ops.stop();
    await broker.stop();
    await pool.end();
  };
});
