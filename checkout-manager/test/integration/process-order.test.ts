/**
 * The order processor in this process, against the real inventory manager
 * (a process, over gRPC) and the real MariaDB: the interleavings of two
 * workers on one order, and of the reconciler with a worker, that a
 * full-system test cannot time. Each "worker" is an OrderProcessor of its own;
 * gates hold one of them at an exact step while the other runs. `process` is
 * the batch path with one order, so the gates sit on the batch calls
 * (reserveBatch, commitBatch, rollbackBatch). The last tests drive whole
 * batches: every fate in one batch, one call per step, a redelivered batch,
 * one order failing alone, a step failing for the whole batch, and the
 * replies and events of each message. Needs `npm run build` first
 * (migrations and the inventory manager run from dist/).
 */
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import pino from 'pino';
import type { Delivery } from '../../../common/src/amqp/consume';
import type { Pool } from '../../../common/src/db';
import { AppError } from '../../../common/src/errors';
import { type InventoryApi, createInventoryClient } from '../../../common/src/inventory-client';
import type { ProcessOrderJob } from '../../../contracts/messages';
import { TestSystem } from '../../../test/support/system';
import { OrderProcessor, type ProcessorDeps } from '../../src/handlers/process-order';
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

  function worker(overrides: { inventory?: Partial<InventoryApi>; payment?: Partial<PaymentProvider>; broker?: ProcessorDeps['broker'] } = {}): OrderProcessor {
    const payment = new MockPayment(pool, { latencyMs: 0, declineRate: 0, seed: 'process-order-test' });
    return new OrderProcessor({
      pool,
      inventory: { ...inventory, ...overrides.inventory },
      payment: {
        find: (id) => payment.find(id),
        findMany: (ids) => payment.findMany(ids),
        charge: (id, cents) => payment.charge(id, cents),
        refund: (id, reason) => payment.refund(id, reason),
        ...overrides.payment,
      },
      broker: overrides.broker ?? { reply: () => undefined, publish: async () => undefined },
      topology: { eventsExchange: 'unused', deadLetterExchange: 'unused.dlx', processOrder: 'unused.checkout.process' },
      crash: { CRASH_AT: '', CRASH_ONCE_FILE: '' },
      log,
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
    const b = worker({ inventory: { reserveBatch: async (requests) => (await beforeReserve.pass(), inventory.reserveBatch(requests)) } }).process(orderId, log);
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
    const a = worker({ inventory: { rollbackBatch: async (ids) => (await beforeRollback.pass(), inventory.rollbackBatch(ids)) } }).process(orderId, log);
    await stopsAt(beforeRollback, a);
    await worker().reconcile(holder, log);

    // Worker B reserves the unit that came back, charges, and stops before its Commit.
    const beforeCommit = gate();
    const b = worker({ inventory: { commitBatch: async (ids) => (await beforeCommit.pass(), inventory.commitBatch(ids)) } }).process(orderId, log);
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
    const a = worker({ inventory: { rollbackBatch: async (ids) => (await beforeRollback.pass(), inventory.rollbackBatch(ids)) } }).process(orderId, log);
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

  /** The inventory client with every call counted (the single-order calls too: the batch path must not use them). */
  function counted(): { api: Partial<InventoryApi>; calls: Record<string, number>; sizes: Record<string, number[]> } {
    const calls: Record<string, number> = { reserve: 0, commit: 0, rollback: 0, reserveBatch: 0, commitBatch: 0, rollbackBatch: 0 };
    const sizes: Record<string, number[]> = { reserveBatch: [], commitBatch: [], rollbackBatch: [] };
    const api: Partial<InventoryApi> = {
      reserve: (id, items) => (calls.reserve!++, inventory.reserve(id, items)),
      commit: (id) => (calls.commit!++, inventory.commit(id)),
      rollback: (id) => (calls.rollback!++, inventory.rollback(id)),
      reserveBatch: (requests) => (calls.reserveBatch!++, sizes.reserveBatch!.push(requests.length), inventory.reserveBatch(requests)),
      commitBatch: (ids) => (calls.commitBatch!++, sizes.commitBatch!.push(ids.length), inventory.commitBatch(ids)),
      rollbackBatch: (ids) => (calls.rollbackBatch!++, sizes.rollbackBatch!.push(ids.length), inventory.rollbackBatch(ids)),
    };
    return { api, calls, sizes };
  }

  async function orderFacts(orderIds: string[]) {
    const [rows] = await pool.query<any[]>(
      `SELECT o.order_id, o.status, o.code, p.status AS payment, r.status AS reservation,
         (SELECT COUNT(*) FROM stock_movements m WHERE m.order_id = o.order_id AND m.kind = 'reserve') AS reserves,
         (SELECT COUNT(*) FROM stock_movements m WHERE m.order_id = o.order_id AND m.kind = 'commit') AS commits
       FROM orders o LEFT JOIN payments p ON p.order_id = o.order_id LEFT JOIN reservations r ON r.order_id = o.order_id
       WHERE o.order_id IN (?)`,
      [orderIds],
    );
    const byId = new Map(rows.map((r) => [r.order_id as string, r]));
    return orderIds.map((id) => {
      const r = byId.get(id);
      return { status: r.status, code: r.code, payment: r.payment, reservation: r.reservation, reserves: Number(r.reserves), commits: Number(r.commits) };
    });
  }

  async function ledgerSize(): Promise<number> {
    const [[row]] = await pool.query<any[]>('SELECT COUNT(*) AS n FROM stock_movements');
    return Number(row.n);
  }

  describe('in batches', () => {
    test('when one batch holds orders of every fate, then each gets its own outcome, with one call per step and the payments overlapping', async () => {
      await system.seed({ productId: 'batch-mix', stock: 9 });
      const replayed = await pendingOrder('batch-mix');
      expect(await worker().process(replayed, log)).toMatchObject({ status: 'confirmed' });
      const orders = await Promise.all(Array.from({ length: 10 }, () => pendingOrder('batch-mix')));
      const declined = orders[3]!;
      const missing = randomUUID();
      // Each charge takes 300 ms; one order's is declined.
      const payer = new MockPayment(pool, { latencyMs: 300, declineRate: 0, seed: 'process-order-test' });
      const decliner = new MockPayment(pool, { latencyMs: 300, declineRate: 1, seed: 'process-order-test' });
      let charges = 0;
      const { api, calls, sizes } = counted();
      const w = worker({ inventory: api, payment: { charge: (id, cents) => (charges++, (id === declined ? decliner : payer).charge(id, cents)) } });

      const refs = [...orders, orders[0]!, missing, replayed].map((orderId) => ({ orderId, log }));
      const started = Date.now();
      const results = await w.processBatch(refs);
      const elapsed = Date.now() - started;

      // 8 units left: the first 8 orders are held (one declined), the last 2 find them all held.
      const summary = (id: string) => {
        const r = results.get(id)!;
        return r.ok ? { status: r.order.status, code: r.order.code } : { err: (r.err as AppError).code };
      };
      expect(orders.map(summary)).toEqual([
        ...orders.slice(0, 8).map((id) => (id === declined ? { status: 'failed', code: 'PAYMENT_DECLINED' } : { status: 'confirmed', code: '' })),
        { status: 'failed', code: 'ALL_RESERVED' },
        { status: 'failed', code: 'ALL_RESERVED' },
      ]);
      expect(summary(missing)).toEqual({ err: 'ORDER_NOT_FOUND' });
      expect(summary(replayed)).toEqual({ status: 'confirmed', code: '' });
      expect(results.size).toBe(12);

      // One call per step, each for the whole batch; the repeated message drove its order once.
      expect(calls).toEqual({ reserve: 0, commit: 0, rollback: 0, reserveBatch: 1, commitBatch: 1, rollbackBatch: 2 });
      expect(sizes).toEqual({ reserveBatch: [10], commitBatch: [7], rollbackBatch: expect.arrayContaining([2, 1]) });
      expect(charges).toBe(8);
      // Eight charges of 300 ms, side by side: far less than 8 x 300 ms.
      expect(elapsed).toBeLessThan(1_500);

      const confirmed = { status: 'confirmed', code: '', payment: 'charged', reservation: 'committed', reserves: 1, commits: 1 };
      expect(await orderFacts(orders)).toEqual([
        ...orders.slice(0, 8).map((id) =>
          id === declined ? { status: 'failed', code: 'PAYMENT_DECLINED', payment: 'declined', reservation: 'released', reserves: 1, commits: 0 } : confirmed,
        ),
        // Refused, with a tombstone: nothing held, nothing charged.
        ...orders.slice(8).map(() => ({ status: 'failed', code: 'ALL_RESERVED', payment: null, reservation: 'released', reserves: 0, commits: 0 })),
      ]);
      expect(await inventory.checkQuantity('batch-mix')).toMatchObject({ available: 1, reserved: 0, sold: 8 });
      expect((await system.audit(true)).violations).toEqual([]);

      // The same batch again (a redelivery): the same answers, and nothing changes.
      const ledger = await ledgerSize();
      const before = await orderFacts(orders);
      const again = counted();
      const replay = await worker({ inventory: again.api, payment: { charge: async () => Promise.reject(new Error('no charge on a replay')) } }).processBatch(refs);
      expect([...replay.keys()].sort()).toEqual([...results.keys()].sort());
      for (const [id, r] of results) {
        const r2 = replay.get(id)!;
        expect(r2.ok ? r2.order : (r2.err as AppError).code).toEqual(r.ok ? r.order : (r.err as AppError).code);
      }
      expect(again.calls).toEqual({ reserve: 0, commit: 0, rollback: 0, reserveBatch: 0, commitBatch: 0, rollbackBatch: 0 });
      expect(await ledgerSize()).toBe(ledger);
      expect(await orderFacts(orders)).toEqual(before);
      expect((await system.audit(true)).violations).toEqual([]);
    });

    test('when one order of a batch fails on its own (its Commit, its charge), then only that order fails, and its redelivery finishes it once', async () => {
      await system.seed({ productId: 'batch-alone', stock: 5 });
      const [lostCommit, failedCharge, fine] = await Promise.all([pendingOrder('batch-alone'), pendingOrder('batch-alone'), pendingOrder('batch-alone')]);
      const payment = new MockPayment(pool, { latencyMs: 0, declineRate: 0, seed: 'process-order-test' });
      const w = worker({
        inventory: {
          commitBatch: async (ids) => {
            const served = await inventory.commitBatch(ids.filter((id) => id !== lostCommit));
            return ids.map((id) => (id === lostCommit ? new AppError({ code: 'INTERNAL', message: 'this order could not be committed' }) : served.shift()!));
          },
        },
        payment: { charge: (id, cents) => (id === failedCharge ? Promise.reject(new Error('this charge failed')) : payment.charge(id, cents)) },
      });
      const results = await w.processBatch([lostCommit!, failedCharge!, fine!].map((orderId) => ({ orderId, log })));
      expect(results.get(lostCommit!)).toMatchObject({ ok: false, err: { code: 'INTERNAL' } });
      expect(results.get(failedCharge!)).toMatchObject({ ok: false, err: { message: 'this charge failed' } });
      expect(results.get(fine!)).toMatchObject({ ok: true, order: { status: 'confirmed' } });
      expect(await orderFacts([lostCommit!, failedCharge!])).toEqual([
        { status: 'pending', code: '', payment: 'charged', reservation: 'held', reserves: 1, commits: 0 },
        { status: 'pending', code: '', payment: null, reservation: 'held', reserves: 1, commits: 0 },
      ]);

      // Their messages come back: each is finished, reserved, charged and committed once.
      const retried = await worker().processBatch([lostCommit!, failedCharge!].map((orderId) => ({ orderId, log })));
      expect([...retried.values()].map((r) => r.ok && r.order.status)).toEqual(['confirmed', 'confirmed']);
      const confirmed = { status: 'confirmed', code: '', payment: 'charged', reservation: 'committed', reserves: 1, commits: 1 };
      expect(await orderFacts([lostCommit!, failedCharge!, fine!])).toEqual([confirmed, confirmed, confirmed]);
      expect((await system.audit(true)).violations).toEqual([]);
    });

    test('when a step fails for the whole batch (the inventory manager unreachable), then the batch rejects, and the one-by-one retry finishes each order once', async () => {
      await system.seed({ productId: 'batch-down', stock: 5 });
      const orders = await Promise.all([pendingOrder('batch-down'), pendingOrder('batch-down')]);
      const refs = orders.map((orderId) => ({ orderId, log }));
      const unreachable = async (): Promise<never> => {
        throw new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'inventory manager unreachable', retryable: true });
      };
      await expect(worker({ inventory: { reserveBatch: unreachable } }).processBatch(refs)).rejects.toThrow('inventory manager unreachable');
      expect(await orderFacts(orders)).toEqual(orders.map(() => ({ status: 'pending', code: '', payment: null, reservation: null, reserves: 0, commits: 0 })));
      // Now it goes down after the charges: held and charged, not committed.
      await expect(worker({ inventory: { commitBatch: unreachable } }).processBatch(refs)).rejects.toThrow('inventory manager unreachable');
      expect(await orderFacts(orders)).toEqual(orders.map(() => ({ status: 'pending', code: '', payment: 'charged', reservation: 'held', reserves: 1, commits: 0 })));

      // The consumer hands the messages over one at a time.
      for (const id of orders) expect(await worker().process(id, log)).toMatchObject({ status: 'confirmed' });
      const confirmed = { status: 'confirmed', code: '', payment: 'charged', reservation: 'committed', reserves: 1, commits: 1 };
      expect(await orderFacts(orders)).toEqual([confirmed, confirmed]);
      expect((await system.audit(true)).violations).toEqual([]);
    });

    test('when a batch is handled, then every message is answered on its own reply address, the confirmed orders announced once in one event, and a failed announcement fails the messages of confirmed orders only', async () => {
      await system.seed({ productId: 'batch-announce', stock: 5 });
      const [a, b] = await Promise.all([pendingOrder('batch-announce', 2), pendingOrder('batch-announce')]);
      const missing = randomUUID();
      const replies: { correlationId?: string; body: any }[] = [];
      const events: { body: any; messageId?: string }[] = [];
      let failPublish = false;
      const broker: ProcessorDeps['broker'] = {
        reply: (ctx, body) => void replies.push({ correlationId: ctx.correlationId, body }),
        publish: async (_exchange, _key, body: any, options) => {
          if (failPublish) throw new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'publish not confirmed', retryable: true });
          events.push({ body, messageId: options?.messageId });
        },
      };
      const delivery = (orderID: string, correlationId: string): Delivery<ProcessOrderJob> => ({
        message: { orders: [{ orderID }] },
        ctx: { log, messageId: correlationId, replyTo: 'amq.rabbitmq.reply-to.test', correlationId, redelivered: false, deliveryCount: 0 },
        raw: {} as ConsumeMessage,
      });
      const batch = [delivery(a!, 'c1'), delivery(b!, 'c2'), delivery(a!, 'c3'), delivery(missing, 'c4')];

      const outcomes = await worker({ broker }).handleBatch(batch);
      expect(outcomes.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect(outcomes[3]).toMatchObject({ ok: false, err: { code: 'ORDER_NOT_FOUND' } });
      expect(replies).toEqual([
        { correlationId: 'c1', body: { orderID: a, status: 'confirmed', code: '', error: '', totalCents: 2000 } },
        { correlationId: 'c2', body: { orderID: b, status: 'confirmed', code: '', error: '', totalCents: 1000 } },
        { correlationId: 'c3', body: { orderID: a, status: 'confirmed', code: '', error: '', totalCents: 2000 } },
      ]);
      const clientOf = (id: string) => `client-${id.slice(0, 8)}`;
      expect(events).toHaveLength(1);
      expect(events[0]!.messageId).toMatch(/^finalized:[0-9a-f-]{36}:2$/);
      expect([...events[0]!.body.orders].sort((x: any, y: any) => x.orderID.localeCompare(y.orderID))).toEqual(
        [a!, b!].sort().map((id) => ({ orderID: id, clientID: clientOf(id), status: 'confirmed', items: [{ productID: 'batch-announce', quantity: id === a ? 2 : 1 }] })),
      );

      // Replayed, with the event not confirmed by the broker: the messages of confirmed orders fail (and are
      // retried, announcing again), the missing order keeps its own final error, and every reply still goes out.
      failPublish = true;
      replies.length = 0;
      const again = await worker({ broker }).handleBatch([batch[0]!, batch[1]!, batch[3]!]);
      const unconfirmed = { ok: false, err: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) };
      expect(again).toEqual([unconfirmed, unconfirmed, { ok: false, err: expect.objectContaining({ code: 'ORDER_NOT_FOUND' }) }]);
      expect(replies.map((r) => r.correlationId)).toEqual(['c1', 'c2']);
    });

    test('when one message carries a checkout batch, then each order is answered at its own reply address, and an order that does not exist is parked alone while the message is done', async () => {
      await system.seed({ productId: 'batch-message', stock: 5 });
      const [a, b] = await Promise.all([pendingOrder('batch-message'), pendingOrder('batch-message')]);
      const missing = randomUUID();
      const replies: { replyTo?: string; correlationId?: string; bundled?: boolean; body: any }[] = [];
      const published: { exchange: string; key: string; body: any; headers?: Record<string, unknown> }[] = [];
      const broker: ProcessorDeps['broker'] = {
        reply: (ctx, body) => void replies.push({ replyTo: ctx.replyTo, correlationId: ctx.correlationId, bundled: (ctx as { bundled?: boolean }).bundled, body }),
        publish: async (exchange, key, body: any, options) => void published.push({ exchange, key, body, headers: options?.headers }),
      };
      const message: ProcessOrderJob = {
        orders: [
          { orderID: a!, replyTo: 'gw-1', correlationId: 'ca' },
          { orderID: missing, replyTo: 'gw-2', correlationId: 'cm' },
          // Its checkout came to the cart manager in a bundle: its answer may go back in one (Publisher.reply).
          { orderID: b!, replyTo: 'gw-2', correlationId: 'cb', bundled: true },
        ],
      };
      const ctx = { log, messageId: 'process:batch', redelivered: false, deliveryCount: 0 };
      const outcomes = await worker({ broker }).handleBatch([{ message, ctx, raw: {} as ConsumeMessage }]);

      expect(outcomes).toEqual([{ ok: true }]);
      expect(replies.map((r) => [r.replyTo, r.correlationId, r.bundled, r.body.status])).toEqual([
        ['gw-1', 'ca', undefined, 'confirmed'],
        ['gw-2', 'cb', true, 'confirmed'],
      ]);
      const parked = published.filter((p) => p.exchange === 'unused.dlx');
      expect(parked).toEqual([
        {
          exchange: 'unused.dlx',
          key: 'unused.checkout.process',
          body: { orderID: missing },
          headers: { 'x-rejection-reason': expect.stringContaining('ORDER_NOT_FOUND'), 'x-original-queue': 'unused.checkout.process' },
        },
      ]);

      // The same message once more, with one order failing for a reason that can pass: the whole message is retried
      // (its other orders are replays then), and the missing one is parked again, alone.
      const failedOrder = await pendingOrder('batch-message');
      const flaky = worker({
        broker,
        inventory: {
          reserveBatch: async (requests) => {
            const others = await inventory.reserveBatch(requests.filter((r) => r.orderId !== failedOrder));
            let at = 0;
            return requests.map((r) => (r.orderId === failedOrder ? new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'inventory busy', retryable: true }) : others[at++]!));
          },
        },
      });
      replies.length = 0;
      published.length = 0;
      const again = await flaky.handleBatch([{ message: { orders: [...message.orders, { orderID: failedOrder!, replyTo: 'gw-3', correlationId: 'cf' }] }, ctx, raw: {} as ConsumeMessage }]);
      expect(again).toEqual([{ ok: false, err: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) }]);
      expect(replies.map((r) => r.correlationId)).toEqual(['ca', 'cb']);
      expect(published.filter((p) => p.exchange === 'unused.dlx').map((p) => p.body)).toEqual([{ orderID: missing }]);
    });
  });
});
