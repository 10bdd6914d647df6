/**
 * The gateway against the real RabbitMQ and MariaDB. The test plays the
 * workers' role itself: it consumes the real work queues and answers on the
 * replyTo/correlationId of each request (a double of the cart manager, not of
 * RabbitMQ). Its own database and queue prefix; everything is removed after.
 * Needs `npm run build` first (migrations and the main process run from dist/).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { Broker } from '../../../common/src/amqp/broker';
import { createPool, type Pool } from '../../../common/src/db';
import type { AddToCartJob, AddToCartReply, CheckoutJob, CheckoutReply } from '../../../contracts/messages';
import { assertTopology, deleteTopology, topologyFor } from '../../../common/src/amqp/topology';
import { createApp } from '../../src/http/app';
import { addToCartRequestIdFor, orderIdFor } from '../../src/domain/ids';
import { RpcClient } from '../../src/messaging/rpc';
import { amqpUrlFromEnv, dbServerFromEnv } from '../../../test/support/infrastructure';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DB = dbServerFromEnv();
const AMQP_URL = amqpUrlFromEnv();
const RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const DB_NAME = `gw_test_${RUN_ID}`;
const QUEUE_PREFIX = `gw-test-${RUN_ID}`;
const topology = topologyFor(QUEUE_PREFIX);

const CONFIG = { MAX_QUANTITY_PER_LINE: 100, ADD_TO_CART_WAIT_MS: 600, CHECKOUT_WAIT_MS: 800, RETRY_AFTER_SECONDS: 2 };
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

interface Received<T> {
  job: T;
  correlationId: string;
  messageId: string;
  replyTo: string;
  persistent: boolean;
}

/** The cart manager's double: answers each job as the test scripted it, by client id. */
class WorkerDouble {
  addToCart: Array<Received<AddToCartJob>> = [];
  checkout: Array<Received<CheckoutJob>> = [];
  private consumerTags: string[] = [];

  constructor(private readonly ch: Channel) {}

  async start(): Promise<void> {
    await this.ch.prefetch(100);
    this.consumerTags.push((await this.ch.consume(topology.addToCart, (msg) => msg && this.onAddToCart(msg))).consumerTag);
    this.consumerTags.push((await this.ch.consume(topology.checkout, (msg) => msg && this.onCheckout(msg))).consumerTag);
  }

  async stop(): Promise<void> {
    for (const tag of this.consumerTags.splice(0)) await this.ch.cancel(tag);
  }

  private received<T>(msg: ConsumeMessage): Received<T> {
    return {
      job: JSON.parse(msg.content.toString('utf8')) as T,
      correlationId: String(msg.properties.correlationId),
      messageId: String(msg.properties.messageId),
      replyTo: String(msg.properties.replyTo),
      persistent: msg.properties.deliveryMode === 2,
    };
  }

  private reply(msg: ConsumeMessage, body: unknown): void {
    this.ch.sendToQueue(msg.properties.replyTo as string, Buffer.from(JSON.stringify(body)), { correlationId: msg.properties.correlationId as string });
  }

  private onAddToCart(msg: ConsumeMessage): void {
    const r = this.received<AddToCartJob>(msg);
    this.addToCart.push(r);
    const { clientID, productID } = r.job;
    let reply: AddToCartReply = { ok: true, code: '', error: '' };
    if (productID === 'unknown') reply = { ok: false, code: 'PRODUCT_NOT_FOUND', error: `no product ${productID}` };
    else if (clientID.startsWith('greedy')) reply = { ok: false, code: 'INSUFFICIENT_STOCK', error: 'only 3 available' };
    if (!clientID.startsWith('mute')) this.reply(msg, reply);
    this.ch.ack(msg);
  }

