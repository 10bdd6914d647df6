/**
 * The request/reply client against a scripted channel: correlation, timeouts,
 * publish failures and connection loss, and that no waiter is left behind;
 * then the 'exclusive' reply queue mode (REPLY_QUEUE).
 */
import { EventEmitter } from 'node:events';
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import pino from 'pino';
import { AppError } from '../../../common/src/errors';
import { addToCartReply, checkoutReply } from '../../../contracts/messages';
import { BUNDLE_HEADER } from '../../../common/src/amqp/bundle';
import { DIRECT_REPLY_TO, EXCLUSIVE_REPLY_QUEUE, RpcClient } from '../../src/messaging/rpc';

type Setup = (ch: ConfirmChannel) => Promise<void>;

let declaredQueues = 0;

class FakeChannel extends EventEmitter {
  onMessage: ((msg: ConsumeMessage | null) => void) | null = null;
  consumedQueue = '';
  consumeOptions: Options.Consume | undefined;
  asserted: Array<{ queue: string; options: Options.AssertQueue | undefined }> = [];
  closed = false;
  /** Like RabbitMQ: an empty name gets a server-generated one. */
  async assertQueue(queue: string, options?: Options.AssertQueue) {
    this.asserted.push({ queue, options });
    return { queue: queue || `amq.gen-${++declaredQueues}`, messageCount: 0, consumerCount: 0 };
  }
  async close() {
    this.closed = true;
    this.emit('close');
  }
  async consume(queue: string, onMessage: (msg: ConsumeMessage | null) => void, options?: Options.Consume) {
    this.consumedQueue = queue;
    this.consumeOptions = options;
    this.onMessage = onMessage;
    return { consumerTag: 'ctag' };
  }
  deliver(correlationId: string | undefined, body: unknown) {
    const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    this.onMessage!({ content, properties: { correlationId }, fields: {} } as unknown as ConsumeMessage);
  }
  /** A bundle of replies, as a worker sends them to the requests of one bundle (common/src/amqp/bundle.ts). */
  deliverBundle(items: { correlationId: string; body: unknown }[] | string) {
    const content = Buffer.from(typeof items === 'string' ? items : JSON.stringify({ items }));
    this.onMessage!({ content, properties: { headers: { [BUNDLE_HEADER]: items.length } }, fields: {} } as unknown as ConsumeMessage);
  }
}

interface Sent {
  queue: string;
  body: unknown;
  options: Options.Publish;
  confirm: () => void;
  fail: (err: unknown) => void;
}

class FakeBroker {
  setups: Setup[] = [];
  sent: Sent[] = [];
  autoConfirm = true;
  onChannel(setup: Setup) {
    this.setups.push(setup);
  }
  async connect(): Promise<FakeChannel> {
    const ch = new FakeChannel();
    for (const setup of this.setups) await setup(ch as unknown as ConfirmChannel);
    return ch;
  }
  sendToQueue(queue: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sent.push({ queue, body, options, confirm: resolve, fail: reject });
      if (this.autoConfirm) resolve();
    });
  }
}

const log = pino({ level: 'silent' });
const ORDER = '3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d';
const tick = () => new Promise((r) => setImmediate(r));

let broker: FakeBroker;
let rpc: RpcClient;
let ch: FakeChannel;

beforeEach(async () => {
  broker = new FakeBroker();
  rpc = new RpcClient(broker, log);
  ch = await broker.connect();
});

