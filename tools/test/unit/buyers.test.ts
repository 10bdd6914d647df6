import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { outcomeOf, parseRetryAfter, retryDelayMs, runBuyers, soldOutAt, type Progress } from '../../flash-sale/buyers';

/**
 * runBuyers against a fake gateway on 127.0.0.1 (no broker, no database): each
 * buyer's index picks what the fake answers, so every path of a good client is
 * exercised: 503 then retry with the same key, a dropped socket, 202 and polling,
 * ALL_RESERVED then a retry with a new key, 402, 409, 500, and the barrier.
 */
interface Seen {
  method: string;
  path: string;
  clientID?: string;
  key?: string;
  atMs: number;
}

function buyerIndex(clientID: string): number {
  return Number(clientID.slice(clientID.lastIndexOf('-') + 1));
}

class FakeGateway {
  readonly seen: Seen[] = [];
  readonly sockets = new Set<Socket>();
  peakSockets = 0;
  /** TCP connections accepted in all. */
  accepted = 0;
  stock: number;
  private readonly orders = new Map<string, { polls: number; final: Record<string, unknown> }>();
  private readonly attempts = new Map<string, number>();
  private server!: http.Server;
  url = '';

  constructor(stock: number, private readonly behaviour: (i: number, route: string, attempt: number) => string | undefined) {
    this.stock = stock;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => this.handle(req, res, raw));
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      this.accepted++;
      this.peakSockets = Math.max(this.peakSockets, this.sockets.size);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private fail(res: http.ServerResponse, status: number, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
    this.send(res, status, { status: 'Failed', error: code.toLowerCase(), code, ...extra }, headers);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const path = req.url ?? '';
    const body = raw ? (JSON.parse(raw) as { clientID?: string }) : {};
    const key = req.headers['idempotency-key'] as string | undefined;
    this.seen.push({ method: req.method!, path, clientID: body.clientID, key, atMs: Date.now() });
    if (path === '/healthz') return this.send(res, 200, { status: 'ok' });

    if (path.startsWith('/orders/')) {
      const order = this.orders.get(path.slice('/orders/'.length));
      if (!order) return this.fail(res, 404, 'ORDER_NOT_FOUND');
      if (order.polls-- > 0) return this.send(res, 200, { ...order.final, status: 'pending', code: '' });
      return this.send(res, 200, order.final);
    }

    const i = buyerIndex(body.clientID!);
    const route = path === '/addToCart' ? 'add' : 'checkout';
    const attemptKey = `${i}:${route}`;
    const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
    this.attempts.set(attemptKey, attempt);
    const action = this.behaviour(i, route, attempt);
    const orderID = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    switch (action) {
      case 'drop':
        req.socket.destroy();
        return;
      case '503':
        return this.fail(res, 503, 'SERVICE_UNAVAILABLE', {}, { 'retry-after': '0' });
      case '500':
        return this.fail(res, 500, 'INTERNAL');
      case 'ALL_RESERVED':
        return this.fail(res, 409, 'ALL_RESERVED', route === 'checkout' ? { orderID } : {}, { 'retry-after': '0' });
      case '402':
        return this.fail(res, 402, 'PAYMENT_DECLINED', { orderID });
      case 'EXPIRED':
        return this.fail(res, 409, 'RESERVATION_EXPIRED', { orderID });
      case 'EMPTY':
        return this.fail(res, 400, 'EMPTY_CART', { orderID });
      case '202': {
        const confirmed = this.stock > 0;
        if (confirmed) this.stock--;
        this.orders.set(orderID, {
          polls: 2,
          final: confirmed
            ? { orderID, clientID: body.clientID, status: 'confirmed', error: '', code: '', items: [{ productID: 'X', quantity: 1, unitPrice: 999 }], total: 999, payment: 'charged' }
            : { orderID, clientID: body.clientID, status: 'failed', error: 'sold out', code: 'SOLD_OUT', items: [{ productID: 'X', quantity: 1, unitPrice: 999 }], total: 999, payment: 'none' },
        });
        return this.send(res, 202, { status: 'Pending', error: '', orderID }, { 'retry-after': '0' });
      }
      case 'pending-forever':
        this.orders.set(orderID, { polls: Number.MAX_SAFE_INTEGER, final: { orderID, status: 'pending', code: '' } });
        return this.send(res, 202, { status: 'Pending', error: '', orderID }, { 'retry-after': '0' });
      default:
        if (route === 'add') return this.send(res, 200, { status: 'Success', error: '' });
        if (this.stock > 0) {
          this.stock--;
          return this.send(res, 200, { status: 'Success', error: '', orderID, total: 999 });
        }
        return this.fail(res, 409, 'SOLD_OUT', { orderID });
    }
  }
}