  private onCheckout(msg: ConsumeMessage): void {
    const r = this.received<CheckoutJob>(msg);
    this.checkout.push(r);
    const { orderID, clientID } = r.job;
    const base = { orderID, code: '' as const, error: '', totalCents: 0 };
    const [kind, n] = clientID.split('-');
    let reply: CheckoutReply | null;
    switch (kind) {
      case 'buyer':
        reply = { ...base, status: 'confirmed', totalCents: Number(n) * 100 };
        break;
      case 'declined':
        reply = { ...base, status: 'failed', code: 'PAYMENT_DECLINED', error: 'card declined' };
        break;
      case 'late':
        reply = { ...base, status: 'failed', code: 'SOLD_OUT', error: 'product tv is sold out' };
        break;
      case 'held':
        reply = { ...base, status: 'failed', code: 'ALL_RESERVED', error: 'all units are held by pending payments' };
        break;
      case 'queued':
        reply = { ...base, status: 'pending' };
        break;
      default:
        reply = null; // "slow": no answer within the wait
    }
    if (reply) this.reply(msg, reply);
    this.ch.ack(msg);
  }
}

let pool: Pool;
let broker: Broker;
let server: Server;
let base: string;
let workerConn: ChannelModel;
let workerCh: Channel;
let worker: WorkerDouble;

const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function queueDepth(queue: string): Promise<number> {
  return (await workerCh.checkQueue(queue)).messageCount;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const migrateJs = path.join(ROOT, 'dist', 'db', 'migrate.js');
  if (!existsSync(migrateJs)) throw new Error(`${migrateJs} is missing: run \`npm run build\` first`);
  await promisify(execFile)('node', [migrateJs], { env: { ...process.env, ...DB, DB_PORT: String(DB.DB_PORT), DB_NAME } });
  pool = createPool({ ...DB, DB_NAME }, 4);

  broker = new Broker({ url: AMQP_URL, log, topology, deliveryLimit: 20, prefetch: 10 });
  // Bundles off (a bound of 1): the worker double reads single messages; bundles have their own tests.
  const rpc = new RpcClient(broker, log, 'direct', 1);
  await broker.start({ waitForConnect: true });
  server = createApp({ config: CONFIG, log, pool, rpc, broker, topology }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  workerConn = await amqp.connect(AMQP_URL);
  workerCh = await workerConn.createChannel();
  await assertTopology(workerCh, topology, 20);
  worker = new WorkerDouble(workerCh);
});

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await broker?.stop();
  if (workerCh) {
    await worker.stop().catch(() => undefined);
    await deleteTopology(workerCh, topology);
  }
  await workerConn?.close();
  await pool?.end();
  const conn = await mysql.createConnection({ host: DB.DB_HOST, port: DB.DB_PORT, user: DB.DB_USER, password: DB.DB_PASSWORD });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB_NAME}\``);
  await conn.end();
});

describe('with no worker consuming', () => {
  it('when requests are invalid, then they get 400/413 and nothing is published; a valid one is (the check can fail)', async () => {
    const bad: Array<[Promise<Response>, number]> = [
      [post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 0 }), 400],
      [post('/addToCart', { clientID: '', productID: 'p1', quantity: 1 }), 400],
      [post('/addToCart', '{"clientID":'), 400],
      [post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 1, pad: 'x'.repeat(17 * 1024) }), 413],
      [post('/checkOutCart', {}), 400],
      [post('/checkOutCart', { clientID: 'c1' }, { 'Idempotency-Key': 'k'.repeat(101) }), 400],
      [post('/checkOutCart', { clientID: 'c1', pad: 'x'.repeat(17 * 1024) }), 413],
    ];
    for (const [response, status] of bad) {
      const res = await response;
      expect(res.status).toBe(status);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['code', 'error', 'status']);
      expect(body.code).toBe(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_REQUEST');
    }
    expect(await queueDepth(topology.addToCart)).toBe(0);
    expect(await queueDepth(topology.checkout)).toBe(0);

    // Control: a valid request is published (durably) and, unanswered, gets 503.
    const res = await post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 2 }, { 'Idempotency-Key': 'control' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', error: expect.stringContaining('same Idempotency-Key') });
    expect(await queueDepth(topology.addToCart)).toBe(1);
    const msg = await workerCh.get(topology.addToCart, { noAck: true });
    if (!msg) throw new Error('expected the published job');
    const requestID = addToCartRequestIdFor({ clientID: 'c1', productID: 'p1', quantity: 2 }, 'control');
    expect(JSON.parse(msg.content.toString())).toEqual({ requestID, clientID: 'c1', productID: 'p1', quantity: 2, deadline: expect.any(Number) });
    expect(msg.properties).toMatchObject({ messageId: requestID, deliveryMode: 2, contentType: 'application/json' });
    expect(msg.properties.replyTo).toMatch(/^amq\.rabbitmq\.reply-to/);
    expect(msg.properties.correlationId).not.toBe(requestID);
  });
});

