import { TestSystem } from '../support/system';

/**
 * The promise, at CI size: 500 buyers race for 10 units at once through the
 * real gateway, RabbitMQ, both workers and the inventory manager.
 */
describe('flash sale, end to end', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ cartWorkers: 2, checkoutWorkers: 2, env: { PAYMENT_LATENCY_MS: '30' } });
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** A buyer as a client would be: add, check out, poll if pending. Returns the final HTTP status and code. */
  async function buy(clientID: string, productID: string): Promise<{ stage: string; status: number; code?: string }> {
    const add = await system.post('/addToCart', { clientID, productID, quantity: 1 });
    if (add.status !== 200) return { stage: 'add', status: add.status, code: add.body.code };
    const checkout = await system.post('/checkOutCart', { clientID });
    if (checkout.status !== 202) return { stage: 'checkout', status: checkout.status, code: checkout.body.code };
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const order = await system.get(`/orders/${checkout.body.orderID}`);
      if (order.body.status === 'confirmed') return { stage: 'poll', status: 200 };
      if (order.body.status === 'failed') return { stage: 'poll', status: 409, code: order.body.code };
    }
    return { stage: 'poll', status: 202 };
  }

  test('when 500 buyers race for 10 units, then exactly 10 are sold, all 500 get an answer, the rest get 409, and the books balance', async () => {
    await system.seed({ productId: 'X', name: 'Lightning deal X', stock: 10, priceCents: 1999 });
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => buy(`buyer-${i}`, 'X')));

    const confirmed = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 409);
    expect(confirmed).toHaveLength(10);
    expect(refused).toHaveLength(490);
    for (const r of refused) expect(['SOLD_OUT', 'ALL_RESERVED', 'INSUFFICIENT_STOCK']).toContain(r.code);

    await system.settle();
    const audit = await system.audit(true);
    expect(audit.violations).toEqual([]);
    expect(audit.products.find((p) => p.productId === 'X')).toMatchObject({ available: 0, reserved: 0, sold: 10, restocked: 10 });
    expect(audit.orders.confirmed).toBe(10);

    const product = await system.get('/products/X');
    expect(product.body).toMatchObject({ productID: 'X', available: 0, reserved: 0, sold: 10 });
  });
});
