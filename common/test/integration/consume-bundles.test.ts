import { randomBytes, randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { z } from 'zod';
import { Broker } from '../../src/amqp/broker';
import { BUNDLE_HEADER } from '../../src/amqp/bundle';
import { deleteTopology, topologyFor } from '../../src/amqp/topology';
import { amqpEnv } from '../../src/config';
import { AppError } from '../../src/errors';
import { createLogger } from '../../src/logger';

/**
 * Bundles (common/src/amqp/bundle.ts) through the real RabbitMQ: a message
 * holding several requests is handled as that many deliveries of a batch;
 * a request that does not parse, or fails for good, is dead-lettered alone as
 * the message it would have been; one to retry sends the whole bundle back;
 * the replies to a bundle go back as one.
 */
const URL = process.env.AMQP_URL ?? amqpEnv.AMQP_URL.parse(undefined);
const topology = topologyFor(`fs-test-bundle-${randomBytes(4).toString('hex')}`);
const log = createLogger('consume-bundles-test', 'silent');
const job = z.object({ id: z.string(), poison: z.boolean().default(false), flaky: z.boolean().default(false) });

const handled = new Map<string, number>();
const batchSizes: number[] = [];
const flakyFailed = new Set<string>();
let broker: Broker;
let conn: amqp.ChannelModel;
let ch: amqp.ConfirmChannel;

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deadLetters(): Promise<{ body: unknown; messageId: unknown; correlationId: unknown; reason: string }[]> {
  const out: { body: unknown; messageId: unknown; correlationId: unknown; reason: string }[] = [];
  const get = await conn.createChannel();
  try {
    for (let msg = await get.get(topology.deadLetterQueue, { noAck: true }); msg; msg = await get.get(topology.deadLetterQueue, { noAck: true })) {
      out.push({
        body: JSON.parse(msg.content.toString()),
        messageId: msg.properties.messageId,
        correlationId: msg.properties.correlationId,
        reason: String(msg.properties.headers?.['x-rejection-reason'] ?? ''),
      });
    }
  } finally {
    await get.close();
  }
  return out;
}

/** Publish one bundle of these bodies, confirmed; returns the items as sent. */
async function sendBundle(queue: string, bodies: unknown[], replyTo?: string) {
  const items = bodies.map((body) => ({ messageId: randomUUID(), correlationId: randomUUID(), body }));
  ch.sendToQueue(queue, Buffer.from(JSON.stringify({ items })), { persistent: true, headers: { [BUNDLE_HEADER]: items.length }, ...(replyTo ? { replyTo } : {}) });
  await ch.waitForConfirms();
  return items;
}

const queueDepth = async (queue: string) => (await ch.checkQueue(queue)).messageCount;

beforeAll(async () => {
  broker = new Broker({ url: URL, log, topology, deliveryLimit: 5, prefetch: 10 });
  broker.consumeBatches({
    queue: topology.addToCart,
    schema: job,
    maxBatch: 100,
    // Like one transaction: a poison request fails the whole batch (then each request goes alone).
    handleBatch: async (batch) => {
      batchSizes.push(batch.length);
      const bad = batch.find((d) => d.message.poison);
      if (bad) throw new AppError({ code: 'INVALID_REQUEST', message: `request ${bad.message.id} breaks a constraint` });
      return batch.map((d) => {
        handled.set(d.message.id, (handled.get(d.message.id) ?? 0) + 1);
        if (d.message.flaky && !flakyFailed.has(d.message.id)) {
          flakyFailed.add(d.message.id);
          return { ok: false as const, err: new Error('transient: try again') };
        }
        broker.reply(d.ctx, { id: d.message.id }, () => d.ctx.log);
        return { ok: true as const };
      });
    },
  });
  await broker.start();
  conn = await amqp.connect(URL);
  ch = await conn.createConfirmChannel();
});

afterAll(async () => {
  await broker.stop();
  await deleteTopology(await conn.createChannel(), topology);
  await conn.close();
});

test('when a bundle holds a request that does not parse and one that fails its batch, then each is dead-lettered alone as its own message, the rest are handled once, and the bundle is acked', async () => {
  const items = await sendBundle(topology.addToCart, [{ id: 'a1' }, { id: 'a2' }, { nope: true }, { id: 'a3', poison: true }, { id: 'a4' }]);
  await waitFor('the good requests handled', () => ['a1', 'a2', 'a4'].every((id) => handled.has(id)));
  let parked: Awaited<ReturnType<typeof deadLetters>> = [];
  await waitFor('both bad requests parked', async () => (parked = [...parked, ...(await deadLetters())]).length >= 2);
  expect(parked.sort((x, y) => String(x.messageId).localeCompare(String(y.messageId)))).toEqual(
    [
      { body: { nope: true }, messageId: items[2]!.messageId, correlationId: items[2]!.correlationId, reason: expect.stringMatching(/^INVALID_REQUEST: id: /) },
      { body: { id: 'a3', poison: true }, messageId: items[3]!.messageId, correlationId: items[3]!.correlationId, reason: 'INVALID_REQUEST: request a3 breaks a constraint' },
    ].sort((x, y) => String(x.messageId).localeCompare(String(y.messageId))),
  );
  expect(['a1', 'a2', 'a4'].map((id) => handled.get(id))).toEqual([1, 1, 1]);
  expect(handled.has('a3')).toBe(false);
  await waitFor('nothing in flight', () => broker.inFlightCount === 0);
  expect(await queueDepth(topology.addToCart)).toBe(0);
});

test('when one request of a bundle is to be retried, then the whole bundle goes back to the queue and every request in it is handled again', async () => {
  await sendBundle(topology.addToCart, [{ id: 'b1' }, { id: 'b2', flaky: true }, { id: 'b3' }]);
  await waitFor('the bundle handled twice', () => ['b1', 'b2', 'b3'].every((id) => handled.get(id) === 2), 15_000);
  await waitFor('nothing in flight', () => broker.inFlightCount === 0);
  expect(await deadLetters()).toEqual([]);
  expect(await queueDepth(topology.addToCart)).toBe(0);
});

test('when a bundle comes with a reply address, then the replies of its requests go back as one bundle, each with its correlation id', async () => {
  const replies: amqp.ConsumeMessage[] = [];
  await ch.consume('amq.rabbitmq.reply-to', (msg) => msg && replies.push(msg), { noAck: true });
  const items = await sendBundle(topology.addToCart, [{ id: 'c1' }, { id: 'c2' }, { id: 'c3' }], 'amq.rabbitmq.reply-to');
  await waitFor('the replies', () => replies.length > 0);
  await new Promise((r) => setTimeout(r, 100));
  expect(replies).toHaveLength(1);
  expect(replies[0]!.properties.headers?.[BUNDLE_HEADER]).toBe(3);
  const body = JSON.parse(replies[0]!.content.toString()) as { items: { correlationId: string; body: unknown }[] };
  expect(body.items.sort((x, y) => x.correlationId.localeCompare(y.correlationId))).toEqual(
    items.map((it) => ({ correlationId: it.correlationId, body: { id: (it.body as { id: string }).id } })).sort((x, y) => x.correlationId.localeCompare(y.correlationId)),
  );
});

test('when bundles wait, then a batch takes them while the requests they hold stay within maxBatch', async () => {
  batchSizes.length = 0;
  const bodies = (prefix: string) => Array.from({ length: 40 }, (_, i) => ({ id: `${prefix}${i}` }));
  // Held back until all three are queued: the consumer sees them waiting together.
  await broker.stopConsuming();
  const second = new Broker({ url: URL, log, topology, deliveryLimit: 5, prefetch: 10 });
  const sizes: number[] = [];
  second.consumeBatches({
    queue: topology.addToCart,
    schema: job,
    maxBatch: 100,
    handleBatch: async (batch) => {
      sizes.push(batch.length);
      await new Promise((r) => setTimeout(r, 20));
      return batch.map(() => ({ ok: true as const }));
    },
  });
  await sendBundle(topology.addToCart, bodies('d'));
  await sendBundle(topology.addToCart, bodies('e'));
  await sendBundle(topology.addToCart, bodies('f'));
  await second.start();
  try {
    await waitFor('every request handled', () => sizes.reduce((a, b) => a + b, 0) === 120);
  } finally {
    await second.stop();
  }
  // However the deliveries arrive: a bundle is never split, and no batch holds more than 100 requests
  // (three bundles of 40 never make one batch of 120).
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(120);
  for (const n of sizes) {
    expect(n % 40).toBe(0);
    expect(n).toBeLessThanOrEqual(100);
  }
  const stats = second.batchStats.get(topology.addToCart)!;
  expect(stats).toMatchObject({ deliveries: 3, items: 120 });
});