describe('runBuyers against a fake gateway', () => {
  test('when buyers meet every kind of answer, then each ends in its category, retries reuse or renew the key as they must, and the barrier holds them all', async () => {
    const gateway = new FakeGateway(10, (i, route, attempt) => {
      if (i === 1 && route === 'add' && attempt === 1) return '503';
      if (i === 2 && route === 'add' && attempt === 1) return 'drop';
      if (i === 3 && route === 'checkout') return '202';
      if (i === 4 && route === 'checkout' && attempt === 1) return 'ALL_RESERVED';
      if (i === 5 && route === 'checkout') return '402';
      if (i === 6 && route === 'checkout') return 'EXPIRED';
      if (i === 7 && route === 'checkout') return 'EMPTY';
      if (i === 8 && route === 'add') return '500';
      if (i === 9 && route === 'add') return 'drop';
      return undefined;
    });
    await gateway.start();
    const progress: Progress[] = [];
    try {
      const n = 60;
      const result = await runBuyers({
        gatewayUrl: gateway.url,
        buyers: n,
        cartOf: () => [{ productID: 'X', quantity: 1 }],
        clientPrefix: 'fs-test',
        openConnections: async () => gateway.sockets.size,
        onProgress: (p) => progress.push(p),
        connectConcurrency: 7,
      });

      expect(result.buyers).toBe(n);
      expect(result.connectedBuyers).toBe(n);
      expect(result.peakOpenConnections).toBe(n);
      expect(result.peakOpenConnectionsSource).toBe('gateway');
      expect(result.clientOpenConnectionsAtRelease).toBe(n);

      // 10 units to whoever gets there first; 5, 6, 7 refused; 8, 9 errors; every other buyer sold out.
      expect(result.outcomes).toEqual({ confirmed: 10, sold_out: n - 10 - 3 - 2, declined: 1, expired: 1, refused: 1, error: 2, unanswered: 0 });
      expect(result.answered).toBe(n - 2);
      expect(result.codes).toMatchObject({ '': 10, PAYMENT_DECLINED: 1, RESERVATION_EXPIRED: 1, EMPTY_CART: 1, INTERNAL: 1 });
      expect(Object.keys(result.codes).some((c) => c.startsWith('NETWORK:'))).toBe(true);
      expect(result.http5xx).toBe(1);
      expect(result.droppedConnections).toBe(3); // buyer 2 once (retried, fine), buyer 9 twice (error)
      expect(result.retries).toEqual({ addToCart: 1 });
      expect(result.allReservedRetries).toEqual({ checkOutCart: 1 });
      expect(result.confirmedOrders).toHaveLength(10);
      for (const o of result.confirmedOrders) expect(o).toMatchObject({ units: 1, total: 999 });

      // A retry after 503 reuses the key; after ALL_RESERVED it takes a new one.
      const adds1 = gateway.seen.filter((s) => s.path === '/addToCart' && s.clientID === 'fs-test-1');
      expect(adds1.map((s) => s.key)).toEqual(['a0.0', 'a0.0']);
      const checkouts4 = gateway.seen.filter((s) => s.path === '/checkOutCart' && s.clientID === 'fs-test-4');
      expect(checkouts4.map((s) => s.key)).toEqual(['c0', 'c1']);
      // The buyer answered 202 polled until its order was final.
      const orderPath = '/orders/00000000-0000-4000-8000-000000000003';
      expect(gateway.seen.filter((s) => s.path === orderPath)).toHaveLength(3);
      // A refused add does not check out.
      expect(gateway.seen.filter((s) => s.path === '/checkOutCart' && s.clientID === 'fs-test-8')).toHaveLength(0);

      // The barrier: no sale request before every buyer's warm-up was done.
      const lastWarmup = Math.max(...gateway.seen.filter((s) => s.path === '/healthz').map((s) => s.atMs));
      const firstSale = Math.min(...gateway.seen.filter((s) => s.path !== '/healthz').map((s) => s.atMs));
      expect(firstSale).toBeGreaterThanOrEqual(lastWarmup);
      expect(gateway.seen.filter((s) => s.path === '/healthz')).toHaveLength(n);
      expect(gateway.peakSockets).toBeLessThanOrEqual(n + 3); // one per buyer, plus the fresh ones after a drop

      expect(Object.keys(result.latency).sort()).toEqual(['addToCart', 'buyer', 'checkOutCart', 'getOrder', 'warmup']);
      expect(result.latency.addToCart!.count).toBeGreaterThanOrEqual(n);
      expect(result.latency.getOrder!.count).toBe(3);
      expect(result.latency.buyer!.count).toBe(n - 2);
      expect(result.latencyPercentiles.addToCart!.at(-1)![0]).toBe(100);
      expect(result.soldOutAtMs).not.toBeNull();
      expect(result.allAnsweredAtMs).not.toBeNull();
      expect(result.soldOutAtMs!).toBeLessThanOrEqual(result.allAnsweredAtMs!);
      expect(result.buyersPerSecond).toBeGreaterThan(0);
      const last = result.timeline.at(-1)!;
      expect(last).toMatchObject({ answered: n - 2, confirmed: 10, declined: 1, expired: 1, pending: 0, inFlight: 0 });
      expect(progress.at(-1)).toMatchObject({ phase: 'done', answered: n - 2, confirmed: 10 });
      // Every client closed: the server sees each socket end.
      for (let k = 0; k < 50 && gateway.sockets.size > 0; k++) await new Promise((r) => setTimeout(r, 20));
      expect(gateway.sockets.size).toBe(0);
    } finally {
      await gateway.stop();
    }
  });

  test('when an order stays pending past the deadline, then the buyer is unanswered and the run still ends', async () => {
    const gateway = new FakeGateway(5, (i, route) => (i === 0 && route === 'checkout' ? 'pending-forever' : undefined));
    await gateway.start();
    try {
      const result = await runBuyers({
        gatewayUrl: gateway.url,
        buyers: 3,
        cartOf: () => [{ productID: 'X', quantity: 1 }],
        clientPrefix: 'fs-late',
        deadlineMs: 800,
        pollIntervalMs: 100,
      });
      expect(result.outcomes).toMatchObject({ confirmed: 2, unanswered: 1 });
      expect(result.codes.DEADLINE).toBe(1);
      expect(result.answered).toBe(2);
      expect(result.peakOpenConnectionsSource).toBe('client');
      expect(result.peakOpenConnections).toBe(3);
      expect(result.wallMs).toBeGreaterThanOrEqual(800);
    } finally {
      await gateway.stop();
    }
  });

  test('when a cart has several lines, then every line is added before the checkout, and a refused line stops the buyer', async () => {
    const gateway = new FakeGateway(100, () => undefined);
    await gateway.start();
    try {
      const result = await runBuyers({
        gatewayUrl: gateway.url,
        buyers: 2,
        cartOf: (i) => (i === 0 ? [{ productID: 'A', quantity: 2 }, { productID: 'B', quantity: 3 }] : [{ productID: 'A', quantity: 1 }]),
        clientPrefix: 'fs-multi',
      });
      expect(result.outcomes.confirmed).toBe(2);
      expect(result.confirmedOrders.find((o) => o.clientID === 'fs-multi-0')!.units).toBe(5);
      expect(gateway.seen.filter((s) => s.clientID === 'fs-multi-0').map((s) => `${s.path} ${s.key}`)).toEqual(['/addToCart a0.0', '/addToCart a1.0', '/checkOutCart c0']);
    } finally {
      await gateway.stop();
    }
  });

  test('when in floor mode, then each buyer sends two GET /healthz after the release and nothing else', async () => {
    const gateway = new FakeGateway(0, () => undefined);
    await gateway.start();
    try {
      const result = await runBuyers({ gatewayUrl: gateway.url, buyers: 20, cartOf: () => [], clientPrefix: 'fs-floor', floor: true });
      expect(result.mode).toBe('floor');
      expect(result.answered).toBe(20);
      expect(result.codes).toEqual({ '': 20 });
      expect(result.outcomes.confirmed).toBe(0);
      expect(result.latency.healthz!.count).toBe(40);
      expect(gateway.seen.filter((s) => s.path === '/healthz')).toHaveLength(60); // 20 warm-ups + 40
      expect(gateway.seen.every((s) => s.path === '/healthz')).toBe(true);
      expect(result.connection).toBe('per-buyer');
      expect(gateway.accepted).toBe(20); // one kept-alive connection per buyer
    } finally {
      await gateway.stop();
    }
  });

  test('when every request takes a fresh connection, then the server accepts one connection per request and keeps none of the warm-up connections', async () => {
    const gateway = new FakeGateway(0, () => undefined);
    await gateway.start();
    try {
      const result = await runBuyers({ gatewayUrl: gateway.url, buyers: 20, cartOf: () => [], clientPrefix: 'fs-floor-fresh', floor: true, connection: 'per-request' });
      expect(result.connection).toBe('per-request');
      expect(result.answered).toBe(20);
      expect(result.droppedConnections).toBe(0);
      expect(gateway.seen).toHaveLength(60);
      expect(gateway.accepted).toBe(60);
      expect(result.clientOpenConnectionsAtRelease).toBeLessThan(20); // the warm-up's connections are closed (the last close may still be under way)
    } finally {
      await gateway.stop();
    }
  });
});

