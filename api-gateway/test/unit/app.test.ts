/**
 * The HTTP layer in-process: the real express app on a loopback port, with the
 * broker RPC and the read queries replaced by recording doubles. Proves what a
 * client sees (status, body, headers) and what reaches the workers.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { z } from 'zod';
import { AppError } from '../../../common/src/errors';
import type { AddToCartJob, CheckoutJob } from '../../../contracts/messages';
import { brokerCheck, type DependencyStatus } from '../../../common/src/readiness';
import { StockLevels } from '../../../common/src/stock-levels/view';
import { createApp, type GatewayDeps } from '../../src/http/app';
import type { OrderView, ReadStore } from '../../src/db/read-store';
import { addToCartRequestIdFor, orderIdFor } from '../../src/domain/ids';
import type { RpcResult } from '../../src/domain/outcomes';
import type { RequestOptions, Rpc } from '../../src/messaging/rpc';

interface Call {
  queue: string;
  body: unknown;
  options: RequestOptions;
}

class RecordingRpc implements Rpc {
  calls: Call[] = [];
  next: (call: Call) => Promise<RpcResult<unknown>> = async () => ({ timedOut: true, reason: 'timeout' });
  get pendingCount() {
    return 0;
  }
  async request<T>(queue: string, body: unknown, schema: z.ZodType<T>, options: RequestOptions): Promise<RpcResult<T>> {
    const call = { queue, body, options };
    this.calls.push(call);
    const result = await this.next(call);
    // The real client parses replies with the schema; do the same here.
    return result.timedOut ? result : { timedOut: false, reply: schema.parse(result.reply) };
  }
}

const ORDER: OrderView = {
  orderID: '3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d',
  clientID: 'c1',
  status: 'confirmed',
  error: '',
  code: '',
  items: [{ productID: 'p1', quantity: 2, unitPrice: 999 }],
  total: 1998,
  payment: 'charged',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:01.000Z',
};

let server: Server;
let base: string;
let rpc: RecordingRpc;
let broker: { isReady: boolean };
let store: jest.Mocked<ReadStore>;
let levels: StockLevels;
let databaseStatus: DependencyStatus = 'up';
let logLines: Array<Record<string, unknown>>;

beforeAll(async () => {
  logLines = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  rpc = new RecordingRpc();
  broker = { isReady: true };
  store = {
    getOrder: jest.fn(),
    listOrders: jest.fn(),
    getCart: jest.fn(),
    getProduct: jest.fn(),
    listProducts: jest.fn(),
    stockLevels: jest.fn(),
    addToCartOutcomes: jest.fn(),
  };
  levels = new StockLevels();
  levels.trust();
  const deps: GatewayDeps = {
    config: { MAX_QUANTITY_PER_LINE: 10, ADD_TO_CART_WAIT_MS: 50, CHECKOUT_WAIT_MS: 50, RETRY_AFTER_SECONDS: 3 },
    log: pino({ level: 'debug' }, sink),
    pool: {} as GatewayDeps['pool'],
    rpc,
    store,
    broker,
    topology: { addToCart: 'q.add', checkout: 'q.checkout' },
    readinessChecks: { broker: brokerCheck(broker), database: async () => databaseStatus },
    levels,
  };
  server = createApp(deps).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  rpc.calls = [];
  rpc.next = async () => ({ timedOut: true, reason: 'timeout' });
  broker.isReady = true;
  databaseStatus = 'up';
  jest.resetAllMocks();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /addToCart', () => {
  it('when the body is valid, then one job with a request id goes to the add-to-cart queue and 200 follows an ok reply', async () => {
    rpc.next = async () => ({ timedOut: false, reply: { ok: true, code: '', error: '' } });
    const res = await post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 2, ignored: 'x' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'Success', error: '' });
    expect(rpc.calls).toHaveLength(1);
    const [call] = rpc.calls;
    const job = call!.body as AddToCartJob;
    expect(call!.queue).toBe('q.add');
    expect(job).toEqual({ requestID: expect.any(String), clientID: 'c1', productID: 'p1', quantity: 2, deadline: expect.any(Number) });
    // The deadline is when the gateway stops waiting (ADD_TO_CART_WAIT_MS, 50 ms here).
    expect(job.deadline! - Date.now()).toBeLessThanOrEqual(50);
    expect(call!.options).toEqual({ timeoutMs: 50, messageId: job.requestID });
  });

  it('when an Idempotency-Key is sent, then the request id is derived from it (a retry is deduplicated)', async () => {
    await post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 2 }, { 'Idempotency-Key': 'k1' });
    await post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 2 }, { 'Idempotency-Key': 'k1' });
    const ids = rpc.calls.map((c) => (c.body as AddToCartJob).requestID);
    expect(ids).toEqual([addToCartRequestIdFor({ clientID: 'c1', productID: 'p1', quantity: 2 }, 'k1'), ids[0]]);
  });

  it('when the cart manager refuses, then its code decides the status', async () => {
    rpc.next = async () => ({ timedOut: false, reply: { ok: false, code: 'INSUFFICIENT_STOCK', error: 'only 1 left' } });
    const res = await post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 2 });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ status: 'Failed', error: 'only 1 left', code: 'INSUFFICIENT_STOCK' });
    expect(res.headers.get('retry-after')).toBeNull();
  });

  describe('refused at the door from the pushed stock levels', () => {
    let version = 0;
    const level = (productID: string, available: number, reserved: number, sold: number) =>
      levels.apply({ productID, available, reserved, sold, version: ++version });

    it('when the product is sold out, then 409 SOLD_OUT without a job, and the refusal is counted', async () => {
      level('gone', 0, 0, 10);
      const res = await post('/addToCart', { clientID: 'c1', productID: 'gone', quantity: 1 });
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({ status: 'Failed', code: 'SOLD_OUT', error: 'product gone is sold out' });
      expect(res.headers.get('retry-after')).toBeNull();
      expect(rpc.calls).toHaveLength(0);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/gateway_refused_at_door_total\{code="SOLD_OUT"[^}]*\} [1-9]/);
      // Counted by route pattern and status too (the request log leaves a 409 at debug).
      expect(metrics).toMatch(/gateway_http_responses_total\{route="\/addToCart",status="409"[^}]*\} [1-9]/);
    });

    it('when every unit is held by a pending payment, then 409 ALL_RESERVED with Retry-After', async () => {
      level('held', 0, 3, 7);
      const res = await post('/addToCart', { clientID: 'c1', productID: 'held', quantity: 2 });
      expect(res.status).toBe(409);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(await res.json()).toMatchObject({ code: 'ALL_RESERVED', error: expect.stringContaining('3 held by pending payments') });
      expect(rpc.calls).toHaveLength(0);
    });

    it('when fewer units are available than asked, then the refusal is decided on the quantity alone, and enough units go to the cart manager', async () => {
      level('few', 2, 0, 8);
      expect((await post('/addToCart', { clientID: 'c1', productID: 'few', quantity: 3 })).status).toBe(409);
      expect(rpc.calls).toHaveLength(0);
      rpc.next = async () => ({ timedOut: false, reply: { ok: true, code: '', error: '' } });
      expect((await post('/addToCart', { clientID: 'c1', productID: 'few', quantity: 2 })).status).toBe(200);
      expect(rpc.calls).toHaveLength(1);
    });

    it('when a retry with the same Idempotency-Key was applied before the product sold out, then it gets its first answer', async () => {
      level('late', 0, 0, 5);
      const requestID = addToCartRequestIdFor({ clientID: 'c1', productID: 'late', quantity: 1 }, 'k-late');
      store.addToCartOutcomes.mockImplementation(async (ids) => new Map(ids.filter((id) => id === requestID).map((id) => [id, { ok: true, code: '' as const, error: '' }])));
      const retried = await post('/addToCart', { clientID: 'c1', productID: 'late', quantity: 1 }, { 'Idempotency-Key': 'k-late' });
      expect(retried.status).toBe(200);
      // Another key, never applied: refused.
      const other = await post('/addToCart', { clientID: 'c1', productID: 'late', quantity: 1 }, { 'Idempotency-Key': 'k-other' });
      expect(other.status).toBe(409);
      expect(store.addToCartOutcomes).toHaveBeenCalledTimes(2);
      expect(rpc.calls).toHaveLength(0);
    });

    it('when the recorded answers cannot be read, then the cart manager is asked', async () => {
      level('unread', 0, 0, 5);
      store.addToCartOutcomes.mockRejectedValue(new Error('database down'));
      rpc.next = async () => ({ timedOut: false, reply: { ok: false, code: 'SOLD_OUT', error: 'product unread is sold out' } });
      const res = await post('/addToCart', { clientID: 'c1', productID: 'unread', quantity: 1 }, { 'Idempotency-Key': 'k1' });
      expect(res.status).toBe(409);
      expect(rpc.calls).toHaveLength(1);
    });

    it('when the levels are not trusted (no snapshot since the last reconnect), then nothing is refused at the door', async () => {
      level('distrusted', 0, 0, 5);
      levels.distrust();
      try {
        await post('/addToCart', { clientID: 'c1', productID: 'distrusted', quantity: 1 });
        expect(rpc.calls).toHaveLength(1);
      } finally {
        levels.trust();
      }
    });
  });

  it('when no reply comes, then 503 with Retry-After', async () => {
    const res = await post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 2 });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toMatchObject({ status: 'Failed', code: 'SERVICE_UNAVAILABLE', error: expect.stringContaining('Idempotency-Key') });
  });

  it.each([
    [{ clientID: 'c1', productID: 'p1', quantity: 11 }, 'quantity must be an integer from 1 to 10'],
    [{ clientID: 'c1', quantity: 1 }, 'productID is required'],
    [{ clientID: 'x'.repeat(101), productID: 'p1', quantity: 1 }, 'clientID must be 1 to 100 characters'],
    ['{"clientID": "c1", ', 'request body is not a valid JSON object'],
    ['"just a string"', 'request body is not a valid JSON object'],
    ['[]', 'request body must be a JSON object'],
  ])('when the body is %j, then 400 names the problem and nothing is sent', async (body, message) => {
    const res = await post('/addToCart', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['code', 'error', 'status']);
    expect(json).toMatchObject({ status: 'Failed', code: 'INVALID_REQUEST' });
    expect(json.error).toContain(message);
    expect(rpc.calls).toHaveLength(0);
  });

  it('when the body is not JSON at all, then 400 says to send JSON', async () => {
    const res = await fetch(`${base}/addToCart`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'clientID=c1' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_REQUEST', error: expect.stringContaining('Content-Type: application/json') });
    expect(rpc.calls).toHaveLength(0);
  });

  it('when the body is larger than 16 KB, then 413 PAYLOAD_TOO_LARGE and nothing is sent', async () => {
    const res = await post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 1, pad: 'x'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ status: 'Failed', error: expect.stringContaining('16 KB'), code: 'PAYLOAD_TOO_LARGE' });
    expect(rpc.calls).toHaveLength(0);
  });

  it('when a body just under the limit arrives, then it is accepted', async () => {
    const res = await post('/addToCart', { clientID: 'c1', productID: 'p1', quantity: 1, pad: 'x'.repeat(15 * 1024) });
    expect(res.status).toBe(503);
    expect(rpc.calls).toHaveLength(1);
  });
});

describe('POST /checkOutCart', () => {
  it('when the same Idempotency-Key is sent twice, then both jobs and both answers carry the same derived orderID', async () => {
    const first = await post('/checkOutCart', { clientID: 'c1' }, { 'Idempotency-Key': 'buy-1' });
    const second = await post('/checkOutCart', { clientID: 'c1' }, { 'Idempotency-Key': 'buy-1' });
    const expected = orderIdFor('c1', 'buy-1');
    for (const res of [first, second]) {
      expect(res.status).toBe(202);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(await res.json()).toEqual({ status: 'Pending', error: '', orderID: expected });
    }
    expect(rpc.calls.map((c) => (c.body as CheckoutJob).orderID)).toEqual([expected, expected]);
    expect(rpc.calls.map((c) => c.options.messageId)).toEqual([expected, expected]);
    expect(rpc.calls[0]!.queue).toBe('q.checkout');
  });

  it('when no key is sent, then each checkout is a new order', async () => {
    await post('/checkOutCart', { clientID: 'c1' });
    await post('/checkOutCart', { clientID: 'c1' });
    const [a, b] = rpc.calls.map((c) => (c.body as CheckoutJob).orderID);
    expect(a).not.toBe(b);
  });

  it('when confirmed, then 200 with the total in cents', async () => {
    rpc.next = async (call) => ({
      timedOut: false,
      reply: { orderID: (call.body as CheckoutJob).orderID, status: 'confirmed', code: '', error: '', totalCents: 1998 },
    });
    const res = await post('/checkOutCart', { clientID: 'c1' });
    const orderID = (rpc.calls[0]!.body as CheckoutJob).orderID;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'Success', error: '', orderID, total: 1998 });
    expect(logLines.find((l) => l.msg === 'request' && l.path === '/checkOutCart' && l.orderId === orderID)).toMatchObject({ method: 'POST', status: 200, ms: expect.any(Number) });
  });

  it('when all units are held, then 409 ALL_RESERVED with Retry-After and the orderID', async () => {
    rpc.next = async (call) => ({
      timedOut: false,
      reply: { orderID: (call.body as CheckoutJob).orderID, status: 'failed', code: 'ALL_RESERVED', error: 'held', totalCents: 0 },
    });
    const res = await post('/checkOutCart', { clientID: 'c1' });
    expect(res.status).toBe(409);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ status: 'Failed', error: 'held', code: 'ALL_RESERVED', orderID: (rpc.calls[0]!.body as CheckoutJob).orderID });
  });

  it('when the broker is down, then 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
    rpc.next = async () => {
      throw new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'message broker unavailable', retryable: true });
    };
    const res = await post('/checkOutCart', { clientID: 'c1' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ status: 'Failed', error: 'message broker unavailable', code: 'SERVICE_UNAVAILABLE' });
  });

  it('when the Idempotency-Key is too long, then 400 names the header and nothing is sent', async () => {
    const res = await post('/checkOutCart', { clientID: 'c1' }, { 'Idempotency-Key': 'k'.repeat(101) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'Idempotency-Key must be 1 to 100 characters' });
    expect(rpc.calls).toHaveLength(0);
  });
});

describe('exact ids at every entry (contracts/ids.ts)', () => {
  const refused = async (res: Response, message: string) => {
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ status: 'Failed', code: 'INVALID_REQUEST', error: message });
  };

  it.each([
    ['productID', { clientID: 'c1', productID: 'X  ', quantity: 1 }, 'productID must not start or end with whitespace'],
    ['clientID', { clientID: ' c1', productID: 'X', quantity: 1 }, 'clientID must not start or end with whitespace'],
    ['productID', { clientID: 'c1', productID: 'X\u0000', quantity: 1 }, 'productID must not contain control characters'],
    ['clientID', { clientID: '\ud800a', productID: 'X', quantity: 1 }, 'clientID must not contain a lone surrogate (an unpaired \\uD800-\\uDFFF escape)'],
  ])('when an add-to-cart body has a bad %s (%j), then 400 names it and nothing is sent', async (_field, body, message) => {
    await refused(await post('/addToCart', body), message);
    expect(rpc.calls).toHaveLength(0);
  });

  it('when two client ids differ only by their lone surrogates, then neither reaches a cart', async () => {
    // As JSON escapes: both would be stored as U+FFFD + "a", one cart for two clients.
    for (const raw of ['{"clientID":"\\ud800a"}', '{"clientID":"\\udfffa"}']) {
      await refused(await post('/checkOutCart', raw), 'clientID must not contain a lone surrogate (an unpaired \\uD800-\\uDFFF escape)');
    }
    expect(rpc.calls).toHaveLength(0);
  });

  it('when the Idempotency-Key holds a control character, then 400 names the header', async () => {
    await refused(await post('/checkOutCart', { clientID: 'c1' }, { 'Idempotency-Key': 'k\tk' }), 'Idempotency-Key must not contain control characters');
    expect(rpc.calls).toHaveLength(0);
  });

  it('when a path or query id ends with spaces or holds a control character, then 400 and no read', async () => {
    await refused(await fetch(`${base}/products/X%20%20`), 'productID must not start or end with whitespace');
    await refused(await fetch(`${base}/carts/c1%09`), 'clientID must not contain control characters');
    await refused(await fetch(`${base}/orders?clientID=%20c1`), 'clientID must not start or end with whitespace');
    expect(store.getProduct).not.toHaveBeenCalled();
    expect(store.getCart).not.toHaveBeenCalled();
    expect(store.listOrders).not.toHaveBeenCalled();
  });
});

describe('GET endpoints', () => {
  it('when the order exists, then its view is returned (id matched case-insensitively)', async () => {
    store.getOrder.mockResolvedValue(ORDER);
    const res = await fetch(`${base}/orders/${ORDER.orderID.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(ORDER);
    expect(store.getOrder).toHaveBeenCalledWith(ORDER.orderID);
  });

  it('when the order is unknown, then 404 ORDER_NOT_FOUND; when the id is malformed, then 400 without a query', async () => {
    store.getOrder.mockResolvedValue(null);
    const missing = await fetch(`${base}/orders/${ORDER.orderID}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 'Failed', code: 'ORDER_NOT_FOUND' });
    store.getOrder.mockClear();
    const bad = await fetch(`${base}/orders/not-a-uuid`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_REQUEST', error: 'orderID must be a UUID' });
    expect(store.getOrder).not.toHaveBeenCalled();
  });

  it('when listing orders without a clientID, then 400; with one, then the list', async () => {
    expect((await fetch(`${base}/orders`)).status).toBe(400);
    store.listOrders.mockResolvedValue([ORDER]);
    const res = await fetch(`${base}/orders?clientID=c1`);
    expect(await res.json()).toEqual({ orders: [ORDER] });
    expect(store.listOrders).toHaveBeenCalledWith('c1');
  });

  it('when the product is unknown, then 404 PRODUCT_NOT_FOUND', async () => {
    store.getProduct.mockResolvedValue(null);
    const res = await fetch(`${base}/products/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ status: 'Failed', error: 'no product nope', code: 'PRODUCT_NOT_FOUND' });
  });

  it('when the database fails unexpectedly, then 500 INTERNAL without its text, and the error is logged', async () => {
    store.getCart.mockRejectedValue(Object.assign(new Error("Access denied for user 'root'@'10.0.0.1' SECRET"), { errno: 1045 }));
    const res = await fetch(`${base}/carts/c1`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string; code: string };
    expect(body.code).toBe('INTERNAL');
    expect(body.error).not.toContain('SECRET');
    expect(logLines.some((l) => l.msg === 'request failed' && JSON.stringify(l.err).includes('SECRET'))).toBe(true);
  });

  it('when a path parameter is not decodable, then 400 INVALID_REQUEST, not 500', async () => {
    const res = await fetch(`${base}/carts/%ZZ`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 'Failed', code: 'INVALID_REQUEST' });
    expect(store.getCart).not.toHaveBeenCalled();
  });

  it('when a known route is called with another method, then 405 METHOD_NOT_ALLOWED with Allow, and nothing is done', async () => {
    const get = await fetch(`${base}/addToCart`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toEqual({ status: 'Failed', code: 'METHOD_NOT_ALLOWED', error: 'GET is not allowed on /addToCart; it takes POST' });
    const post = await fetch(`${base}/orders/3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const del = await fetch(`${base}/metrics`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(rpc.calls).toHaveLength(0);
    expect(store.getOrder).not.toHaveBeenCalled();
  });

  it('when an unknown route is called, then 404 NOT_FOUND in the failure shape', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ status: 'Failed', error: 'no route GET /nope', code: 'NOT_FOUND' });
  });

  it('when the broker is not connected, then /readyz is 503 and /healthz still 200', async () => {
    const up = await fetch(`${base}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready', checks: { broker: 'up', database: 'up' } });
    broker.isReady = false;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('3');
    expect(await ready.json()).toEqual({
      status: 'Failed',
      code: 'SERVICE_UNAVAILABLE',
      error: 'not ready: broker down: not connected',
      checks: { broker: 'down: not connected', database: 'up' },
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('when the database is down, then /readyz is 503 naming it, and /healthz still 200 (liveness checks nothing)', async () => {
    databaseStatus = 'down: access denied';
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('3');
    expect(await ready.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', checks: { broker: 'up', database: 'down: access denied' } });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('when asking for the documentation, then the OpenAPI document and the Swagger UI page are served', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths).toHaveProperty('/checkOutCart');
    const page = await fetch(`${base}/documentation`);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${base}/documentation/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    const init = await (await fetch(`${base}/documentation/swagger-ui-init.js`)).text();
    expect(init).toContain('"/checkOutCart"');
  });
});
