import { randomUUID } from 'node:crypto';
import { TestSystem } from '../support/system';

/**
 * RabbitMQ delivers at least once: the same message twice, or to two worker
 * instances at once, must change nothing the second time.
 */
describe('redelivered and duplicated messages', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ cartWorkers: 2, checkoutWorkers: 2, env: { PAYMENT_LATENCY_MS: '50' } });
    await system.seed({ productId: 'R', stock: 100 });
  });
  afterAll(async () => system?.stop());

  /**
   * Wait until the first delivery has had its effect, then long enough for the
   * duplicates (queued behind it or running beside it) to have theirs too.
   */
  async function settleQueues(firstEffect: () => Promise<boolean>): Promise<void> {
    const t = system.topology;
    for (let i = 0; i < 150 && !(await firstEffect()); i++) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 100; i++) {
      const depths = await Promise.all([t.addToCart, t.checkout, t.processOrder, t.orderFinalized].map((q) => system.queueDepth(q)));
      if (depths.every((d) => d === 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1_000));
    await system.settle();
  }

  async function one(sql: string, params: unknown[] = []): Promise<any> {
    const [rows] = await system.pool.query<any[]>(sql, params);
    return rows[0];
  }

  test('when one add-to-cart job is delivered five times, then the quantity is added once', async () => {
    const job = { requestID: randomUUID(), clientID: 'dup-cart', productID: 'R', quantity: 3 };
    await Promise.all(Array.from({ length: 5 }, () => system.publishRaw(system.topology.addToCart, job)));
    await settleQueues(async () => (await one("SELECT quantity FROM client_cart WHERE client_id = 'dup-cart'")) !== undefined);
    const [rows] = await system.pool.query<any[]>("SELECT quantity FROM client_cart WHERE client_id = 'dup-cart'");
    expect(rows.map((r) => r.quantity)).toEqual([3]);
  });

  test('when one checkout job is delivered five times to two cart managers, then one order is made and sold once', async () => {
    await system.post('/addToCart', { clientID: 'dup-checkout', productID: 'R', quantity: 2 });
    const orderID = randomUUID();
    await Promise.all(Array.from({ length: 5 }, () => system.publishRaw(system.topology.checkout, { orderID, clientID: 'dup-checkout' })));
    await settleQueues(async () => (await one("SELECT COUNT(*) AS n FROM client_cart WHERE client_id = 'dup-checkout'")).n == 0);
    const [orders] = await system.pool.query<any[]>("SELECT order_id, status FROM orders WHERE client_id = 'dup-checkout'");
    expect(orders).toEqual([{ order_id: orderID, status: 'confirmed' }]);
    const [[moves]] = await system.pool.query<any[]>("SELECT SUM(kind='reserve') AS r, SUM(kind='commit') AS c FROM stock_movements WHERE order_id = ?", [orderID]);
    expect([Number(moves.r), Number(moves.c)]).toEqual([1, 1]);
    const [[pay]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n FROM payments WHERE order_id = ?', [orderID]);
    expect(Number(pay.n)).toBe(1);
    // The order-finalized event, delivered once or more, removed the 2 units once.
    expect((await system.get('/carts/dup-checkout')).body.items).toEqual([]);
  });

  test('when a pending order is handed to both checkout managers at once, several times, then it is reserved, charged and committed once', async () => {
    const orderID = randomUUID();
    await system.pool.query("INSERT INTO orders (order_id, client_id, status, total_cents, pending_client_id) VALUES (?, 'dup-process', 'pending', 2000, 'dup-process')", [orderID]);
    await system.pool.query("INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (?, 'R', 2, 1000)", [orderID]);
    await Promise.all(Array.from({ length: 6 }, () => system.publishRaw(system.topology.processOrder, { orderID })));
    await settleQueues(async () => (await one('SELECT status FROM orders WHERE order_id = ?', [orderID])).status !== 'pending');
    const [[order]] = await system.pool.query<any[]>('SELECT status FROM orders WHERE order_id = ?', [orderID]);
    expect(order.status).toBe('confirmed');
    const [[moves]] = await system.pool.query<any[]>("SELECT SUM(kind='reserve') AS r, SUM(kind='commit') AS c, COUNT(*) AS n FROM stock_movements WHERE order_id = ?", [orderID]);
    expect([Number(moves.r), Number(moves.c), Number(moves.n)]).toEqual([1, 1, 2]);
    const [payments] = await system.pool.query<any[]>('SELECT status, amount_cents FROM payments WHERE order_id = ?', [orderID]);
    expect(payments).toEqual([{ status: 'charged', amount_cents: 2000 }]);
    expect((await system.audit(true)).violations).toEqual([]);
  });

  test('when a final order is redelivered, then nothing changes', async () => {
    const [[before]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n FROM stock_movements');
    const [[order]] = await system.pool.query<any[]>("SELECT order_id FROM orders WHERE status = 'confirmed' LIMIT 1");
    await system.publishRaw(system.topology.processOrder, { orderID: order.order_id });
    await settleQueues(async () => true);
    const [[after]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n FROM stock_movements');
    expect(Number(after.n)).toBe(Number(before.n));
  });

  test('when a message is malformed, then it goes to the dead-letter queue and changes nothing', async () => {
    const [[before]] = await system.pool.query<any[]>('SELECT (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM client_cart) AS n');
    await system.publishRaw(system.topology.processOrder, { orderID: 'not-a-uuid' });
    await system.publishRaw(system.topology.addToCart, { clientID: 'x' });
    await system.publishRaw(system.topology.checkout, 'not json at all');
    for (let i = 0; i < 50 && (await system.queueDepth(system.topology.deadLetterQueue)) < 3; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await system.queueDepth(system.topology.deadLetterQueue)).toBe(3);
    const parked = await system.drainDeadLetters();
    expect(parked.map((m) => m.queue).sort()).toEqual([system.topology.addToCart, system.topology.checkout, system.topology.processOrder].sort());
    const reasons = Object.fromEntries(parked.map((m) => [m.queue, m.reason]));
    expect(reasons[system.topology.processOrder]).toContain('orderID');
    expect(reasons[system.topology.addToCart]).toContain('productID');
    expect(reasons[system.topology.checkout]).toMatch(/expected object/);
    const [[after]] = await system.pool.query<any[]>('SELECT (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM client_cart) AS n');
    expect(Number(after.n)).toBe(Number(before.n));
  });
});

describe('add-to-cart past its deadline', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start();
    await system.seed({ productId: 'D', stock: 10 });
  });
  afterAll(async () => system?.stop());

  test('when a job is still queued after the gateway stopped waiting, then it is dropped unapplied, and a fresh one is applied', async () => {
    await system.publishRaw(system.topology.addToCart, { requestID: randomUUID(), clientID: 'late', productID: 'D', quantity: 1, deadline: Date.now() - 1 });
    const fresh = randomUUID();
    await system.publishRaw(system.topology.addToCart, { requestID: fresh, clientID: 'on-time', productID: 'D', quantity: 2, deadline: Date.now() + 60_000 });
    for (let i = 0; i < 100; i++) {
      const [rows] = await system.pool.query<any[]>("SELECT 1 FROM client_cart WHERE client_id = 'on-time'");
      if (rows.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const [rows] = await system.pool.query<any[]>("SELECT client_id, quantity FROM client_cart WHERE client_id IN ('late', 'on-time') ORDER BY client_id");
    expect(rows).toEqual([{ client_id: 'on-time', quantity: 2 }]);
    expect(await system.queueDepth(system.topology.deadLetterQueue)).toBe(0);
  });
});
