/**
 * The order processor in this process, against the real inventory manager
 * (a process, over gRPC) and the real MariaDB: the interleavings of two
 * workers on one order, and of the reconciler with a worker, that a
 * full-system test cannot time. Each "worker" is an OrderProcessor of its own;
 * gates hold one of them at an exact step while the other runs. Needs
 * `npm run build` first (migrations and the inventory manager run from dist/).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Pool } from '../../../common/src/db';
import { type InventoryApi, createInventoryClient } from '../../../common/src/inventory-client';
import { TestSystem } from '../../../test/support/system';
import { OrderProcessor } from '../../src/handlers/process-order';
import { MockPayment } from '../../src/payment/mock-payment';
import type { PaymentProvider } from '../../src/payment/provider';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A point a worker stops at until the test opens it; `reached` resolves when it got there. */
function gate() {
  let arrive!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => (arrive = r));
  const opened = new Promise<void>((r) => (open = r));
  return { reached, open, pass: async () => (arrive(), opened) };
}

/** Wait until `work` stops at `at`; fail (rather than hang) if it finishes without getting there. */
async function stopsAt(at: { reached: Promise<void> }, work: Promise<unknown>): Promise<void> {
  const first = await Promise.race([at.reached.then(() => 'gate'), work.then(() => 'finished', () => 'finished')]);
  if (first !== 'gate') throw new Error('the worker finished without reaching the gate');
}

