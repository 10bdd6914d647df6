/**
 * The cart manager's checkout step against the real MariaDB: what a duplicate
 * key on the orders insert means is read from the data (an order with this id
 * exists, or another order of the client is pending), not from the error text.
 * Needs `npm run build` first (migrations run from dist/).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Pool } from '../../../common/src/db';
import { TestSystem } from '../../../test/support/system';
import { createOrder } from '../../src/handlers/checkout';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe('createOrder: a duplicate key, decided from the data', () => {
  let system: TestSystem;
  let pool: Pool;
  let n = 0;
  const client = () => `cart-client-${++n}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    system = await TestSystem.start({ inventoryOnly: true });
    pool = system.pool;
    await system.seed({ productId: 'item', stock: 100, priceCents: 250 });
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function cart(clientId: string, quantity = 2): Promise<void> {
    await pool.query('INSERT INTO client_cart (client_id, product_id, quantity) VALUES (?, ?, ?)', [clientId, 'item', quantity]);
  }

  async function ordersOf(clientId: string): Promise<{ order_id: string; status: string; code: string }[]> {
    const [rows] = await pool.query<any[]>('SELECT order_id, status, code FROM orders WHERE client_id = ? ORDER BY created_at, order_id', [clientId]);
    return rows;
  }

  test('when another order of the client is pending, then the new order is recorded failed CHECKOUT_IN_PROGRESS', async () => {
    const c = client();
    await cart(c);
    const first = await createOrder(pool, log, { orderID: randomUUID(), clientID: c });
    expect(first).toMatchObject({ kind: 'process', order: { status: 'pending', totalCents: 500 } });

    const second = randomUUID();
    expect(await createOrder(pool, log, { orderID: second, clientID: c })).toEqual({
      kind: 'final',
      order: { orderId: second, clientId: c, status: 'failed', code: 'CHECKOUT_IN_PROGRESS', error: 'another checkout of this client is in progress', totalCents: 0 },
    });
    const rows = await ordersOf(c);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.order_id === second)).toMatchObject({ status: 'failed', code: 'CHECKOUT_IN_PROGRESS' });
    expect(rows.find((r) => r.order_id === first.order.orderId)).toMatchObject({ status: 'pending' });
  });

  test('when the same order is created by five workers at once, then one pending order exists and every worker goes on from it', async () => {
    const c = client();
    await cart(c, 3);
    const orderID = randomUUID();
    const steps = await Promise.all(Array.from({ length: 5 }, () => createOrder(pool, log, { orderID, clientID: c })));
    for (const step of steps) expect(step).toMatchObject({ kind: 'process', order: { orderId: orderID, status: 'pending', totalCents: 750 } });
    expect(await ordersOf(c)).toEqual([{ order_id: orderID, status: 'pending', code: '' }]);
    const [items] = await pool.query<any[]>('SELECT product_id, quantity FROM order_items WHERE order_id = ?', [orderID]);
    expect(items).toEqual([{ product_id: 'item', quantity: 3 }]);
  });

  test('when two orders of one client are created at once, then one is pending and the other failed CHECKOUT_IN_PROGRESS', async () => {
    const c = client();
    await cart(c);
    const steps = await Promise.all([randomUUID(), randomUUID()].map((orderID) => createOrder(pool, log, { orderID, clientID: c })));
    expect(steps.map((s) => s.order.status).sort()).toEqual(['failed', 'pending']);
    expect(steps.find((s) => s.kind === 'final')!.order.code).toBe('CHECKOUT_IN_PROGRESS');
    expect((await ordersOf(c)).map((r) => r.status).sort()).toEqual(['failed', 'pending']);
  });
});
