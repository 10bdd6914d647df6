/**
 * The cart manager's batch transactions against the real MariaDB, called
 * directly so that a batch holds exactly the messages a test chooses: jobs of
 * one batch decided in arrival order and written with multi-row statements,
 * a request or order twice in one batch applied once, a batch applied twice
 * changing nothing, and batches racing on the same rows summing exactly.
 * Needs `npm run build` first (migrations run from dist/).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Pool } from '../../../common/src/db';
import type { AddToCartJob, OrderFinalizedEvent } from '../../../contracts/messages';
import { TestSystem } from '../../../test/support/system';
import { addToCarts } from '../../src/handlers/add-to-cart';
import { createOrders } from '../../src/handlers/checkout';
import { applyOrdersFinalized } from '../../src/handlers/order-finalized';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('batch transactions of the cart manager', () => {
  let system: TestSystem;
  let pool: Pool;
  const tag = randomUUID().slice(0, 8);
  let n = 0;
  const client = () => `batch-${tag}-${++n}`;
  const add = (clientID: string, productID: string, quantity: number, requestID = randomUUID()): AddToCartJob => ({ requestID, clientID, productID, quantity });
  const deps = () => ({ pool, log, maxPerLine: 100 });

  beforeAll(async () => {
    system = await TestSystem.start({ inventoryOnly: true });
    pool = system.pool;
    await system.seed({ productId: 'item', stock: 10_000, priceCents: 250 });
    await system.seed({ productId: 'few', stock: 5, priceCents: 100 });
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function line(clientId: string, productId: string): Promise<number | undefined> {
    const [rows] = await pool.query<any[]>('SELECT quantity FROM client_cart WHERE client_id = ? AND product_id = ?', [clientId, productId]);
    return rows[0]?.quantity;
  }

  test('when jobs of one batch add to the same line, then they add up and each is checked against the line the earlier ones left', async () => {
    const c = client();
    const replies = await addToCarts(deps(), [add(c, 'few', 2), add(c, 'item', 1), add(c, 'few', 2), add(c, 'few', 2), add(c, 'item', 4)]);
    expect(replies.map((r) => r.code)).toEqual(['', '', '', 'INSUFFICIENT_STOCK', '']);
    expect(replies[3]!.error).toBe('product few: the cart line would hold 6 units, 5 available now');
    expect(await line(c, 'few')).toBe(4);
    expect(await line(c, 'item')).toBe(5);
  });

  test('when a request id comes twice in one batch, then it is applied once and both get the first outcome', async () => {
    const c = client();
    const job = add(c, 'item', 3);
    const replies = await addToCarts(deps(), [job, add(c, 'item', 1), job]);
    expect(replies).toEqual([
      { ok: true, code: '', error: '' },
      { ok: true, code: '', error: '' },
      { ok: true, code: '', error: '' },
    ]);
    expect(await line(c, 'item')).toBe(4);
    const [[recorded]] = await pool.query<any[]>('SELECT COUNT(*) AS n FROM processed_messages WHERE message_id = ?', [job.requestID]);
    expect(Number(recorded.n)).toBe(1);
  });

  test('when a batch is applied a second time, then nothing changes and every job gets the same answer', async () => {
    const c = client();
    const jobs = [add(c, 'item', 2), add(c, 'nope', 1), add(c, 'item', 200), add(c, 'few', 1), add(client(), 'item', 7)];
    const first = await addToCarts(deps(), jobs);
    expect(first.map((r) => r.code)).toEqual(['', 'PRODUCT_NOT_FOUND', 'INVALID_REQUEST', '', '']);
    const [before] = await pool.query<any[]>('SELECT client_id, product_id, quantity FROM client_cart WHERE client_id LIKE ? ORDER BY 1, 2', [`batch-${tag}-%`]);
    expect(await addToCarts(deps(), jobs)).toEqual(first);
    const [after] = await pool.query<any[]>('SELECT client_id, product_id, quantity FROM client_cart WHERE client_id LIKE ? ORDER BY 1, 2', [`batch-${tag}-%`]);
    expect(after).toEqual(before);
  });

  test('when batches race on the same lines, then every line holds exactly the sum of the applied jobs', async () => {
    const clients = [client(), client(), client()];
    const batches = Array.from({ length: 12 }, (_, b) => Array.from({ length: 25 }, (_, i) => add(clients[(b + i) % 3]!, 'item', 1)));
    const replies = await Promise.all(batches.map((jobs) => addToCarts({ pool, log, maxPerLine: 1_000 }, jobs)));
    expect(replies.flat().every((r) => r.ok)).toBe(true);
    for (const c of clients) expect(await line(c, 'item')).toBe(100);
  });

  test('when two checkouts of one client are in one batch, then the first is pending and the second failed CHECKOUT_IN_PROGRESS', async () => {
    const c = client();
    const empty = client();
    await pool.query('INSERT INTO client_cart (client_id, product_id, quantity) VALUES (?, ?, ?), (?, ?, ?)', [c, 'item', 2, c, 'few', 1]);
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    const steps = await createOrders({ pool, log }, [
      { orderID: first, clientID: c },
      { orderID: second, clientID: c },
      { orderID: third, clientID: empty },
      { orderID: first, clientID: c },
    ]);
    expect(steps.map((s) => [s.kind, s.order.orderId, s.order.status, s.order.code, s.order.totalCents])).toEqual([
      ['process', first, 'pending', '', 600],
      ['final', second, 'failed', 'CHECKOUT_IN_PROGRESS', 0],
      ['final', third, 'failed', 'EMPTY_CART', 0],
      ['process', first, 'pending', '', 600],
    ]);
    const [orders] = await pool.query<any[]>('SELECT order_id, status, code FROM orders WHERE client_id IN (?, ?) ORDER BY order_id', [c, empty]);
    expect(orders).toHaveLength(3);
    const [items] = await pool.query<any[]>('SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = ? ORDER BY product_id', [first]);
    expect(items).toEqual([
      { product_id: 'few', quantity: 1, unit_price_cents: 100 },
      { product_id: 'item', quantity: 2, unit_price_cents: 250 },
    ]);

    // The same batch again: every order goes on from where it is, nothing is inserted.
    expect(await createOrders({ pool, log }, [{ orderID: first, clientID: c }, { orderID: second, clientID: c }, { orderID: third, clientID: empty }])).toEqual(steps.slice(0, 3));
    const [again] = await pool.query<any[]>('SELECT COUNT(*) AS n FROM orders WHERE client_id IN (?, ?)', [c, empty]);
    expect(Number(again[0].n)).toBe(3);
  });

  test('when batches of checkouts of the same clients race, then each client has one pending order and every other order is refused', async () => {
    const clients = [client(), client(), client(), client()];
    for (const c of clients) await pool.query('INSERT INTO client_cart (client_id, product_id, quantity) VALUES (?, ?, 1)', [c, 'item']);
    const batches = Array.from({ length: 6 }, () => clients.map((c) => ({ orderID: randomUUID(), clientID: c })));
    const steps = (await Promise.all(batches.map((jobs) => createOrders({ pool, log }, jobs)))).flat();
    expect(steps.filter((s) => s.kind === 'process')).toHaveLength(4);
    expect(steps.filter((s) => s.kind === 'final').every((s) => s.order.code === 'CHECKOUT_IN_PROGRESS')).toBe(true);
    const [rows] = await pool.query<any[]>("SELECT client_id, COUNT(*) AS n FROM orders WHERE client_id IN (?) AND status = 'pending' GROUP BY client_id", [clients]);
    expect(rows.map((r) => Number(r.n))).toEqual([1, 1, 1, 1]);
  });

  test('when order-finalized events come in a batch, twice, then each order takes its units out of the cart once', async () => {
    const [a, b] = [client(), client()];
    await pool.query('INSERT INTO client_cart (client_id, product_id, quantity) VALUES (?, ?, 5), (?, ?, 5), (?, ?, 2)', [a, 'item', b, 'item', b, 'few']);
    const event = (clientID: string, items: [string, number][], status: 'confirmed' | 'failed' = 'confirmed'): OrderFinalizedEvent => ({
      orderID: randomUUID(),
      clientID,
      status,
      items: items.map(([productID, quantity]) => ({ productID, quantity })),
    });
    const e1 = event(a, [['item', 2]]);
    const e2 = event(a, [['item', 2]]);
    const e3 = event(b, [['item', 1], ['few', 2]]);
    const failed = event(b, [['item', 4]], 'failed');
    expect(await applyOrdersFinalized({ pool, log }, [e1, e2, e3, e1, failed])).toEqual([true, true, true, false, false]);
    const cart = async () => (await pool.query<any[]>('SELECT client_id, product_id, quantity FROM client_cart WHERE client_id IN (?, ?) ORDER BY 1, 2', [a, b]))[0];
    expect(await cart()).toEqual([
      { client_id: a, product_id: 'item', quantity: 1 },
      { client_id: b, product_id: 'item', quantity: 4 },
    ]);
    expect(await applyOrdersFinalized({ pool, log }, [e3, e2, e1])).toEqual([false, false, false]);
    expect(await cart()).toEqual([
      { client_id: a, product_id: 'item', quantity: 1 },
      { client_id: b, product_id: 'item', quantity: 4 },
    ]);
  });
});
