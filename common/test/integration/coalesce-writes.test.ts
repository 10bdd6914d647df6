import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import amqp, { type ChannelModel } from 'amqplib';
import { coalesceWrites } from '../../src/amqp/coalesce-writes';
import { amqpEnv } from '../../src/config';

/**
 * The frames one turn writes leave in one socket write, against the real
 * RabbitMQ: 200 publishes made in one turn are a handful of writes with
 * coalesceWrites, and one write each without (the same test on a plain
 * connection shows what it saves, and that amqplib still has the stream
 * this wraps: an upgrade that moves it fails here).
 */
const URL = process.env.AMQP_URL ?? amqpEnv.AMQP_URL.parse(undefined);
const queue = `fs-test-coalesce-${randomBytes(4).toString('hex')}`;
const connections: ChannelModel[] = [];

/** Count the writes that reach the socket (one _write or _writev each is one syscall's worth). */
function countWrites(stream: Duplex): { writes: number } {
  const counter = { writes: 0 };
  const s = stream as Duplex & { _write: (...a: unknown[]) => void; _writev?: (...a: unknown[]) => void };
  const write = s._write.bind(s);
  s._write = (...a: unknown[]) => {
    counter.writes++;
    write(...a);
  };
  if (s._writev) {
    const writev = s._writev.bind(s);
    s._writev = (...a: unknown[]) => {
      counter.writes++;
      writev(...a);
    };
  }
  return counter;
}

async function publishInOneTurn(coalesce: boolean): Promise<{ writes: number; received: number }> {
  const conn = await amqp.connect(URL, { noDelay: true });
  connections.push(conn);
  if (coalesce) expect(coalesceWrites(conn.connection)).toBe(true);
  const stream = (conn.connection as unknown as { stream: Duplex }).stream;
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: false, autoDelete: false });
  await ch.purgeQueue(queue);
  const counter = countWrites(stream);
  for (let i = 0; i < 200; i++) ch.sendToQueue(queue, Buffer.from(JSON.stringify({ i })));
  await ch.waitForConfirms();
  const writes = counter.writes;
  const { messageCount } = await ch.checkQueue(queue);
  await ch.close();
  return { writes, received: messageCount };
}

afterAll(async () => {
  const conn = await amqp.connect(URL);
  const ch = await conn.createChannel();
  await ch.deleteQueue(queue);
  await conn.close();
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
});

test('when a turn publishes 200 messages, then with coalesced writes they leave in a few socket writes, and every one arrives', async () => {
  const plain = await publishInOneTurn(false);
  const coalesced = await publishInOneTurn(true);
  expect(plain.received).toBe(200);
  expect(coalesced.received).toBe(200);
  expect(plain.writes).toBeGreaterThanOrEqual(200);
  expect(coalesced.writes).toBeLessThanOrEqual(10);
});

test('when coalesceWrites is given something that is not an amqplib connection, then it says so and changes nothing', () => {
  expect(coalesceWrites(null)).toBe(false);
  expect(coalesceWrites({})).toBe(false);
});
