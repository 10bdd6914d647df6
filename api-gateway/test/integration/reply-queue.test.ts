/**
 * REPLY_QUEUE against the real RabbitMQ: where the workers' replies come back.
 * The test plays the worker: it consumes the real add-to-cart queue, records
 * each request's replyTo and answers there (or holds it, by message id).
 * 'exclusive': one server-named exclusive queue per channel, the same for every
 * request, a new one after the connection drops; 'direct' (the control): the
 * pseudo-queue amq.rabbitmq.reply-to. Also the gateway's own startGateway with
 * REPLY_QUEUE=exclusive, so the setting is wired. Its own queue prefix and no
 * database (the gateway's pool never connects: no read endpoint is called);
 * the topology is removed after.
 */
import { randomBytes } from 'node:crypto';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import pino from 'pino';
import { Broker } from '../../../common/src/amqp/broker';
import { assertTopology, deleteTopology, topologyFor } from '../../../common/src/amqp/topology';
import { type AddToCartReply, addToCartReply } from '../../../contracts/messages';
import { loadGatewayConfig } from '../../src/config';
import { startGateway, type RunningGateway } from '../../src/main';
import { RpcClient } from '../../src/messaging/rpc';
import { amqpUrlFromEnv } from '../../../test/support/infrastructure';
import { waitFor } from '../../../test/support/wait';

const AMQP_URL = amqpUrlFromEnv();
const RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const QUEUE_PREFIX = `gw-reply-test-${RUN_ID}`;
const topology = topologyFor(QUEUE_PREFIX);
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const OK: AddToCartReply = { ok: true, code: '', error: '' };
const DIRECT = /^amq\.rabbitmq\.reply-to/;
/** RabbitMQ's server-generated queue names. */
const SERVER_NAMED = /^amq\.gen-/;

interface Seen {
  messageId: string;
  replyTo: string;
}

/** The worker's double: records every request; answers at once unless its message id starts with "hold". */
class WorkerDouble {
  seen: Seen[] = [];
  private tag = '';
  constructor(private readonly ch: Channel) {}

  async start(): Promise<void> {
    this.tag = (await this.ch.consume(topology.addToCart, (msg) => msg && this.onMessage(msg))).consumerTag;
  }

  async stop(): Promise<void> {
    if (this.tag) await this.ch.cancel(this.tag);
  }

  replyToOf(messageId: string): string {
    const seen = this.seen.find((s) => s.messageId === messageId);
    if (!seen) throw new Error(`the worker did not receive ${messageId}`);
    return seen.replyTo;
  }

  private onMessage(msg: ConsumeMessage): void {
    const messageId = String(msg.properties.messageId);
    const replyTo = String(msg.properties.replyTo);
    this.seen.push({ messageId, replyTo });
    if (!messageId.startsWith('hold')) {
      this.ch.sendToQueue(replyTo, Buffer.from(JSON.stringify(OK)), { correlationId: msg.properties.correlationId as string });
    }
    this.ch.ack(msg);
  }
}

let workerConn: ChannelModel;
let workerCh: Channel;
let worker: WorkerDouble;
const brokers: Broker[] = [];

async function client(mode: 'direct' | 'exclusive'): Promise<{ broker: Broker; rpc: RpcClient }> {
  const broker = new Broker({ url: AMQP_URL, log, topology, deliveryLimit: 20, prefetch: 10 });
  brokers.push(broker);
  // Bundles off (a bound of 1): this worker reads single messages; bundles have their own tests (rpc.test.ts, consume-bundles.test.ts).
  const rpc = new RpcClient(broker, log, mode, 1);
  await broker.start({ waitForConnect: true });
  await waitFor('the broker to be ready', async () => broker.isReady, (ready) => ready);
  return { broker, rpc };
}

const ask = (rpc: RpcClient, messageId: string, timeoutMs = 5_000) =>
  rpc.request(topology.addToCart, { requestID: messageId, clientID: 'c', productID: 'p', quantity: 1 }, addToCartReply, { timeoutMs, messageId });

/**
 * What the broker says of a queue, asked from another connection (a channel of
 * its own: a refusal closes it). An exclusive queue of another connection is
 * RESOURCE_LOCKED (405); a deleted one NOT_FOUND (404).
 */
async function probeQueue(queue: string): Promise<'exists' | 'locked' | 'not-found'> {
  const ch = await workerConn.createChannel();
  ch.on('error', () => undefined);
  try {
    await ch.checkQueue(queue);
    await ch.close();
    return 'exists';
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 405) return 'locked';
    if (code === 404) return 'not-found';
    throw err;
  }
}