describe('RpcClient', () => {
  it('when a channel opens, then it consumes direct reply-to without acks (and declares no queue)', () => {
    expect(ch.consumedQueue).toBe(DIRECT_REPLY_TO);
    expect(ch.consumeOptions).toEqual({ noAck: true });
    expect(ch.asserted).toEqual([]);
  });

  it('when publishing, then replyTo is direct reply-to, the correlation id is fresh per request and the message id is the caller\'s', async () => {
    void rpc.request('q', { a: 1 }, addToCartReply, { timeoutMs: 1_000, messageId: 'm-1' });
    await tick();
    void rpc.request('q', { a: 1 }, addToCartReply, { timeoutMs: 1_000, messageId: 'm-1' });
    await tick();
    const [a, b] = broker.sent;
    expect(a!.options).toMatchObject({ replyTo: DIRECT_REPLY_TO, messageId: 'm-1', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(b!.options.correlationId).not.toBe(a!.options.correlationId);
    ch.emit('close');
  });

  it('when replies arrive out of order, then each request gets its own', async () => {
    const first = rpc.request('q', {}, checkoutReply, { timeoutMs: 1_000, messageId: 'm1' });
    await tick();
    const second = rpc.request('q', {}, checkoutReply, { timeoutMs: 1_000, messageId: 'm2' });
    await tick();
    const [a, b] = broker.sent;
    ch.deliver(b!.options.correlationId, { orderID: ORDER, status: 'failed', code: 'SOLD_OUT', error: 'x', totalCents: 0 });
    ch.deliver(a!.options.correlationId, { orderID: ORDER, status: 'confirmed', code: '', error: '', totalCents: 5 });
    await expect(first).resolves.toEqual({ timedOut: false, reply: { orderID: ORDER, status: 'confirmed', code: '', error: '', totalCents: 5 } });
    await expect(second).resolves.toMatchObject({ timedOut: false, reply: { code: 'SOLD_OUT' } });
    expect(rpc.pendingCount).toBe(0);
  });

  it('when no reply comes in time, then it resolves timedOut, forgets the waiter and ignores the late reply', async () => {
    const result = rpc.request('q', {}, addToCartReply, { timeoutMs: 30, messageId: 'm' });
    await expect(result).resolves.toEqual({ timedOut: true, reason: 'timeout' });
    expect(rpc.pendingCount).toBe(0);
    expect(() => ch.deliver(broker.sent[0]!.options.correlationId, { ok: true, code: '', error: '' })).not.toThrow();
  });

  it('when the reply does not match its schema, then it counts as no reply', async () => {
    const result = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm' });
    await tick();
    ch.deliver(broker.sent[0]!.options.correlationId, { ok: 'yes' });
    await expect(result).resolves.toEqual({ timedOut: true, reason: 'bad-reply' });
    const again = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm' });
    await tick();
    ch.deliver(broker.sent[1]!.options.correlationId, '{not json');
    await expect(again).resolves.toEqual({ timedOut: true, reason: 'bad-reply' });
    expect(rpc.pendingCount).toBe(0);
  });

  it('when the broker refuses the publish, then it throws SERVICE_UNAVAILABLE and forgets the waiter', async () => {
    broker.autoConfirm = false;
    const result = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm' });
    await tick();
    broker.sent[0]!.fail(new Error('nack'));
    await expect(result).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(result).rejects.toBeInstanceOf(AppError);
    expect(rpc.pendingCount).toBe(0);
  });

  it('when the publish is not confirmed within the wait, then it throws SERVICE_UNAVAILABLE (the job may not exist)', async () => {
    broker.autoConfirm = false;
    await expect(rpc.request('q', {}, addToCartReply, { timeoutMs: 30, messageId: 'm' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(rpc.pendingCount).toBe(0);
  });

  it('when the channel closes after the publish was confirmed, then waiting requests resolve at once as connection-lost', async () => {
    const result = rpc.request('q', {}, addToCartReply, { timeoutMs: 60_000, messageId: 'm' });
    await tick();
    ch.emit('close');
    await expect(result).resolves.toEqual({ timedOut: true, reason: 'connection-lost' });
    expect(rpc.pendingCount).toBe(0);
  });

  it('when the channel closes before the publish was confirmed, then it throws SERVICE_UNAVAILABLE', async () => {
    broker.autoConfirm = false;
    const result = rpc.request('q', {}, addToCartReply, { timeoutMs: 60_000, messageId: 'm' });
    await tick();
    ch.emit('close');
    await expect(result).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('when the broker reconnects, then replies arrive on the new channel', async () => {
    ch.emit('close');
    const next = await broker.connect();
    const result = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm' });
    await tick();
    next.deliver(broker.sent[0]!.options.correlationId, { ok: true, code: '', error: '' });
    await expect(result).resolves.toEqual({ timedOut: false, reply: { ok: true, code: '', error: '' } });
  });
});

describe('RpcClient: the requests of one turn travel as a bundle, their replies come back as one', () => {
  type Item = { messageId: string; correlationId: string; body: unknown };
  const itemsOf = (sent: Sent) => (sent.body as { items: Item[] }).items;

  it('when requests to one queue are made in the same turn, then they go out as one message holding each with its own ids; to another queue, in a message of their own', async () => {
    void rpc.request('q', { n: 1 }, addToCartReply, { timeoutMs: 1_000, messageId: 'm1' });
    void rpc.request('q', { n: 2 }, addToCartReply, { timeoutMs: 1_000, messageId: 'm2' });
    void rpc.request('other', { n: 3 }, addToCartReply, { timeoutMs: 1_000, messageId: 'm3' });
    expect(broker.sent).toHaveLength(0);
    await tick();
    expect(broker.sent.map((s) => s.queue)).toEqual(['q', 'other']);
    const [bundle, single] = broker.sent;
    expect(bundle!.options).toMatchObject({ replyTo: DIRECT_REPLY_TO, headers: { [BUNDLE_HEADER]: 2 } });
    expect(itemsOf(bundle!)).toEqual([
      { messageId: 'm1', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/), body: { n: 1 } },
      { messageId: 'm2', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/), body: { n: 2 } },
    ]);
    expect(single!.body).toEqual({ n: 3 });
    expect(single!.options).toMatchObject({ messageId: 'm3', correlationId: expect.any(String) });
    expect(single!.options.headers).toBeUndefined();
    ch.emit('close');
  });

  it('when a bundle of replies arrives, then each request gets its own, in any order; an item nobody waits for is dropped; one that does not match its schema counts as no reply', async () => {
    const first = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm1' });
    const second = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm2' });
    const third = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm3' });
    await tick();
    const [a, b, c] = itemsOf(broker.sent[0]!);
    ch.deliverBundle([
      { correlationId: c!.correlationId, body: { ok: 'yes' } },
      { correlationId: 'nobody', body: { ok: true, code: '', error: '' } },
      { correlationId: b!.correlationId, body: { ok: false, code: 'SOLD_OUT', error: 'x' } },
      { correlationId: a!.correlationId, body: { ok: true, code: '', error: '' } },
    ]);
    await expect(first).resolves.toEqual({ timedOut: false, reply: { ok: true, code: '', error: '' } });
    await expect(second).resolves.toMatchObject({ timedOut: false, reply: { code: 'SOLD_OUT' } });
    await expect(third).resolves.toEqual({ timedOut: true, reason: 'bad-reply' });
    expect(rpc.pendingCount).toBe(0);
  });

  it('when a bundle of replies does not parse, then it is dropped and its requests wait on (their timeout answers them)', async () => {
    const result = rpc.request('q', {}, addToCartReply, { timeoutMs: 50, messageId: 'm1' });
    void rpc.request('q', {}, addToCartReply, { timeoutMs: 50, messageId: 'm2' });
    await tick();
    expect(() => ch.deliverBundle('{"items": "no"}')).not.toThrow();
    expect(rpc.pendingCount).toBe(2);
    await expect(result).resolves.toEqual({ timedOut: true, reason: 'timeout' });
  });

  it('when the broker refuses a bundle, then every request in it throws SERVICE_UNAVAILABLE; when it confirms one, a lost channel answers each connection-lost', async () => {
    broker.autoConfirm = false;
    const refused = [1, 2].map((n) => rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: `r${n}` }));
    await tick();
    broker.sent[0]!.fail(new Error('nack'));
    for (const r of refused) await expect(r).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

    const stored = [1, 2].map((n) => rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: `s${n}` }));
    await tick();
    broker.sent[1]!.confirm();
    await tick();
    ch.emit('close');
    for (const r of stored) await expect(r).resolves.toEqual({ timedOut: true, reason: 'connection-lost' });
  });

  it('when a turn holds more requests than the bundle bound, then they are split; with a bound of 1, each goes alone', async () => {
    rpc = new RpcClient(broker, log, 'direct', 3);
    ch = await broker.connect();
    for (let n = 0; n < 7; n++) void rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: `m${n}` });
    for (let t = 0; t < 4; t++) await tick();
    expect(broker.sent.map((s) => (s.options.headers ? itemsOf(s).length : 1))).toEqual([3, 3, 1]);

    broker.sent = [];
    rpc = new RpcClient(broker, log, 'direct', 1);
    ch = await broker.connect();
    for (let n = 0; n < 3; n++) void rpc.request('q', { n }, addToCartReply, { timeoutMs: 1_000, messageId: `k${n}` });
    for (let t = 0; t < 4; t++) await tick();
    expect(broker.sent.map((s) => s.body)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    ch.emit('close');
  });

  it('when two messages to a queue await their confirms (a bound of 2), then the requests that arrive meanwhile wait and go together once one is confirmed; one that timed out meanwhile is not sent', async () => {
    broker.autoConfirm = false;
    rpc = new RpcClient(broker, log, 'direct', 100, 2);
    ch = await broker.connect();
    rpc.request('q', { n: 1 }, addToCartReply, { timeoutMs: 1_000, messageId: 'a' }).catch(() => undefined);
    await tick();
    rpc.request('q', { n: 2 }, addToCartReply, { timeoutMs: 1_000, messageId: 'b' }).catch(() => undefined);
    await tick();
    expect(broker.sent.map((s) => s.body)).toEqual([{ n: 1 }, { n: 2 }]);
    const gone = rpc.request('q', { n: 3 }, addToCartReply, { timeoutMs: 20, messageId: 'c' });
    for (let n = 4; n <= 6; n++) rpc.request('q', { n }, addToCartReply, { timeoutMs: 1_000, messageId: `m${n}` }).catch(() => undefined);
    await tick();
    expect(broker.sent).toHaveLength(2);
    await expect(gone).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    broker.sent[0]!.confirm();
    await tick();
    await tick();
    expect(broker.sent).toHaveLength(3);
    expect(itemsOf(broker.sent[2]!).map((i) => i.body)).toEqual([{ n: 4 }, { n: 5 }, { n: 6 }]);
    ch.emit('close');
  });
});