describe('buyer helpers', () => {
  test.each([
    [200, '', 'confirmed'],
    [402, 'PAYMENT_DECLINED', 'declined'],
    [0, 'PAYMENT_DECLINED', 'declined'],
    [409, 'SOLD_OUT', 'sold_out'],
    [409, 'ALL_RESERVED', 'sold_out'],
    [409, 'INSUFFICIENT_STOCK', 'sold_out'],
    [0, 'SOLD_OUT', 'sold_out'],
    [409, 'RESERVATION_EXPIRED', 'expired'],
    [409, 'CHECKOUT_IN_PROGRESS', 'refused'],
    [409, 'DEAL_NOT_ACTIVE', 'refused'],
    [400, 'EMPTY_CART', 'refused'],
    [0, 'EMPTY_CART', 'refused'],
    [404, 'PRODUCT_NOT_FOUND', 'refused'],
    [400, 'INVALID_REQUEST', 'refused'],
    [0, 'INTERNAL', 'error'],
    [500, 'INTERNAL', 'error'],
  ])('status %i code %p is %p', (status, code, outcome) => {
    expect(outcomeOf(status, code)).toBe(outcome);
  });

  test('Retry-After is read as seconds or a date, capped, and absent when unreadable', () => {
    expect(parseRetryAfter('1')).toBe(1);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(['2'])).toBe(2);
    expect(parseRetryAfter('3600')).toBe(30);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5_000)).toBe(5);
  });

  test('a repeated refusal backs off exponentially with jitter, never sooner than Retry-After, never longer than the cap', () => {
    expect(retryDelayMs(1, 1, 30_000, () => 1)).toBe(1_000);
    expect(retryDelayMs(1, 3, 30_000, () => 1)).toBe(4_000);
    expect(retryDelayMs(1, 3, 30_000, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, 3, 30_000, () => 0.5)).toBe(2_500);
    expect(retryDelayMs(1, 20, 30_000, () => 1)).toBe(30_000);
    expect(retryDelayMs(undefined, 2, 30_000, () => 1)).toBe(2_000);
    expect(retryDelayMs(2, 10, 0, () => 1)).toBe(2_000); // no backoff: exactly Retry-After
    expect(retryDelayMs(45, 10, 30_000, () => 1)).toBe(45_000); // Retry-After above the cap wins
    expect(retryDelayMs(0, 5, 30_000, () => 1)).toBe(0);
  });

  test('sold out is when the last unit was confirmed', () => {
    expect(soldOutAt([])).toBeNull();
    expect(soldOutAt([120, 900, 450])).toBe(900);
  });
});