describe('process-order: a refusal, a reconciler and a charge racing over one order', () => {
  let system: TestSystem;
  let inventory: InventoryApi;
  let pool: Pool;

  beforeAll(async () => {
    system = await TestSystem.start({ inventoryOnly: true, serviceEnv: { 'inventory-manager': { RESERVATION_TTL_MS: '60000' } } });
    inventory = createInventoryClient(`127.0.0.1:${system.inventoryPort}`, { timeoutMs: 10_000 });
    pool = system.pool;
  });

  afterAll(async () => {
    inventory?.close();
    await system?.stop();
  });

  function worker(overrides: { inventory?: Partial<InventoryApi>; payment?: Partial<PaymentProvider> } = {}): OrderProcessor {
    const payment = new MockPayment(pool, { latencyMs: 0, declineRate: 0, seed: 'process-order-test' });
    return new OrderProcessor({
      pool,
      inventory: { ...inventory, ...overrides.inventory },
      payment: {
        find: (id) => payment.find(id),
        charge: (id, cents) => payment.charge(id, cents),
        refund: (id, reason) => payment.refund(id, reason),
        ...overrides.payment,
      },
      broker: { reply: () => undefined, publish: async () => undefined },
      topology: { eventsExchange: 'unused' },
      crash: { CRASH_AT: '', CRASH_ONCE_FILE: '' },
    });
  }

  /** A pending order as the cart manager writes it: one line of `quantity` units at 1000 cents. */
  async function pendingOrder(productId: string, quantity = 1): Promise<string> {
    const orderId = randomUUID();
    const client = `client-${orderId.slice(0, 8)}`;
    await pool.query("INSERT INTO orders (order_id, client_id, status, total_cents, pending_client_id) VALUES (?, ?, 'pending', ?, ?)", [
      orderId,
      client,
      quantity * 1000,
      client,
    ]);
    await pool.query('INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (?, ?, ?, 1000)', [orderId, productId, quantity]);
    return orderId;
  }

  /** Every unit of `productId` held by a pending order of someone else, as a worker mid-payment would. */
  async function holdAll(productId: string, quantity: number): Promise<string> {
    const holder = await pendingOrder(productId, quantity);
    await inventory.reserve(holder, [{ productId, quantity }]);
    return holder;
  }

  async function facts(orderId: string, productId: string) {
    const [[order]] = await pool.query<any[]>('SELECT status, code FROM orders WHERE order_id = ?', [orderId]);
    const [payments] = await pool.query<any[]>('SELECT status FROM payments WHERE order_id = ?', [orderId]);
    const [[moves]] = await pool.query<any[]>("SELECT COALESCE(SUM(kind = 'reserve'), 0) AS reserves, COALESCE(SUM(kind = 'commit'), 0) AS commits FROM stock_movements WHERE order_id = ?", [orderId]);
    const level = await inventory.checkQuantity(productId);
    return {
      order: { status: order.status as string, code: order.code as string },
      payment: payments.map((p) => p.status as string),
      reserves: Number(moves.reserves),
      commits: Number(moves.commits),
      stock: { available: level.available, reserved: level.reserved, sold: level.sold },
    };
  }

  test('when Reserve refuses an order and a hold comes back before a second worker of the same order reserves, then that worker cannot reserve: failed, nothing sold or charged', async () => {
    await system.seed({ productId: 'refused', stock: 1 });
    const holder = await holdAll('refused', 1);
    const orderId = await pendingOrder('refused');

    // Worker B has read the order (pending) and is about to call Reserve.
    const beforeReserve = gate();
    const b = worker({ inventory: { reserve: async (id, items) => (await beforeReserve.pass(), inventory.reserve(id, items)) } }).process(orderId, log);
    await stopsAt(beforeReserve, b);

    // Worker A gets ALL_RESERVED: the order fails.
    expect(await worker().process(orderId, log)).toMatchObject({ status: 'failed', code: 'ALL_RESERVED' });
    // The hold comes back (its order is given up), so a unit is available again.
    expect(await worker().reconcile(holder, log)).toMatchObject({ status: 'failed', code: 'RESERVATION_EXPIRED' });
    expect(await inventory.checkQuantity('refused')).toMatchObject({ available: 1, reserved: 0 });

    // Now B's Reserve runs: it must not take the unit for an order already failed.
    beforeReserve.open();
    expect(await b).toMatchObject({ status: 'failed', code: 'ALL_RESERVED' });
    // And a later replay of the same order changes nothing either.
    expect(await worker().process(orderId, log)).toMatchObject({ status: 'failed', code: 'ALL_RESERVED' });

    expect(await facts(orderId, 'refused')).toEqual({
      order: { status: 'failed', code: 'ALL_RESERVED' },
      payment: [],
      reserves: 0,
      commits: 0,
      stock: { available: 1, reserved: 0, sold: 0 },
    });
    const [[tombstone]] = await pool.query<any[]>('SELECT status, release_reason FROM reservations WHERE order_id = ?', [orderId]);
    expect(tombstone).toEqual({ status: 'released', release_reason: 'rollback' });
    expect((await system.audit(true)).violations).toEqual([]);
  });

  test('when the second worker reserves and charges between the refusal and its Rollback, then its hold is given back and the charge refunded', async () => {
    await system.seed({ productId: 'between', stock: 1 });
    const holder = await holdAll('between', 1);
    const orderId = await pendingOrder('between');

    // Worker A is refused and stops before its Rollback.
    const beforeRollback = gate();
    const a = worker({ inventory: { rollback: async (id) => (await beforeRollback.pass(), inventory.rollback(id)) } }).process(orderId, log);
    await stopsAt(beforeRollback, a);
    await worker().reconcile(holder, log);

    // Worker B reserves the unit that came back, charges, and stops before its Commit.
    const beforeCommit = gate();
    const b = worker({ inventory: { commit: async (id) => (await beforeCommit.pass(), inventory.commit(id)) } }).process(orderId, log);
    await stopsAt(beforeCommit, b);

    beforeRollback.open();
    expect(await a).toMatchObject({ status: 'failed', code: 'ALL_RESERVED' });
    beforeCommit.open();
    expect(await b).toMatchObject({ status: 'failed', code: 'ALL_RESERVED' });

    expect(await facts(orderId, 'between')).toEqual({
      order: { status: 'failed', code: 'ALL_RESERVED' },
      payment: ['refunded'],
      reserves: 1,
      commits: 0,
      stock: { available: 1, reserved: 0, sold: 0 },
    });
    expect((await system.audit(true)).violations).toEqual([]);
  });

  test('when the second worker has committed before the refused worker rolls back, then the sale stands: the order is confirmed', async () => {
    await system.seed({ productId: 'sold-meanwhile', stock: 1 });
    const holder = await holdAll('sold-meanwhile', 1);
    const orderId = await pendingOrder('sold-meanwhile');

    const beforeRollback = gate();
    const a = worker({ inventory: { rollback: async (id) => (await beforeRollback.pass(), inventory.rollback(id)) } }).process(orderId, log);
    await stopsAt(beforeRollback, a);
    await worker().reconcile(holder, log);
    expect(await worker().process(orderId, log)).toMatchObject({ status: 'confirmed' });

    beforeRollback.open();
    expect(await a).toMatchObject({ status: 'confirmed' });
    expect(await facts(orderId, 'sold-meanwhile')).toEqual({
      order: { status: 'confirmed', code: '' },
      payment: ['charged'],
      reserves: 1,
      commits: 1,
      stock: { available: 0, reserved: 0, sold: 1 },
    });
    expect((await system.audit(true)).violations).toEqual([]);
  });

  test('when the reconciler fails an order while a worker is charging and that worker dies before refunding, then the redelivery refunds the charge', async () => {
    await system.seed({ productId: 'late-charge', stock: 5 });
    const orderId = await pendingOrder('late-charge');

    // The worker has reserved and is inside charge; it records the charge and dies.
    const insideCharge = gate();
    const payment = new MockPayment(pool, { latencyMs: 0, declineRate: 0, seed: 'process-order-test' });
    const dying = worker({
      payment: {
        charge: async (id, cents) => {
          await insideCharge.pass();
          await payment.charge(id, cents);
          throw new Error('worker died after the charge');
        },
      },
    }).process(orderId, log);
    await stopsAt(insideCharge, dying);

    // Meanwhile the reconciler finishes the order: hold given back, nothing charged yet.
    expect(await worker().reconcile(orderId, log)).toMatchObject({ status: 'failed', code: 'RESERVATION_EXPIRED' });
    insideCharge.open();
    await expect(dying).rejects.toThrow('worker died after the charge');
    // The state the redelivery finds: a failed order with a charge on it.
    expect((await facts(orderId, 'late-charge')).payment).toEqual(['charged']);
    expect((await system.audit(true)).violations.join('\n')).toContain('charged payment whose order is not confirmed');

    // The redelivered message finds the order final, refunds, and answers with it.
    expect(await worker().process(orderId, log)).toMatchObject({ status: 'failed', code: 'RESERVATION_EXPIRED' });
    expect(await worker().process(orderId, log)).toMatchObject({ status: 'failed', code: 'RESERVATION_EXPIRED' });
    const [[refund]] = await pool.query<any[]>('SELECT status, amount_cents FROM payments WHERE order_id = ?', [orderId]);
    expect(refund).toEqual({ status: 'refunded', amount_cents: 1000 });
    expect(await facts(orderId, 'late-charge')).toMatchObject({ reserves: 1, commits: 0, stock: { available: 5, reserved: 0, sold: 0 } });
    expect((await system.audit(true)).violations).toEqual([]);
  });

  test('when there is nothing to reconcile (no such order, or one already final), then reconcile says so with null', async () => {
    expect(await worker().reconcile(randomUUID(), log)).toBeNull();
    const [[final]] = await pool.query<any[]>("SELECT order_id FROM orders WHERE status <> 'pending' LIMIT 1");
    expect(await worker().reconcile(final.order_id as string, log)).toBeNull();
  });
});
