import { randomUUID } from 'node:crypto';
import { TestSystem } from '../support/system';

/** Buyer helper: add one unit, check out, poll while pending. */
async function buy(system: TestSystem, clientID: string, productID: string, quantity = 1) {
  const add = await system.post('/addToCart', { clientID, productID, quantity });
  if (add.status !== 200) return { status: add.status, code: add.body.code as string, orderID: '' };
  const res = await system.post('/checkOutCart', { clientID });
  return { status: res.status, code: res.body.code as string, orderID: res.body.orderID as string };
}

async function waitForOrder(system: TestSystem, orderID: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await system.get(`/orders/${orderID}`);
    if (res.status === 200 && res.body.status !== 'pending') return res.body;
    if (Date.now() > deadline) throw new Error(`order ${orderID} still ${res.body.status ?? res.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('declined payments', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ env: { PAYMENT_DECLINE_RATE: '0.5', PAYMENT_SEED: 'declines', PAYMENT_LATENCY_MS: '20' } });
  });
  afterAll(async () => system?.stop());

  test('when half the payments are declined, then those buyers get 402, their units go back and their carts stay', async () => {
    await system.seed({ productId: 'P', stock: 100 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => buy(system, `decl-${i}`, 'P')));
    const confirmed = results.filter((r) => r.status === 200);
    const declined = results.filter((r) => r.status === 402);
    expect(confirmed.length + declined.length).toBe(40);
    expect(declined.length).toBeGreaterThan(5);
    expect(confirmed.length).toBeGreaterThan(5);
    for (const d of declined) expect(d.code).toBe('PAYMENT_DECLINED');

    await system.settle();
    const audit = await system.audit(true);
    expect(audit.violations).toEqual([]);
    expect(audit.products[0]).toMatchObject({ sold: confirmed.length, available: 100 - confirmed.length, reserved: 0 });
    const [[payments]] = await system.pool.query<any[]>("SELECT SUM(status='declined') AS declined, SUM(status='charged') AS charged FROM payments");
    expect(Number(payments.declined)).toBe(declined.length);
    expect(Number(payments.charged)).toBe(confirmed.length);
    // A failed order leaves the cart as it was.
    const i = results.findIndex((r) => r.status === 402);
    expect((await system.get(`/carts/decl-${i}`)).body.items).toEqual([{ productID: 'P', quantity: 1 }]);
  });
});

describe('a payment slower than the reservation TTL', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({
      env: { PAYMENT_LATENCY_MS: '1500' },
      serviceEnv: { 'inventory-manager': { RESERVATION_TTL_MS: '400', SWEEP_INTERVAL_MS: '100' } },
    });
  });
  afterAll(async () => system?.stop());

  test('when the hold expires while paying, then the unit goes back, a late buyer can have it, and the late payment is refunded', async () => {
    await system.seed({ productId: 'S', stock: 1 });
    const slow = buy(system, 'slow-buyer', 'S');
    // While the slow payment runs, the hold expires and the sweeper returns the unit.
    await new Promise((r) => setTimeout(r, 900));
    const level = (await system.get('/products/S')).body;
    expect(level).toMatchObject({ available: 1, reserved: 0, sold: 0 });

    const result = await slow;
    expect(result.status).toBe(409);
    expect(result.code).toBe('RESERVATION_EXPIRED');
    const order = await system.get(`/orders/${result.orderID}`);
    expect(order.body).toMatchObject({ status: 'failed', code: 'RESERVATION_EXPIRED', payment: 'refunded' });

    await system.settle();
    const audit = await system.audit(true);
    expect(audit.violations).toEqual([]);
    expect(audit.products[0]).toMatchObject({ available: 1, reserved: 0, sold: 0 });
  });
});

describe('crash points: a worker killed between two steps', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ env: { PAYMENT_LATENCY_MS: '20', CHECKOUT_WAIT_MS: '1500' } });
    await system.seed({ productId: 'K', stock: 50 });
  });
  afterAll(async () => system?.stop());

  test.each([
    ['cart-manager', 'cart.after-order-commit'],
    ['checkout-manager', 'checkout.after-reserve'],
    ['checkout-manager', 'checkout.after-charge'],
    ['checkout-manager', 'checkout.after-commit'],
  ] as const)('when the %s dies at %s, then the order still ends confirmed, charged once and sold once', async (service, point) => {
    for (const p of system.running(service)) await system.kill(p, 'SIGTERM');
    const onceFile = `/tmp/flashsale-crash-${system.runId}-${randomUUID()}`;
    const crashing = await system.startService(service, { CRASH_AT: point, CRASH_ONCE_FILE: onceFile });

    const client = `crash-${point}`;
    const result = await buy(system, client, 'K');
    // The worker died mid-checkout: the gateway answers Pending with an order id.
    expect(result.status).toBe(202);
    expect(await crashing.exited).toBeNull(); // killed by a signal, not exited
    expect(crashing.child.signalCode).toBe('SIGKILL');

    // A new process of the same service picks the unacked message up.
    await system.startService(service, { CRASH_AT: point, CRASH_ONCE_FILE: onceFile });
    const order = await waitForOrder(system, result.orderID);
    expect(order).toMatchObject({ status: 'confirmed', payment: 'charged' });

    const [[moves]] = await system.pool.query<any[]>(
      "SELECT SUM(kind='reserve') AS reserves, SUM(kind='commit') AS commits, COUNT(*) AS n FROM stock_movements WHERE order_id = ?",
      [result.orderID],
    );
    expect({ reserves: Number(moves.reserves), commits: Number(moves.commits), n: Number(moves.n) }).toEqual({ reserves: 1, commits: 1, n: 2 });
    await system.settle();
    expect((await system.audit(true)).violations).toEqual([]);
  });
});

describe('broker unreachable', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ inventoryOnly: true });
  });
  afterAll(async () => system?.stop());

  test('when the gateway cannot reach RabbitMQ, then it is alive, not ready, and answers 503 with Retry-After', async () => {
    const gateway = await system.startService('api-gateway', { AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' });
    system.gatewayUrl = `http://127.0.0.1:${gateway.port}`;
    expect((await system.get('/healthz')).status).toBe(200);
    expect((await system.get('/readyz')).status).toBe(503);
    const res = await system.post('/checkOutCart', { clientID: 'c' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'Failed', code: 'SERVICE_UNAVAILABLE' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const [[orders]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n FROM orders');
    expect(Number(orders.n)).toBe(0);
  });
});

describe('graceful shutdown', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ env: { PAYMENT_LATENCY_MS: '1500', CHECKOUT_WAIT_MS: '500' } });
    await system.seed({ productId: 'G', stock: 5 });
  });
  afterAll(async () => system?.stop());

  test('when a checkout manager gets SIGTERM mid-payment, then it finishes that order, exits 0, and nothing is lost', async () => {
    const [worker] = system.running('checkout-manager');
    const result = await buy(system, 'graceful', 'G');
    expect(result.status).toBe(202); // still paying
    await new Promise((r) => setTimeout(r, 300));
    expect(await system.inFlight(worker!)).toBe(1);
    worker!.child.kill('SIGTERM');
    expect(await worker!.exited).toBe(0);
    // It finished the order in flight before exiting: no other worker is running.
    const order = await system.get(`/orders/${result.orderID}`);
    expect(order.body).toMatchObject({ status: 'confirmed', payment: 'charged' });
    await system.settle();
    expect((await system.audit(true)).violations).toEqual([]);
  });
});
