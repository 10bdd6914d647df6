import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { z } from 'zod';
import { Broker } from '../../src/amqp/broker';
import { deleteTopology, topologyFor } from '../../src/amqp/topology';
import { amqpEnv } from '../../src/config';
import { AppError } from '../../src/errors';
import { createLogger } from '../../src/logger';

/**
 * consume() against the real RabbitMQ: a failure the catalog marks final goes
 * to the dead-letter queue at once, with its reason; an unknown failure is
 * retried (bounded by the queue's delivery limit).
 */
const URL = process.env.AMQP_URL ?? amqpEnv.AMQP_URL.parse(undefined);
const topology = topologyFor(`fs-test-consume-${randomBytes(4).toString('hex')}`);
const log = createLogger('consume-test', 'silent');
const job = z.object({ kind: z.enum(['final', 'unknown', 'ok']), id: z.string() });

const calls = new Map<string, number>();
let broker: Broker;

async function waitFor<T>(read: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deadLetters(): Promise<{ id: string; reason: string; deliveryCount: number }[]> {
  const conn = await amqp.connect(URL);
  try {
    const ch = await conn.createChannel();
    const out: { id: string; reason: string; deliveryCount: number }[] = [];
    for (let msg = await ch.get(topology.deadLetterQueue, { noAck: true }); msg; msg = await ch.get(topology.deadLetterQueue, { noAck: true })) {
      const headers = msg.properties.headers ?? {};
      out.push({ id: (JSON.parse(msg.content.toString()) as { id: string }).id, reason: String(headers['x-rejection-reason'] ?? ''), deliveryCount: Number(headers['x-delivery-count'] ?? 0) });
    }
    return out;
  } finally {
    await conn.close();
  }
}

beforeAll(async () => {
  broker = new Broker({ url: URL, log, topology, deliveryLimit: 2, prefetch: 10 });
  broker.consume({
    queue: topology.processOrder,
    schema: job,
    handler: async (message) => {
      calls.set(message.id, (calls.get(message.id) ?? 0) + 1);
      if (message.kind === 'final') throw new AppError({ code: 'ORDER_NOT_FOUND', message: `order ${message.id} does not exist` });
      if (message.kind === 'unknown') throw new Error('the database restarted');
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

test('when a handler fails with an error the catalog marks final, then the message is dead-lettered at once with its reason', async () => {
  await broker.sendToQueue(topology.processOrder, { kind: 'final', id: 'f1' });
  const parked = await waitFor(async () => {
    const found = await deadLetters();
    return found.length ? found : null;
  });
  expect(parked).toEqual([{ id: 'f1', reason: 'ORDER_NOT_FOUND: order f1 does not exist', deliveryCount: 0 }]);
  expect(calls.get('f1')).toBe(1);
});

test('when a handler fails with an unknown error, then it is retried, not dead-lettered at once', async () => {
  await broker.sendToQueue(topology.processOrder, { kind: 'unknown', id: 'u1' });
  await waitFor(async () => ((calls.get('u1') ?? 0) >= 2 ? true : null));
  expect(calls.get('u1')).toBeGreaterThanOrEqual(2);
});

test('when a message does not parse, then it is dead-lettered at once naming the field', async () => {
  await broker.sendToQueue(topology.processOrder, { kind: 'nonsense', id: 'p1' });
  const parked = await waitFor(async () => {
    const found = (await deadLetters()).filter((m) => m.id === 'p1');
    return found.length ? found : null;
  });
  expect(parked[0]!.reason).toMatch(/^INVALID_REQUEST: kind/);
  expect(calls.has('p1')).toBe(false);
});
