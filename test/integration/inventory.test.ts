import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/src/errors';
import { createInventoryClient, type InventoryApi } from '../../common/src/inventory-client';
import { TestSystem } from '../support/system';

/**
 * The inventory manager as a real process over gRPC, against the real MariaDB:
 * the lock order, all-or-nothing, idempotency, expiry and the sweeper race.
 */
describe('inventory manager (gRPC, real MariaDB)', () => {
  let system: TestSystem;
  let inventory: InventoryApi;

  beforeAll(async () => {
    system = await TestSystem.start({
      inventoryOnly: true,
      serviceEnv: { 'inventory-manager': { RESERVATION_TTL_MS: '30000', SWEEP_INTERVAL_MS: '100' } },
    });
    inventory = createInventoryClient(`127.0.0.1:${system.inventoryPort}`, { timeoutMs: 10_000 });
  });

  afterAll(async () => {
    inventory?.close();
    await system?.stop();
  });

  async function refusal(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'none';
    } catch (err) {
      return err instanceof AppError ? err.code : String(err);
    }
  }

  test('when the inventory manager has a shared secret, then a call without it or with another is refused UNAUTHENTICATED and changes nothing', async () => {
    const secret = 'a-shared-secret-of-32-characters';
    const guarded = await system.startService('inventory-manager', { INVENTORY_SECRET: secret });
    const address = `127.0.0.1:${guarded.port}`;
    const anonymous = createInventoryClient(address, { timeoutMs: 10_000, attempts: 1 });
    const impostor = createInventoryClient(address, { timeoutMs: 10_000, attempts: 1, secret: 'another-secret-of-32-characters!' });
    const trusted = createInventoryClient(address, { timeoutMs: 10_000, secret });
    try {
      await system.seed({ productId: 'guarded', stock: 2 });
      const order = randomUUID();
      for (const client of [anonymous, impostor]) {
        expect(await refusal(client.reserve(order, [{ productId: 'guarded', quantity: 1 }]))).toBe('UNAUTHENTICATED');
        expect(await refusal(client.checkQuantity('guarded'))).toBe('UNAUTHENTICATED');
        expect(await refusal(client.commitBatch([order]))).toBe('UNAUTHENTICATED');
      }
      expect(await trusted.checkQuantity('guarded')).toMatchObject({ available: 2, reserved: 0 });
      expect((await trusted.reserve(order, [{ productId: 'guarded', quantity: 1 }])).state).toBe('HELD');
      expect((await trusted.rollback(order)).state).toBe('RELEASED');
      expect(await trusted.checkQuantity('guarded')).toMatchObject({ available: 2, reserved: 0, sold: 0 });
    } finally {
      for (const client of [anonymous, impostor, trusted]) client.close();
      await system.kill(guarded, 'SIGTERM');
    }
  });

  test('when ids differ only by trailing spaces, then the gRPC entry refuses the spaced one and the columns keep them apart (NO PAD)', async () => {
    await system.seed({ productId: 'exact', stock: 5 });
    expect(await refusal(inventory.reserve(randomUUID(), [{ productId: 'exact  ', quantity: 1 }]))).toBe('INVALID_REQUEST');
    expect(await refusal(inventory.checkQuantity('exact\u0000'))).toBe('INVALID_REQUEST');
    // Under utf8mb4_bin (PAD SPACE) 'exact  ' found 'exact', and the second cart line was a duplicate key.
    const [found] = await system.pool.query<any[]>("SELECT product_id FROM product_details WHERE product_id = 'exact  '");
    expect(found).toEqual([]);
    await system.pool.query("INSERT INTO client_cart (client_id, product_id, quantity) VALUES ('pad', 'exact', 1), ('pad', 'exact  ', 1)");
    const [lines] = await system.pool.query<any[]>("SELECT product_id FROM client_cart WHERE client_id = 'pad' ORDER BY product_id");
    expect(lines.map((l) => l.product_id)).toEqual(['exact', 'exact  ']);
    await system.pool.query("DELETE FROM client_cart WHERE client_id = 'pad'");
    expect(await inventory.checkQuantity('exact')).toMatchObject({ available: 5, reserved: 0 });
  });

  test('when 200 orders race for 10 units, then exactly 10 are held and the rest are told ALL_RESERVED', async () => {
    await system.seed({ productId: 'race', stock: 10 });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => refusal(inventory.reserve(randomUUID(), [{ productId: 'race', quantity: 1 }]))),
    );
    expect(results.filter((r) => r === 'none')).toHaveLength(10);
    expect(results.filter((r) => r === 'ALL_RESERVED')).toHaveLength(190);
    expect(await inventory.checkQuantity('race')).toMatchObject({ available: 0, reserved: 10, sold: 0 });
    const audit = await system.audit(false);
    expect(audit.violations).toEqual([]);
  });

  test('when multi-item orders cross over the same products in opposite orders, then none deadlocks and nothing is oversold', async () => {
    await system.seed({ productId: 'cross-a', stock: 30 });
    await system.seed({ productId: 'cross-b', stock: 30 });
    await system.seed({ productId: 'cross-c', stock: 30 });
    const orders = Array.from({ length: 120 }, (_, i) => ({
      id: randomUUID(),
      items:
        i % 2 === 0
          ? [{ productId: 'cross-a', quantity: 1 }, { productId: 'cross-b', quantity: 1 }, { productId: 'cross-c', quantity: 1 }]
          : [{ productId: 'cross-c', quantity: 1 }, { productId: 'cross-b', quantity: 1 }, { productId: 'cross-a', quantity: 1 }],
    }));
    const results = await Promise.all(
      orders.map(async (o) => {
        const r = await refusal(inventory.reserve(o.id, o.items));
        if (r === 'none') {
          // Half commit, half roll back, concurrently with the other reserves.
          if (orders.indexOf(o) % 4 < 2) await inventory.commit(o.id);
          else await inventory.rollback(o.id);
        }
        return r;
      }),
    );
    expect(results.every((r) => r === 'none' || r === 'ALL_RESERVED' || r === 'SOLD_OUT')).toBe(true);
    for (const id of ['cross-a', 'cross-b', 'cross-c']) {
      const level = await inventory.checkQuantity(id);
      expect(level.available + level.reserved + level.sold).toBe(30);
      expect(level.sold).toBeLessThanOrEqual(30);
    }
    // All three products move together: the same counters on each.
    const levels = await Promise.all(['cross-a', 'cross-b', 'cross-c'].map((id) => inventory.checkQuantity(id)));
    expect(new Set(levels.map((l) => `${l.available}/${l.reserved}/${l.sold}`)).size).toBe(1);
    expect((await system.audit(false)).violations).toEqual([]);
  });

  test('when a multi-item order cannot get one line, then nothing is held for any line', async () => {
    await system.seed({ productId: 'aon-a', stock: 5 });
    await system.seed({ productId: 'aon-b', stock: 1 });
    const code = await refusal(inventory.reserve(randomUUID(), [{ productId: 'aon-a', quantity: 2 }, { productId: 'aon-b', quantity: 2 }]));
    expect(code).toBe('INSUFFICIENT_STOCK');
    expect(await inventory.checkQuantity('aon-a')).toMatchObject({ available: 5, reserved: 0 });
    expect(await refusal(inventory.reserve(randomUUID(), [{ productId: 'no-such-product', quantity: 1 }]))).toBe('PRODUCT_NOT_FOUND');
    expect(await refusal(inventory.reserve(randomUUID(), []))).toBe('INVALID_REQUEST');
  });

  test('when the same order is reserved, committed and rolled back twice (even at once), then each happens once', async () => {
    await system.seed({ productId: 'idem', stock: 5 });
    const id = randomUUID();
    const reserves = await Promise.all(Array.from({ length: 8 }, () => inventory.reserve(id, [{ productId: 'idem', quantity: 2 }])));
    expect(reserves.every((r) => r.state === 'HELD')).toBe(true);
    expect(await inventory.checkQuantity('idem')).toMatchObject({ available: 3, reserved: 2 });
    const commits = await Promise.all(Array.from({ length: 8 }, () => inventory.commit(id)));
    expect(commits.every((c) => c.state === 'COMMITTED')).toBe(true);
    expect((await inventory.rollback(id)).state).toBe('COMMITTED');
    expect(await inventory.checkQuantity('idem')).toMatchObject({ available: 3, reserved: 0, sold: 2 });

    const other = randomUUID();
    await inventory.reserve(other, [{ productId: 'idem', quantity: 1 }]);
    const rollbacks = await Promise.all(Array.from({ length: 8 }, () => inventory.rollback(other)));
    expect(rollbacks.every((r) => r.state === 'RELEASED')).toBe(true);
    expect(await inventory.checkQuantity('idem')).toMatchObject({ available: 3, reserved: 0, sold: 2 });
    const [[moves]] = await system.pool.query<any[]>("SELECT COUNT(*) AS n FROM stock_movements WHERE order_id = ? AND kind = 'release'", [other]);
    expect(Number(moves.n)).toBe(1);
  });

  test('when an order is rolled back before it was ever reserved, then a late Reserve cannot take stock', async () => {
    await system.seed({ productId: 'tomb', stock: 3 });
    const id = randomUUID();
    expect((await inventory.rollback(id)).state).toBe('RELEASED');
    const late = await inventory.reserve(id, [{ productId: 'tomb', quantity: 1 }]);
    expect(late.state).toBe('RELEASED');
    expect(await inventory.checkQuantity('tomb')).toMatchObject({ available: 3, reserved: 0 });
  });

  let shortTtl: InventoryApi;

  test('when a hold expires, then the sweepers return it once, and a commit after expiry is refused', async () => {
    await system.seed({ productId: 'ttl', stock: 4 });
    // A second inventory manager with a short TTL; both sweep, so two sweepers
    // race over the same holds.
    const second = await system.startService('inventory-manager', { RESERVATION_TTL_MS: '800', SWEEP_INTERVAL_MS: '50' });
    shortTtl = createInventoryClient(`127.0.0.1:${second.port}`, { timeoutMs: 10_000 });
    const inventory = shortTtl;
    const ids = Array.from({ length: 4 }, () => randomUUID());
    for (const id of ids) await inventory.reserve(id, [{ productId: 'ttl', quantity: 1 }]);
    expect(await inventory.checkQuantity('ttl')).toMatchObject({ available: 0, reserved: 4 });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await inventory.checkQuantity('ttl')).toMatchObject({ available: 4, reserved: 0, sold: 0 });
    const [[expired]] = await system.pool.query<any[]>("SELECT COUNT(*) AS n FROM stock_movements WHERE product_id = 'ttl' AND kind = 'expire'");
    expect(Number(expired.n)).toBe(4);
    const late = await inventory.commit(ids[0]!);
    expect(late).toMatchObject({ state: 'RELEASED', release_reason: 'expired' });
    expect(await inventory.checkQuantity('ttl')).toMatchObject({ available: 4, sold: 0 });
    expect((await system.audit(false)).violations).toEqual([]);
  });

  test('when a commit races the sweeper for the same expiring hold, then the unit is either sold or returned, never both', async () => {
    await system.seed({ productId: 'edge', stock: 40 });
    const inventory = shortTtl;
    const ids = Array.from({ length: 40 }, () => randomUUID());
    for (const id of ids) await inventory.reserve(id, [{ productId: 'edge', quantity: 1 }]);
    // Commit each near its expiry, while the sweepers run every 50-100 ms.
    await new Promise((r) => setTimeout(r, 700));
    const states = await Promise.all(ids.map(async (id, i) => {
      await new Promise((r) => setTimeout(r, i * 5));
      return (await inventory.commit(id)).state;
    }));
    await new Promise((r) => setTimeout(r, 1_000));
    const level = await inventory.checkQuantity('edge');
    expect(level.sold).toBe(states.filter((s) => s === 'COMMITTED').length);
    expect(level.available + level.sold).toBe(40);
    expect(level.reserved).toBe(0);
    expect((await system.audit(false)).violations).toEqual([]);
    shortTtl.close();
  });
});