beforeAll(async () => {
  workerConn = await amqp.connect(AMQP_URL);
  workerCh = await workerConn.createChannel();
  await assertTopology(workerCh, topology, 20);
  worker = new WorkerDouble(workerCh);
  await worker.start();
});

afterAll(async () => {
  for (const broker of brokers) await broker.stop();
  if (workerCh) {
    await worker.stop().catch(() => undefined);
    await deleteTopology(workerCh, topology);
  }
  await workerConn?.close();
});

describe("REPLY_QUEUE 'direct' (the control)", () => {
  it('when a request is made, then its replyTo is direct reply-to and the reply arrives', async () => {
    const { rpc } = await client('direct');
    await expect(ask(rpc, 'direct-1')).resolves.toEqual({ timedOut: false, reply: OK });
    expect(worker.replyToOf('direct-1')).toMatch(DIRECT);
  });
});

describe("REPLY_QUEUE 'exclusive'", () => {
  let broker: Broker;
  let rpc: RpcClient;
  let firstQueue: string;

  beforeAll(async () => {
    ({ broker, rpc } = await client('exclusive'));
  });

  it('when two requests are made, then both reply to the same exclusive, server-named queue and get their replies through it', async () => {
    const [a, b] = await Promise.all([ask(rpc, 'exclusive-1'), ask(rpc, 'exclusive-2')]);
    expect(a).toEqual({ timedOut: false, reply: OK });
    expect(b).toEqual({ timedOut: false, reply: OK });
    firstQueue = worker.replyToOf('exclusive-1');
    expect(firstQueue).not.toMatch(DIRECT);
    expect(firstQueue).toMatch(SERVER_NAMED);
    expect(worker.replyToOf('exclusive-2')).toBe(firstQueue);
    // The broker holds it as a queue, exclusive to the gateway's connection.
    expect(await probeQueue(firstQueue)).toBe('locked');
  });

  it('when the broker connection drops, then the waiting request resolves connection-lost, the old queue is gone, a new one is declared and requests work again', async () => {
    const held = ask(rpc, 'hold-1', 60_000);
    await waitFor('the worker to receive the held request', async () => worker.seen.some((s) => s.messageId === 'hold-1'), (got) => got);
    expect(worker.replyToOf('hold-1')).toBe(firstQueue);
    const dropped = Date.now();
    await broker.dropConnection();
    await expect(held).resolves.toEqual({ timedOut: true, reason: 'connection-lost' });
    expect(Date.now() - dropped).toBeLessThan(5_000);

    await waitFor('the gateway to reconnect', async () => broker.isReady, (ready) => ready);
    expect(await probeQueue(firstQueue)).toBe('not-found');
    await expect(ask(rpc, 'after-drop-1')).resolves.toEqual({ timedOut: false, reply: OK });
    await expect(ask(rpc, 'after-drop-2')).resolves.toEqual({ timedOut: false, reply: OK });
    const secondQueue = worker.replyToOf('after-drop-1');
    expect(secondQueue).toMatch(SERVER_NAMED);
    expect(secondQueue).not.toBe(firstQueue);
    expect(worker.replyToOf('after-drop-2')).toBe(secondQueue);
    expect(await probeQueue(secondQueue)).toBe('locked');
    expect(rpc.pendingCount).toBe(0);
  });
});

describe('the gateway process setup (startGateway)', () => {
  let gateway: RunningGateway | undefined;

  afterAll(async () => {
    await gateway?.stop();
  });

  it("when REPLY_QUEUE=exclusive, then POST /addToCart is answered through an exclusive queue", async () => {
    const config = loadGatewayConfig({ AMQP_URL, QUEUE_PREFIX, HOST: '127.0.0.1', PORT: '0', REPLY_QUEUE: 'exclusive', LOG_LEVEL: 'silent' });
    // startGateway waits (3 s at most) for the broker; /readyz would also want the database.
    gateway = await startGateway(config, log);
    const base = `http://127.0.0.1:${gateway.port}`;
    const before = worker.seen.length;
    const res = await fetch(`${base}/addToCart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientID: 'wired', productID: 'p', quantity: 1 }),
    });
    expect(res.status).toBe(200);
    const seen = worker.seen.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.replyTo).not.toMatch(DIRECT);
    expect(seen[0]!.replyTo).toMatch(SERVER_NAMED);
  });
});
