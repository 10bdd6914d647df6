import type { Channel } from 'amqplib';

/**
 * Every queue name derives from one prefix, so test runs and deployments never
 * share queues. Every process asserts the whole topology on (re)connect with
 * the same arguments (RabbitMQ refuses a redeclaration with different ones).
 */
export interface Topology {
  addToCart: string;
  checkout: string;
  processOrder: string;
  orderFinalized: string;
  eventsExchange: string;
  /** Fanout of pushed stock levels (inventory manager -> gateways, cart managers); each receiver binds its own exclusive queue. */
  stockLevelsExchange: string;
  deadLetterExchange: string;
  deadLetterQueue: string;
}

export const ORDER_FINALIZED_KEY = 'order.finalized';

export function topologyFor(prefix: string): Topology {
  return {
    addToCart: `${prefix}.cart.add`,
    checkout: `${prefix}.cart.checkout`,
    processOrder: `${prefix}.checkout.process`,
    orderFinalized: `${prefix}.cart.order-finalized`,
    eventsExchange: `${prefix}.events`,
    stockLevelsExchange: `${prefix}.stock-levels`,
    deadLetterExchange: `${prefix}.dlx`,
    deadLetterQueue: `${prefix}.dead-letter`,
  };
}

export function workQueues(t: Topology): string[] {
  return [t.addToCart, t.checkout, t.processOrder, t.orderFinalized];
}

/**
 * Work queues are quorum queues: replicated, durable, and with x-delivery-limit
 * they count redeliveries themselves, so a message that keeps failing (or keeps
 * killing its worker) goes to the dead-letter queue instead of looping forever.
 */
export async function assertTopology(ch: Channel, t: Topology, deliveryLimit: number): Promise<void> {
  await ch.assertExchange(t.deadLetterExchange, 'fanout', { durable: true });
  await ch.assertQueue(t.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(t.deadLetterQueue, t.deadLetterExchange, '');
  await ch.assertExchange(t.eventsExchange, 'topic', { durable: true });
  await ch.assertExchange(t.stockLevelsExchange, 'fanout', { durable: true });
  for (const queue of workQueues(t)) {
    await ch.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': deliveryLimit,
        'x-dead-letter-exchange': t.deadLetterExchange,
      },
    });
  }
  await ch.bindQueue(t.orderFinalized, t.eventsExchange, ORDER_FINALIZED_KEY);
}

/** Used by tests to clean up after a run. */
export async function deleteTopology(ch: Channel, t: Topology): Promise<void> {
  for (const queue of [...workQueues(t), t.deadLetterQueue]) await ch.deleteQueue(queue);
  await ch.deleteExchange(t.eventsExchange);
  await ch.deleteExchange(t.stockLevelsExchange);
  await ch.deleteExchange(t.deadLetterExchange);
}
