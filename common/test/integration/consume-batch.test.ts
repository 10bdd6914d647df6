import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import amqp from 'amqplib';
import { z } from 'zod';
import { Broker } from '../../src/amqp/broker';
import { deleteTopology, topologyFor } from '../../src/amqp/topology';
import { amqpEnv } from '../../src/config';
import { AppError } from '../../src/errors';
import { createLogger } from '../../src/logger';

/**
 * Batch consumers against the real RabbitMQ: batches grow under a burst, every
 * message gets its own outcome, and a message that fails its batch is found
 * and dead-lettered alone while its neighbours are applied.
 */
const URL = process.env.AMQP_URL ?? amqpEnv.AMQP_URL.parse(undefined);
const topology = topologyFor(`fs-test-batch-${randomBytes(4).toString('hex')}`);
const log = createLogger('consume-batch-test', 'silent');
const job = z.object({ id: z.string(), poison: z.boolean().default(false) });

const applied = new Set<string>();
const batchSizes: number[] = [];
let broker: Broker;

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deadLetters(): Promise<{ id: string; reason: string }[]> {
  const conn = await amqp.connect(URL);
  try {
    const ch = await conn.createChannel();
    const out: { id: string; reason: string }[] = [];
    for (let msg = await ch.get(topology.deadLetterQueue, { noAck: true }); msg; msg = await ch.get(topology.deadLetterQueue, { noAck: true })) {
      out.push({ id: (JSON.parse(msg.content.toString()) as { id: string }).id, reason: String(msg.properties.headers?.['x-rejection-reason'] ?? '') });
    }
    return out;
  } finally {
    await conn.close();
  }
}

beforeAll(async () => {
  broker = new Broker({ url: URL, log, topology, deliveryLimit: 5, prefetch: 10 });
  broker.consumeBatches({
    queue: topology.addToCart,
    schema: job,
    maxBatch: 100,
    // Like one transaction: a poison message makes the whole batch fail, and nothing of it is applied.
    handleBatch: async (batch) => {
      batchSizes.push(batch.length);
      const bad = batch.find((d) => d.message.poison);
      if (bad) throw new AppError({ code: 'INVALID_REQUEST', message: `message ${bad.message.id} breaks a constraint` });
      await new Promise((r) => setTimeout(r, 20));
      for (const d of batch) applied.add(d.message.id);
      return batch.map(() => ({ ok: true as const }));
    },
  });
  await broker.start();
});

afterAll(async () => {
  await broker.stop();
  const conn = await amqp.connect(URL);
  await deleteTopology(await conn.createChannel(), topology);
  await conn.close();
});

test('when 500 messages arrive at once, then they are applied in batches larger than one, each exactly once', async () => {
  const ids = Array.from({ length: 500 }, (_, i) => `m${i}`);
  await Promise.all(ids.map((id) => broker.sendToQueue(topology.addToCart, { id })));
  await waitFor('every message applied', () => ids.every((id) => applied.has(id)));
  const stats = broker.batchStats.get(topology.addToCart)!;
  expect(stats.deliveries).toBe(500);
  expect(stats.deliveries / stats.batches).toBeGreaterThan(2);
  expect(Math.max(...batchSizes)).toBeLessThanOrEqual(100);
  await waitFor('nothing in flight', () => broker.inFlightCount === 0);
});

test('when a queue holds more than a batch, then every batch but the first and the last is full: the next batch is delivered while one runs', async () => {
  const queue = topology.checkout;
  const ids = Array.from({ length: 400 }, (_, i) => `q${i}`);
  await Promise.all(ids.map((id) => broker.sendToQueue(queue, { id })));
  const conn = await amqp.connect(URL);
  try {
    const ch = await conn.createChannel();
    await waitFor('the 400 messages queued', async () => (await ch.checkQueue(queue)).messageCount === ids.length);
  } finally {
    await conn.close();
  }
  // A consumer of its own, started on the full queue.
  const sizes: number[] = [];
  const done = new Set<string>();
  const consumer = new Broker({ url: URL, log, topology, deliveryLimit: 5, prefetch: 10 });
  consumer.consumeBatches({
    queue,
    schema: job,
    maxBatch: 50,
    handleBatch: async (batch) => {
      sizes.push(batch.length);
      await new Promise((r) => setTimeout(r, 30));
      for (const d of batch) done.add(d.message.id);
      return batch.map(() => ({ ok: true as const }));
    },
  });
  await consumer.start();
  try {
    await waitFor('every message applied', () => done.size === ids.length);
    await waitFor('nothing in flight', () => consumer.inFlightCount === 0);
  } finally {
    await consumer.stop();
  }
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(ids.length);
  expect(sizes.slice(1, -1).filter((n) => n < 50)).toEqual([]);
});