describe('with the worker double answering', () => {
  beforeAll(async () => {
    await worker.start();
  });

  it('when the cart manager accepts the line, then 200 Success', async () => {
    const res = await post('/addToCart', { clientID: 'c2', productID: 'tv', quantity: 3 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'Success', error: '' });
    expect(worker.addToCart.at(-1)?.job).toMatchObject({ clientID: 'c2', productID: 'tv', quantity: 3 });
  });

  it('when the cart manager refuses, then its code maps to 409 / 404', async () => {
    const greedy = await post('/addToCart', { clientID: 'greedy', productID: 'tv', quantity: 50 });
    expect(greedy.status).toBe(409);
    expect(await greedy.json()).toEqual({ status: 'Failed', error: 'only 3 available', code: 'INSUFFICIENT_STOCK' });
    const unknown = await post('/addToCart', { clientID: 'c2', productID: 'unknown', quantity: 1 });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
  });

  it('when the cart manager does not answer in time, then 503 with Retry-After, and a retry with the key carries the same request id', async () => {
    const line = { clientID: 'mute', productID: 'tv', quantity: 1 };
    const first = await post('/addToCart', line, { 'Idempotency-Key': 'retry-me' });
    const second = await post('/addToCart', line, { 'Idempotency-Key': 'retry-me' });
    for (const res of [first, second]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
    }
    const jobs = worker.addToCart.filter((r) => r.job.clientID === 'mute');
    expect(jobs).toHaveLength(2);
    expect(jobs[0]!.job.requestID).toBe(addToCartRequestIdFor(line, 'retry-me'));
    expect(jobs[1]!.job.requestID).toBe(jobs[0]!.job.requestID);
    expect(jobs[1]!.correlationId).not.toBe(jobs[0]!.correlationId);
  });

  it('when the checkout is confirmed, then 200 with the orderID and the total in cents', async () => {
    const res = await post('/checkOutCart', { clientID: 'buyer-7' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { orderID: string };
    expect(body).toEqual({ status: 'Success', error: '', orderID: expect.any(String), total: 700 });
    const job = worker.checkout.find((r) => r.job.clientID === 'buyer-7')!;
    expect(job.job.orderID).toBe(body.orderID);
    expect(job.messageId).toBe(body.orderID);
    expect(job.persistent).toBe(true);
    expect(job.correlationId).not.toBe(body.orderID);
  });

  it('when the payment is declined, then 402 with the orderID', async () => {
    const res = await post('/checkOutCart', { clientID: 'declined-1' });
    expect(res.status).toBe(402);
    const body = (await res.json()) as { orderID: string };
    expect(body).toEqual({ status: 'Failed', error: 'card declined', code: 'PAYMENT_DECLINED', orderID: worker.checkout.at(-1)!.job.orderID });
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('when sold out, then 409 without Retry-After; when all units are held, then 409 with Retry-After', async () => {
    const soldOut = await post('/checkOutCart', { clientID: 'late-1' });
    expect(soldOut.status).toBe(409);
    expect(await soldOut.json()).toMatchObject({ code: 'SOLD_OUT', orderID: expect.any(String) });
    expect(soldOut.headers.get('retry-after')).toBeNull();
    const held = await post('/checkOutCart', { clientID: 'held-1' });
    expect(held.status).toBe(409);
    expect(await held.json()).toMatchObject({ code: 'ALL_RESERVED', orderID: expect.any(String) });
    expect(held.headers.get('retry-after')).toBe('2');
  });

  it('when the outcome is not known within the wait, then 202 Pending with Retry-After and the orderID', async () => {
    const started = Date.now();
    const slow = await post('/checkOutCart', { clientID: 'slow-1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(CONFIG.CHECKOUT_WAIT_MS - 50);
    expect(slow.status).toBe(202);
    expect(slow.headers.get('retry-after')).toBe('2');
    expect(await slow.json()).toEqual({ status: 'Pending', error: '', orderID: worker.checkout.find((r) => r.job.clientID === 'slow-1')!.job.orderID });

    const queued = await post('/checkOutCart', { clientID: 'queued-1' });
    expect(queued.status).toBe(202);
    expect(queued.headers.get('retry-after')).toBe('2');
  });

  it('when a checkout is retried with the same Idempotency-Key, then both get the same orderID (each its own reply)', async () => {
    const first = await post('/checkOutCart', { clientID: 'buyer-3' }, { 'Idempotency-Key': 'order-once' });
    const second = await post('/checkOutCart', { clientID: 'buyer-3' }, { 'Idempotency-Key': 'order-once' });
    const a = (await first.json()) as { orderID: string };
    const b = (await second.json()) as { orderID: string };
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(a.orderID).toBe(orderIdFor('buyer-3', 'order-once'));
    expect(b.orderID).toBe(a.orderID);
    const jobs = worker.checkout.filter((r) => r.job.clientID === 'buyer-3');
    expect(jobs.map((j) => j.job.orderID)).toEqual([a.orderID, a.orderID]);
    expect(jobs[0]!.correlationId).not.toBe(jobs[1]!.correlationId);

    const other = (await (await post('/checkOutCart', { clientID: 'buyer-3' }, { 'Idempotency-Key': 'another' })).json()) as { orderID: string };
    expect(other.orderID).not.toBe(a.orderID);
  });

  it('when many checkouts run at once, then every reply reaches its own request', async () => {
    const clients = Array.from({ length: 40 }, (_, i) => `buyer-${i + 1}`);
    const responses = await Promise.all(clients.map((clientID) => post('/checkOutCart', { clientID })));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ total: number; orderID: string }>;
    bodies.forEach((body, i) => expect(body.total).toBe((i + 1) * 100));
    expect(new Set(bodies.map((b) => b.orderID)).size).toBe(clients.length);
  });

  it('when the broker connection drops, then the gateway reconnects by itself and request/reply works again', async () => {
    await broker.dropConnection();
    expect(broker.isReady).toBe(false);
    await waitFor('the gateway to reconnect', async () => (await fetch(`${base}/readyz`)).status === 200);
    const res = await post('/checkOutCart', { clientID: 'buyer-9' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ total: 900 });
  });
});

describe('read endpoints against the database', () => {
  const ORDER_OLD = '11111111-1111-4111-8111-111111111111';
  const ORDER_NEW = '22222222-2222-4222-8222-222222222222';

  beforeAll(async () => {
    await pool.query(
      `INSERT INTO product_details (product_id, product_name, quantity, reserved, sold, price_cents, deal_price_cents, deal_starts_at, deal_ends_at, deal_only)
       VALUES ('tv', 'Television', 7, 2, 1, 49900, 29900, NOW(6) - INTERVAL 5 MINUTE, NOW(6) + INTERVAL 25 MINUTE, 1),
              ('radio', 'Radio', 3, 0, 0, 1999, NULL, NULL, NULL, 0)`,
    );
    await pool.query(
      `INSERT INTO orders (order_id, client_id, status, error, code, total_cents, pending_client_id, created_at) VALUES
       (?, 'reader', 'failed', 'card declined', 'PAYMENT_DECLINED', 0, NULL, '2025-01-01 10:00:00.000000'),
       (?, 'reader', 'confirmed', '', '', 61797, NULL, '2025-01-01 11:00:00.000000')`,
      [ORDER_OLD, ORDER_NEW],
    );
    await pool.query(
      `INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES
       (?, 'radio', 1, 1999), (?, 'tv', 2, 29900), (?, 'radio', 1, 1999)`,
      [ORDER_OLD, ORDER_NEW, ORDER_NEW],
    );
    await pool.query(`INSERT INTO payments (order_id, amount_cents, status) VALUES (?, 1999, 'declined'), (?, 61797, 'charged')`, [ORDER_OLD, ORDER_NEW]);
    await pool.query(`INSERT INTO client_cart (client_id, product_id, quantity) VALUES ('reader', 'tv', 2), ('reader', 'radio', 1)`);
  });

  it('when reading an order, then it has its items, total in cents, payment status and ISO dates', async () => {
    const res = await fetch(`${base}/orders/${ORDER_NEW}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      orderID: ORDER_NEW,
      clientID: 'reader',
      status: 'confirmed',
      error: '',
      code: '',
      items: [
        { productID: 'radio', quantity: 1, unitPrice: 1999 },
        { productID: 'tv', quantity: 2, unitPrice: 29900 },
      ],
      total: 61797,
      payment: 'charged',
      createdAt: '2025-01-01T11:00:00.000Z',
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('when the order is unknown, then 404 ORDER_NOT_FOUND; malformed, then 400', async () => {
    const missing = await fetch(`${base}/orders/33333333-3333-4333-8333-333333333333`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 'Failed', code: 'ORDER_NOT_FOUND' });
    expect((await fetch(`${base}/orders/123`)).status).toBe(400);
  });

  it('when listing a client\'s orders, then newest first with the same shape', async () => {
    const res = await fetch(`${base}/orders?clientID=reader`);
    const body = (await res.json()) as { orders: Array<{ orderID: string; payment: string; code: string; items: unknown[] }> };
    expect(body.orders.map((o) => o.orderID)).toEqual([ORDER_NEW, ORDER_OLD]);
    expect(body.orders[1]).toMatchObject({ payment: 'declined', code: 'PAYMENT_DECLINED', items: [{ productID: 'radio', quantity: 1, unitPrice: 1999 }] });
    expect(await (await fetch(`${base}/orders?clientID=nobody`)).json()).toEqual({ orders: [] });
    expect((await fetch(`${base}/orders`)).status).toBe(400);
  });

  it('when reading a cart, then its lines (or an empty list)', async () => {
    expect(await (await fetch(`${base}/carts/reader`)).json()).toEqual({
      clientID: 'reader',
      items: [
        { productID: 'radio', quantity: 1 },
        { productID: 'tv', quantity: 2 },
      ],
    });
    expect(await (await fetch(`${base}/carts/nobody`)).json()).toEqual({ clientID: 'nobody', items: [] });
  });

  it('when reading products, then prices in cents, the deal window and the counters', async () => {
    const tv = (await (await fetch(`${base}/products/tv`)).json()) as Record<string, unknown>;
    expect(tv).toEqual({
      productID: 'tv',
      name: 'Television',
      price: 49900,
      dealPrice: 29900,
      dealStartsAt: expect.stringMatching(/Z$/),
      dealEndsAt: expect.stringMatching(/Z$/),
      dealOnly: true,
      dealActive: true,
      available: 7,
      reserved: 2,
      sold: 1,
    });
    expect(Date.parse(tv.dealEndsAt as string) - Date.parse(tv.dealStartsAt as string)).toBe(30 * 60 * 1000);
    const list = (await (await fetch(`${base}/products`)).json()) as { products: Array<Record<string, unknown>> };
    expect(list.products.map((p) => p.productID)).toEqual(['radio', 'tv']);
    expect(list.products[0]).toMatchObject({ dealPrice: null, dealStartsAt: null, dealEndsAt: null, dealOnly: false, dealActive: false });
    const missing = await fetch(`${base}/products/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
  });
});

describe('operations', () => {
  it('when the broker and the database are reachable, then /readyz and /healthz are 200', async () => {
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready', checks: { broker: 'up', database: 'up' } });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document and the Swagger UI page', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/addToCart', '/checkOutCart', '/orders/{orderID}', '/products']));
    const page = await fetch(`${base}/documentation`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<div id="swagger-ui">/);
    expect((await fetch(`${base}/documentation/swagger-ui.css`)).status).toBe(200);
  });

  it('when the broker cannot be reached, then the gateway still serves: 503 with Retry-After, /healthz 200', async () => {
    const deadBroker = new Broker({ url: 'amqp://guest:guest@127.0.0.1:1', log, topology, deliveryLimit: 20, prefetch: 10 });
    const rpc = new RpcClient(deadBroker, log);
    await deadBroker.start({ waitForConnect: false });
    const down = createApp({ config: CONFIG, log, pool, rpc, broker: deadBroker, topology }).listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => down.once('listening', resolve));
      const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('2');
      const checkout = await fetch(`${url}/checkOutCart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"clientID":"c1"}' });
      expect(checkout.status).toBe(503);
      expect(checkout.headers.get('retry-after')).toBe('2');
      expect(await checkout.json()).toMatchObject({ status: 'Failed', code: 'SERVICE_UNAVAILABLE' });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => down.close(resolve));
      await deadBroker.stop();
    }
  });
});

describe('the main process', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  /** Start dist/api-gateway/src/main.js and collect its JSON log lines. */
  function startMain(env: Record<string, string>) {
    const mainJs = path.join(ROOT, 'dist', 'api-gateway', 'src', 'main.js');
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npm run build\` first`);
    const proc = spawn('node', [mainJs], {
      env: { ...process.env, ...DB, DB_PORT: String(DB.DB_PORT), DB_NAME, QUEUE_PREFIX, AMQP_URL, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const listening = async () => {
      await waitFor('the listening line', () => lines.some((l) => l.msg === 'listening'));
      const found = lines.filter((l) => l.msg === 'listening');
      expect(found).toHaveLength(1);
      const port = found[0]!.port as number;
      expect(port).toBeGreaterThan(0);
      return `http://127.0.0.1:${port}`;
    };
    return { proc, lines, exited, listening };
  }

  it('when started with PORT=0, then it logs one "listening" line with the bound port, is ready at once, and exits 0 on SIGTERM', async () => {
    const main = startMain({});
    const url = await main.listening();
    // The broker connection is up before "listening": no 503 window for clients that start right away.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/products/nope`)).json()).toMatchObject({ code: 'PRODUCT_NOT_FOUND' });

    main.proc.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(main.lines.some((l) => l.msg === 'stopped')).toBe(true);
  });

  it('when RabbitMQ is unreachable, then it still comes up and answers 503 with Retry-After, and stops cleanly', async () => {
    const main = startMain({ AMQP_URL: 'amqp://guest:guest@127.0.0.1:1', RETRY_AFTER_SECONDS: '4' });
    const url = await main.listening();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const add = await fetch(`${url}/addToCart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"clientID":"c","productID":"p","quantity":1}' });
    expect(add.status).toBe(503);
    expect(add.headers.get('retry-after')).toBe('4');
    expect(await add.json()).toMatchObject({ status: 'Failed', code: 'SERVICE_UNAVAILABLE' });
    main.proc.kill('SIGTERM');
    expect(await main.exited).toBe(0);
  });
});
