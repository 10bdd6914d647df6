import { randomUUID } from 'node:crypto';
import { TestSystem } from '../support/system';
import { eventually } from '../support/wait';

describe('checkout through the gateway', () => {
  let system: TestSystem;
  let n = 0;
  const client = () => `client-${++n}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    system = await TestSystem.start({ env: { PAYMENT_LATENCY_MS: '300' } });
    await system.seed({ productId: 'deal', name: 'Deal', stock: 100, priceCents: 1999 });
    // A deal open now: seed writes the window from the database's clock below.
    await system.pool.query("UPDATE product_details SET deal_price_cents = 999, deal_starts_at = NOW(6) - INTERVAL 1 MINUTE, deal_ends_at = NOW(6) + INTERVAL 30 MINUTE WHERE product_id = 'deal'");
    await system.seed({ productId: 'plain', name: 'Plain', stock: 100, priceCents: 250 });
    await system.seed({ productId: 'closed-deal-only', name: 'Later', stock: 5, priceCents: 500 });
    await system.pool.query(
      "UPDATE product_details SET deal_only = 1, deal_price_cents = 100, deal_starts_at = NOW(6) + INTERVAL 1 HOUR, deal_ends_at = NOW(6) + INTERVAL 2 HOUR WHERE product_id = 'closed-deal-only'",
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  test('when a cart is checked out inside the deal window, then the deal price is charged and the cart is emptied', async () => {
    const c = client();
    expect((await system.post('/addToCart', { clientID: c, productID: 'deal', quantity: 2 })).status).toBe(200);
    expect((await system.post('/addToCart', { clientID: c, productID: 'plain', quantity: 1 })).status).toBe(200);
    expect((await system.post('/addToCart', { clientID: c, productID: 'deal', quantity: 1 })).status).toBe(200);
    const cart = await system.get(`/carts/${c}`);
    expect(cart.body.items).toEqual(
      expect.arrayContaining([
        { productID: 'deal', quantity: 3 },
        { productID: 'plain', quantity: 1 },
      ]),
    );

    const res = await system.post('/checkOutCart', { clientID: c });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'Success', error: '', total: 3 * 999 + 250 });
    const order = await system.get(`/orders/${res.body.orderID}`);
    expect(order.body).toMatchObject({ orderID: res.body.orderID, clientID: c, status: 'confirmed', payment: 'charged', total: 3 * 999 + 250 });
    expect(order.body.items).toEqual(
      expect.arrayContaining([
        { productID: 'deal', quantity: 3, unitPrice: 999 },
        { productID: 'plain', quantity: 1, unitPrice: 250 },
      ]),
    );
    // The order-finalized event empties the cart shortly after.
    await eventually(async () => expect((await system.get(`/carts/${c}`)).body.items).toEqual([]), { timeoutMs: 5_000 });
    const list = await system.get(`/orders?clientID=${c}`);
    expect(list.body.orders.map((o: { orderID: string }) => o.orderID)).toEqual([res.body.orderID]);
  });

  test('when the cart is empty, then 400 EMPTY_CART with an order id that resolves to a failed order', async () => {
    const res = await system.post('/checkOutCart', { clientID: client() });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'Failed', code: 'EMPTY_CART' });
    const order = await system.get(`/orders/${res.body.orderID}`);
    expect(order.body).toMatchObject({ status: 'failed', code: 'EMPTY_CART', payment: 'none' });
  });

  test('when a deal-only product is checked out outside its window, then 409 DEAL_NOT_ACTIVE and the cart stays', async () => {
    const c = client();
    await system.post('/addToCart', { clientID: c, productID: 'closed-deal-only', quantity: 1 });
    const res = await system.post('/checkOutCart', { clientID: c });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 'Failed', code: 'DEAL_NOT_ACTIVE' });
    expect((await system.get(`/carts/${c}`)).body.items).toEqual([{ productID: 'closed-deal-only', quantity: 1 }]);
  });

  test('when one client checks out twice at once, then one goes through and the other gets 409 CHECKOUT_IN_PROGRESS', async () => {
    const c = client();
    await system.post('/addToCart', { clientID: c, productID: 'plain', quantity: 1 });
    const [a, b] = await Promise.all([system.post('/checkOutCart', { clientID: c }), system.post('/checkOutCart', { clientID: c })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    expect(refused.body.code).toBe('CHECKOUT_IN_PROGRESS');
    expect((await system.get(`/orders/${refused.body.orderID}`)).body).toMatchObject({ status: 'failed', code: 'CHECKOUT_IN_PROGRESS' });
  });

  test('when a checkout is retried with the same Idempotency-Key, then the same order comes back, not a second one', async () => {
    const c = client();
    await system.post('/addToCart', { clientID: c, productID: 'plain', quantity: 2 });
    const key = randomUUID();
    const [a, b] = await Promise.all([
      system.post('/checkOutCart', { clientID: c }, { 'Idempotency-Key': key }),
      system.post('/checkOutCart', { clientID: c }, { 'Idempotency-Key': key }),
    ]);
    expect(a.body.orderID).toBe(b.body.orderID);
    expect([a.status, b.status]).toEqual([200, 200]);
    const again = await system.post('/checkOutCart', { clientID: c }, { 'Idempotency-Key': key });
    expect(again.status).toBe(200);
    expect(again.body.orderID).toBe(a.body.orderID);
    const [[count]] = await system.pool.query<any[]>('SELECT COUNT(*) AS n FROM orders WHERE client_id = ?', [c]);
    expect(Number(count.n)).toBe(1);
    const [[sold]] = await system.pool.query<any[]>("SELECT sold FROM product_details WHERE product_id = 'plain'");
    expect(Number(sold.sold)).toBeGreaterThanOrEqual(2);
  });

  test('when add-to-cart would exceed what is available, then 409 and nothing is added', async () => {
    const c = client();
    const res = await system.post('/addToCart', { clientID: c, productID: 'closed-deal-only', quantity: 6 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 'Failed', code: 'INSUFFICIENT_STOCK' });
    expect((await system.get(`/carts/${c}`)).body.items).toEqual([]);
    const unknown = await system.post('/addToCart', { clientID: c, productID: 'no-such-product', quantity: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('PRODUCT_NOT_FOUND');
  });

  test('when bodies are bad, then 400 names the field and nothing changes', async () => {
    const before = await counts(system);
    const cases: [unknown, string][] = [
      [{ productID: 'plain', quantity: 1 }, 'clientID'],
      [{ clientID: '', productID: 'plain', quantity: 1 }, 'clientID'],
      [{ clientID: 'x'.repeat(101), productID: 'plain', quantity: 1 }, 'clientID'],
      [{ clientID: 'c', productID: 'plain', quantity: 0 }, 'quantity'],
      [{ clientID: 'c', productID: 'plain', quantity: 1.5 }, 'quantity'],
      [{ clientID: 'c', productID: 'plain', quantity: '1' }, 'quantity'],
      [{ clientID: 'c', productID: 'plain', quantity: 101 }, 'quantity'],
      [{ clientID: 'c', quantity: 1 }, 'productID'],
      ['{"clientID": "c", ', ''],
      ['[1,2]', ''],
    ];
    for (const [body, field] of cases) {
      const res = await system.post('/addToCart', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'Failed', code: 'INVALID_REQUEST' });
      expect(res.body.error).toContain(field);
    }
    const checkout = await system.post('/checkOutCart', { clientID: 42 });
    expect(checkout.status).toBe(400);
    expect(checkout.body.error).toContain('clientID');
    const big = await system.post('/addToCart', { clientID: 'c', productID: 'plain', quantity: 1, pad: 'x'.repeat(17 * 1024) });
    expect(big.status).toBe(413);
    expect(await counts(system)).toEqual(before);
    expect(await system.queueDepth(system.topology.addToCart)).toBe(0);
  });
});

async function counts(system: TestSystem): Promise<unknown> {
  const [[row]] = await system.pool.query<any[]>(
    'SELECT (SELECT COUNT(*) FROM client_cart) AS carts, (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM stock_movements) AS moves',
  );
  return row;
}