test('when one message of a batch fails it, then only that message is dead-lettered and its neighbours are applied', async () => {
  const ids = Array.from({ length: 60 }, (_, i) => `n${i}`);
  await Promise.all(ids.map((id, i) => broker.sendToQueue(topology.addToCart, { id, poison: i === 30 })));
  await waitFor('the 59 good messages applied', () => ids.filter((_, i) => i !== 30).every((id) => applied.has(id)));
  expect(applied.has('n30')).toBe(false);
  let parked: { id: string; reason: string }[] = [];
  await waitFor('the poison message parked', async () => (parked = [...parked, ...(await deadLetters())]).length > 0);
  expect(parked).toEqual([{ id: 'n30', reason: 'INVALID_REQUEST: message n30 breaks a constraint' }]);
});

test('when batches settle out of order and one message of a batch waits out a retry, then the acks of the others cover nothing still at work: each message is applied once and the channel never fails', async () => {
  const queue = topology.processOrder;
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) warnings.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  const counts = new Map<string, number>();
  let failedOnce = false;
  const consumer = new Broker({ url: URL, log: createLogger('consume-batch-test', 'warn', sink), topology, deliveryLimit: 5, prefetch: 10 });
  consumer.consumeBatches({
    queue,
    schema: job,
    maxBatch: 40,
    concurrency: 3,
    handleBatch: async (batch) => {
      // Batches take 5 to 60 ms, so later ones often finish first.
      await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 55)));
      return batch.map((d) => {
        if (d.message.id === 'r77' && !failedOnce) {
          failedOnce = true;
          return { ok: false as const, err: new Error('transient: try again') };
        }
        counts.set(d.message.id, (counts.get(d.message.id) ?? 0) + 1);
        return { ok: true as const };
      });
    },
  });
  await consumer.start();
  const ids = Array.from({ length: 600 }, (_, i) => `r${i}`);
  try {
    await Promise.all(ids.map((id) => broker.sendToQueue(queue, { id })));
    await waitFor('every message applied', () => ids.every((id) => counts.has(id)));
    await waitFor('nothing in flight', () => consumer.inFlightCount === 0);
  } finally {
    await consumer.stop();
  }
  expect(failedOnce).toBe(true);
  expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
  expect(warnings.filter((m) => /channel error|connection lost/.test(m))).toEqual([]);
  // Nothing left unacked: once the consumer is gone, the queue holds no message to redeliver.
  const conn = await amqp.connect(URL);
  try {
    const ch = await conn.createChannel();
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
  } finally {
    await conn.close();
  }
});

test('when messages say they hold several units each, then a batch takes them while their units stay within maxItems', async () => {
  const queue = topology.orderFinalized;
  const sizes: number[][] = [];
  const consumer = new Broker({ url: URL, log, topology, deliveryLimit: 5, prefetch: 10 });
  consumer.consumeBatches({
    queue,
    schema: job,
    maxBatch: 50,
    maxItems: { max: 100, hint: (raw) => Number(raw.properties.headers?.['x-units'] ?? 1) },
    handleBatch: async (batch) => {
      sizes.push(batch.map((d) => Number(d.raw.properties.headers?.['x-units'] ?? 1)));
      await new Promise((r) => setTimeout(r, 20));
      return batch.map(() => ({ ok: true as const }));
    },
  });
  // Queued before the consumer starts: the first batches see them all waiting.
  const units = [30, 30, 30, 30, 150, 10, 10, 60, 50, 1];
  await Promise.all(units.map((n, i) => broker.sendToQueue(queue, { id: `u${i}` }, { headers: { 'x-units': n } })));
  await consumer.start();
  try {
    await waitFor('every message handled', () => sizes.flat().length === units.length);
  } finally {
    await consumer.stop();
  }
  expect(sizes.flat()).toEqual(units);
  for (const batch of sizes) {
    const total = batch.reduce((a, b) => a + b, 0);
    if (batch.length > 1) expect(total).toBeLessThanOrEqual(100);
  }
  expect(sizes).toContainEqual([150]); // over the bound by itself: a batch of one
  expect(sizes.length).toBeGreaterThan(2);
});