describe('RpcClient: RPC_PUBLISHES_IN_FLIGHT 0', () => {
  it('when messages await their confirms, then the requests of each later turn are still sent at the end of that turn', async () => {
    broker.autoConfirm = false;
    rpc = new RpcClient(broker, log, 'direct', 100, 0);
    ch = await broker.connect();
    for (let turn = 0; turn < 3; turn++) {
      rpc.request('q', { turn }, addToCartReply, { timeoutMs: 1_000, messageId: `t${turn}` }).catch(() => undefined);
      await tick();
    }
    expect(broker.sent.map((s) => s.body)).toEqual([{ turn: 0 }, { turn: 1 }, { turn: 2 }]);
    ch.emit('close');
  });
});

describe("RpcClient, REPLY_QUEUE 'exclusive'", () => {
  beforeEach(async () => {
    broker = new FakeBroker();
    rpc = new RpcClient(broker, log, 'exclusive');
  });

  it('when a request is made before any channel opened, then it throws SERVICE_UNAVAILABLE and publishes nothing', async () => {
    await expect(rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(broker.sent).toHaveLength(0);
    expect(rpc.pendingCount).toBe(0);
  });

  it('when a channel opens, then it declares a server-named exclusive queue, consumes it without acks, and every request replies to it', async () => {
    ch = await broker.connect();
    expect(ch.asserted).toEqual([{ queue: '', options: EXCLUSIVE_REPLY_QUEUE }]);
    expect(EXCLUSIVE_REPLY_QUEUE).toMatchObject({ exclusive: true, autoDelete: true, durable: false });
    expect(ch.consumedQueue).toMatch(/^amq\.gen-/);
    expect(ch.consumeOptions).toEqual({ noAck: true });

    const first = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm1' });
    await tick();
    const second = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm2' });
    await tick();
    const [a, b] = broker.sent;
    expect(a!.options.replyTo).toBe(ch.consumedQueue);
    expect(b!.options.replyTo).toBe(ch.consumedQueue);
    expect(b!.options.correlationId).not.toBe(a!.options.correlationId);
    ch.deliver(b!.options.correlationId, { ok: false, code: 'SOLD_OUT', error: 'x' });
    ch.deliver(a!.options.correlationId, { ok: true, code: '', error: '' });
    await expect(first).resolves.toEqual({ timedOut: false, reply: { ok: true, code: '', error: '' } });
    await expect(second).resolves.toMatchObject({ timedOut: false, reply: { code: 'SOLD_OUT' } });
    expect(rpc.pendingCount).toBe(0);
  });

  it('when the channel closes, then waiting requests resolve connection-lost, new ones are refused until the reconnect, which declares a new queue', async () => {
    ch = await broker.connect();
    const waiting = rpc.request('q', {}, addToCartReply, { timeoutMs: 60_000, messageId: 'm' });
    await tick();
    const oldQueue = ch.consumedQueue;
    ch.emit('close');
    await expect(waiting).resolves.toEqual({ timedOut: true, reason: 'connection-lost' });
    await expect(rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(broker.sent).toHaveLength(1);

    const next = await broker.connect();
    expect(next.consumedQueue).toMatch(/^amq\.gen-/);
    expect(next.consumedQueue).not.toBe(oldQueue);
    const result = rpc.request('q', {}, addToCartReply, { timeoutMs: 1_000, messageId: 'm' });
    await tick();
    expect(broker.sent[1]!.options.replyTo).toBe(next.consumedQueue);
    next.deliver(broker.sent[1]!.options.correlationId, { ok: true, code: '', error: '' });
    await expect(result).resolves.toEqual({ timedOut: false, reply: { ok: true, code: '', error: '' } });
  });

  it('when the broker cancels the reply consumer, then it closes the channel (recovery declares a new queue) and the waiters resolve connection-lost', async () => {
    ch = await broker.connect();
    const waiting = rpc.request('q', {}, addToCartReply, { timeoutMs: 60_000, messageId: 'm' });
    await tick();
    ch.onMessage!(null);
    expect(ch.closed).toBe(true);
    await expect(waiting).resolves.toEqual({ timedOut: true, reason: 'connection-lost' });
  });
});
