import { randomUUID } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from '../../../common/src/db';
import { AppError } from '../../../common/src/errors';
import { type BatchOutcome, createInventoryClient, type InventoryApi } from '../../../common/src/inventory-client';
import { createLogger } from '../../../common/src/logger';
import { type ServiceProcess, TestSystem } from '../../../test/support/system';
import { createReservationService } from '../../src/coalesce/reservation-service';

/**
 * Coalesced Reserve / Commit / Rollback against the real MariaDB, with real
 * inventory manager processes: two of them batching on the same rows never
 * oversell; one bad request does not sink its batch; a replayed batch changes
 * nothing (docs/design.md, "Batching without losing a guarantee").
 */
describe('inventory manager: coalesced batches (real processes, real MariaDB)', () => {
  let system: TestSystem;
  let first: ServiceProcess;
  let second: ServiceProcess;
  let a: InventoryApi;
  let b: InventoryApi;

  beforeAll(async () => {
    system = await TestSystem.start({ inventoryOnly: true, serviceEnv: { 'inventory-manager': { INVENTORY_BATCH_MAX: '100' } } });
    first = system.running('inventory-manager')[0]!;
    second = await system.startService('inventory-manager');
    a = createInventoryClient(`127.0.0.1:${first.port}`, { timeoutMs: 30_000 });
    b = createInventoryClient(`127.0.0.1:${second.port}`, { timeoutMs: 30_000 });
  });

  afterAll(async () => {
    a?.close();
    b?.close();
    await system?.stop();
  });

  type Item = { productId: string; quantity: number };
  type Plain = { code: string; message: string } | { state: string; release_reason: string; expires_at_ms: number; items: unknown[]; order_id: string };
  const plain = (o: BatchOutcome): Plain => (o instanceof AppError ? { code: o.code, message: o.message } : { ...o });
  const stateOrCode = (o: BatchOutcome) => (o instanceof AppError ? o.code : o.state);

  async function level(productId: string) {
    const l = await a.checkQuantity(productId);
    return { available: l.available, reserved: l.reserved, sold: l.sold };
  }

  async function ledger(productIds: string[]): Promise<Record<string, string>> {
    const [rows] = await system.pool.query<RowDataPacket[]>(
      'SELECT kind, COUNT(*) AS n, SUM(quantity) AS q FROM stock_movements WHERE product_id IN (?) GROUP BY kind ORDER BY kind',
      [productIds],
    );
    return Object.fromEntries(rows.map((r) => [r.kind as string, `${Number(r.n)} rows, ${Number(r.q)} units`]));
  }

  async function coalesced(proc: ServiceProcess, op: string): Promise<{ batches: number; calls: number }> {
    const text = await (await fetch(`http://127.0.0.1:${proc.opsPort}/metrics`)).text();
    const read = (name: string) => Number(new RegExp(`^${name}\\{[^}]*op="${op}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { batches: read('inventory_coalesced_batches_total'), calls: read('inventory_coalesced_calls_total') };
  }

  test('when two inventory managers coalesce hundreds of single- and multi-product orders on the same rows, with more demand than stock, then nothing is oversold and every answer is true', async () => {
    const stock: Record<string, number> = { 'hot': 50, 'warm-b': 40, 'warm-c': 30 };
    for (const [productId, units] of Object.entries(stock)) await system.seed({ productId, stock: units });
    const before = { a: await coalesced(first, 'reserve'), b: await coalesced(second, 'reserve') };
    const shapes: Item[][] = [
      [{ productId: 'hot', quantity: 1 }],
      [{ productId: 'hot', quantity: 1 }, { productId: 'warm-b', quantity: 1 }],
      [{ productId: 'warm-c', quantity: 1 }, { productId: 'warm-b', quantity: 2 }],
      [{ productId: 'warm-c', quantity: 1 }, { productId: 'hot', quantity: 2 }],
    ];
    const orders = Array.from({ length: 600 }, (_, i) => ({ id: randomUUID(), items: shapes[i % 4]!, via: i % 2 === 0 ? a : b }));
    // What each order was told last: its reservation state, or its refusal.
    const told = new Map<string, string>();
    // Meanwhile, the counters as anyone can read them, sampled all along: never more held or sold than exists.
    const samples: { productId: string; available: number; reserved: number; sold: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const productId of Object.keys(stock)) samples.push({ productId, ...(await level(productId)) });
      }
    })();

    // Wave 1: every order at once; the first 200 as single calls, the rest in batch calls of 20, on both instances.
    const singles = orders.slice(0, 200).map(async (o) => {
      try {
        told.set(o.id, (await o.via.reserve(o.id, o.items)).state);
      } catch (err) {
        told.set(o.id, err instanceof AppError ? err.code : String(err));
      }
    });
    const batched = Array.from({ length: 20 }, async (_, k) => {
      const chunk = orders.slice(200 + k * 20, 220 + k * 20);
      const outcomes = await (k % 2 === 0 ? a : b).reserveBatch(chunk.map((o) => ({ orderId: o.id, items: o.items })));
      chunk.forEach((o, i) => told.set(o.id, stateOrCode(outcomes[i]!)));
    });
    await Promise.all([...singles, ...batched]);
    const held = orders.filter((o) => told.get(o.id) === 'HELD');
    expect(held.length).toBeGreaterThan(0);
    // 150 single-unit orders alone ask for three times the hot stock: it is all taken, none of it twice.
    expect(await level('hot')).toEqual({ available: 0, reserved: 50, sold: 0 });
    expect([...told.values()].every((s) => ['HELD', 'ALL_RESERVED', 'INSUFFICIENT_STOCK', 'SOLD_OUT'].includes(s))).toBe(true);

    // Wave 2: commit a third of the holds, roll back a third (single and batch calls, both instances),
    // while the refused orders try again: units given back are re-reserved on the same rows at the same time.
    const commits = held.filter((_, i) => i % 3 === 0);
    const rollbacks = held.filter((_, i) => i % 3 === 1);
    const retries = orders.filter((o) => told.get(o.id) !== 'HELD');
    await Promise.all([
      ...commits.map(async (o, i) => told.set(o.id, (await (i % 2 ? a : b).commit(o.id)).state)),
      (async () => {
        const outcomes = await a.rollbackBatch(rollbacks.map((o) => o.id));
        rollbacks.forEach((o, i) => told.set(o.id, stateOrCode(outcomes[i]!)));
      })(),
      ...retries.map(async (o, i) => {
        try {
          told.set(o.id, (await (i % 2 ? b : a).reserve(o.id, o.items)).state);
        } catch (err) {
          told.set(o.id, err instanceof AppError ? err.code : String(err));
        }
      }),
    ]);

    sampling = false;
    await sampler;
    expect(samples.length).toBeGreaterThan(3);
    for (const sample of samples) {
      expect(sample.reserved + sample.sold).toBeLessThanOrEqual(stock[sample.productId]!);
      expect(sample.available + sample.reserved + sample.sold).toBe(stock[sample.productId]);
    }

    const expected: Record<string, { reserved: number; sold: number }> = Object.fromEntries(Object.keys(stock).map((p) => [p, { reserved: 0, sold: 0 }]));
    for (const o of orders) {
      for (const item of o.items) {
        if (told.get(o.id) === 'HELD') expected[item.productId]!.reserved += item.quantity;
        if (told.get(o.id) === 'COMMITTED') expected[item.productId]!.sold += item.quantity;
      }
    }
    for (const [productId, units] of Object.entries(stock)) {
      const l = await level(productId);
      expect({ productId, reserved: l.reserved, sold: l.sold }).toEqual({ productId, ...expected[productId] });
      expect(l.reserved + l.sold).toBeLessThanOrEqual(units);
      expect(l.available + l.reserved + l.sold).toBe(units);
    }
    expect(commits.every((o) => told.get(o.id) === 'COMMITTED')).toBe(true);
    expect(rollbacks.every((o) => told.get(o.id) === 'RELEASED')).toBe(true);
    expect((await system.audit(false)).violations).toEqual([]);

    // Both processes served reserves, and coalesced them: more calls than transactions.
    for (const [proc, was] of [[first, before.a], [second, before.b]] as const) {
      const now = await coalesced(proc, 'reserve');
      const batches = now.batches - was.batches;
      const calls = now.calls - was.calls;
      expect(batches).toBeGreaterThan(0);
      expect(calls).toBeGreaterThan(batches);
    }
  });

  test('when a batch holds bad requests (unknown product, invalid quantity, no items, no order id), then only those fail and their neighbours are served', async () => {
    await system.seed({ productId: 'iso', stock: 10 });
    await system.seed({ productId: 'iso-scarce', stock: 1 });
    const ids = Array.from({ length: 9 }, () => randomUUID());
    const outcomes = await a.reserveBatch([
      { orderId: ids[0]!, items: [{ productId: 'iso', quantity: 1 }] },
      { orderId: ids[1]!, items: [{ productId: 'iso', quantity: 1 }, { productId: 'no-such-product', quantity: 1 }] },
      { orderId: ids[2]!, items: [{ productId: 'iso', quantity: 0 }] },
      { orderId: ids[3]!, items: [{ productId: 'iso', quantity: -2 }] },
      { orderId: ids[4]!, items: [] },
      { orderId: '', items: [{ productId: 'iso', quantity: 1 }] },
      { orderId: ids[6]!, items: [{ productId: 'iso', quantity: 2 }, { productId: 'iso-scarce', quantity: 1 }] },
      { orderId: ids[7]!, items: [{ productId: 'iso-scarce', quantity: 1 }] },
      { orderId: ids[8]!, items: [{ productId: 'iso', quantity: 3 }] },
    ]);
    expect(outcomes.map(stateOrCode)).toEqual(['HELD', 'PRODUCT_NOT_FOUND', 'INVALID_REQUEST', 'INVALID_REQUEST', 'INVALID_REQUEST', 'INVALID_REQUEST', 'HELD', 'ALL_RESERVED', 'HELD']);
    expect(await level('iso')).toEqual({ available: 4, reserved: 6, sold: 0 });
    expect(await level('iso-scarce')).toEqual({ available: 0, reserved: 1, sold: 0 });
    // A refused order wrote nothing, not even a header.
    const [[refused]] = await system.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM reservations WHERE order_id IN (?)', [[ids[1], ids[2], ids[7]]]);
    expect(Number(refused!.n)).toBe(0);
    expect((await system.audit(false)).violations).toEqual([]);
  });

  test('when the database refuses one order’s rows inside a batch transaction, then the batch is split until that order fails alone; the others are held', async () => {
    await system.seed({ productId: 'poison', stock: 20 });
    const poisoned = `poison-${randomUUID().slice(0, 8)}`;
    // A pool whose connections fail the lines insert whenever it carries the
    // poisoned order: as a CHECK constraint would refuse one malformed line.
    const { pool, failures } = poolRefusingLinesOf(system.pool, poisoned);
    const service = createReservationService(pool, createLogger('test', 'silent'), { coalesce: true, maxBatch: 100, reservationTtlMs: 60_000 });
    const ids = Array.from({ length: 10 }, (_, i) => (i === 6 ? poisoned : randomUUID()));
    const results = await Promise.all(
      ids.map((id) =>
        service.reserve(id, [{ productId: 'poison', quantity: 1 }]).then(
          (v) => v.state,
          (err: unknown) => `failed: ${(err as Error).message}`,
        ),
      ),
    );
    expect(results.filter((r) => r === 'HELD')).toHaveLength(9);
    expect(results[6]).toMatch(/failed: .*poisoned line/);
    expect(failures()).toBeGreaterThan(1); // the whole batch first, then the halves that held it
    expect(service.coalesced!.reserve.batches).toBeGreaterThan(2);
    expect(await level('poison')).toEqual({ available: 11, reserved: 9, sold: 0 });
    expect(await ledger(['poison'])).toEqual({ reserve: '9 rows, 9 units', restock: '1 rows, 20 units' });
    expect((await system.audit(false)).violations).toEqual([]);
  });

  test('when a batch is redelivered (to the same or the other instance), then the second time answers the same and changes nothing: counters and ledger as they were', async () => {
    await system.seed({ productId: 'replay', stock: 5 });
    await system.seed({ productId: 'replay-b', stock: 5 });
    const ids = Array.from({ length: 8 }, () => randomUUID());
    const requests = ids.map((orderId, i) => ({ orderId, items: i % 2 ? [{ productId: 'replay', quantity: 1 }] : [{ productId: 'replay', quantity: 1 }, { productId: 'replay-b', quantity: 1 }] }));
    const snapshot = async () => ({ replay: await level('replay'), replayB: await level('replay-b'), ledger: await ledger(['replay', 'replay-b']) });

    const reserved = (await a.reserveBatch(requests)).map(plain);
    expect(reserved.map((r) => ('state' in r ? r.state : r.code))).toEqual(['HELD', 'HELD', 'HELD', 'HELD', 'HELD', 'ALL_RESERVED', 'ALL_RESERVED', 'ALL_RESERVED']);
    const afterReserve = await snapshot();
    expect((await a.reserveBatch(requests)).map(plain)).toEqual(reserved);
    expect((await b.reserveBatch(requests)).map(plain)).toEqual(reserved);
    expect(await snapshot()).toEqual(afterReserve);

    const never = randomUUID();
    const toCommit = [ids[0]!, ids[1]!, ids[2]!, never];
    const committed = (await b.commitBatch(toCommit)).map(plain);
    expect(committed.map((r) => ('state' in r ? r.state : r.code))).toEqual(['COMMITTED', 'COMMITTED', 'COMMITTED', 'ORDER_NOT_FOUND']);
    const afterCommit = await snapshot();
    expect((await a.commitBatch(toCommit)).map(plain)).toEqual(committed);
    expect(await snapshot()).toEqual(afterCommit);

    const toRollBack = [ids[3]!, ids[4]!, ids[0]!, never, ids[5]!];
    const rolledBack = (await a.rollbackBatch(toRollBack)).map(plain);
    expect(rolledBack.map((r) => ('state' in r ? r.state : r.code))).toEqual(['RELEASED', 'RELEASED', 'COMMITTED', 'RELEASED', 'RELEASED']);
    const afterRollback = await snapshot();
    expect((await b.rollbackBatch(toRollBack)).map(plain)).toEqual(rolledBack);
    expect((await a.rollbackBatch(toRollBack)).map(plain)).toEqual(rolledBack);
    expect(await snapshot()).toEqual(afterRollback);
    // The tombstones hold: replaying the reserve batch now takes nothing for the orders given up.
    const late = (await b.reserveBatch(requests)).map(plain);
    expect(late.map((r) => ('state' in r ? r.state : r.code)).slice(0, 6)).toEqual(['COMMITTED', 'COMMITTED', 'COMMITTED', 'RELEASED', 'RELEASED', 'RELEASED']);
    expect(afterRollback.replay).toEqual({ available: 2, reserved: 0, sold: 3 });
    // Orders 6 and 7 were refused, so they had no reservation: now that units are back, they get them.
    expect(late.slice(6).map((r) => ('state' in r ? r.state : r.code))).toEqual(['HELD', 'HELD']);
    expect((await system.audit(false)).violations).toEqual([]);
  });

  test('when an inventory manager is killed while batches are in flight, then each batch happened whole or not at all, and a retry elsewhere finishes the job', async () => {
    await system.seed({ productId: 'kill', stock: 700 });
    const victim = await system.startService('inventory-manager', { INVENTORY_BATCH_MAX: '50' });
    const client = createInventoryClient(`127.0.0.1:${victim.port}`, { timeoutMs: 10_000, attempts: 1 });
    const ids: string[] = Array.from({ length: 1000 }, () => randomUUID());
    const answered = new Map<string, string>();
    const kill: { done: Promise<void> | null } = { done: null };
    try {
      await Promise.all(
        ids.map(async (id) => {
          try {
            answered.set(id, (await client.reserve(id, [{ productId: 'kill', quantity: 1 }])).state);
          } catch {
            // cut off by the kill
          }
          // SIGKILL once a few batches are committed: the next ones are on their way to the database.
          if (answered.size >= 60) kill.done ??= system.kill(victim, 'SIGKILL');
        }),
      );
      await kill.done;
    } finally {
      client.close();
    }
    expect(answered.size).toBeGreaterThanOrEqual(60);
    expect(answered.size).toBeLessThan(ids.length);
    // Whatever the kill interrupted was rolled back whole: the ledger, lines and counters agree.
    expect((await system.audit(false)).violations).toEqual([]);
    const mid = await level('kill');
    expect(mid.reserved).toBeGreaterThanOrEqual(answered.size);

    // Every caller retries on the other instance: the same answer for those answered, a hold for the rest.
    const retried = await b.reserveBatch(ids.slice(0, 500).map((orderId) => ({ orderId, items: [{ productId: 'kill', quantity: 1 }] })));
    const rest = await Promise.all(
      ids.slice(500).map((id) =>
        b.reserve(id, [{ productId: 'kill', quantity: 1 }]).then(
          (r) => r.state,
          (err: unknown) => (err instanceof AppError ? err.code : String(err)),
        ),
      ),
    );
    const states = [...retried.map(stateOrCode), ...rest];
    expect(states.filter((s) => s === 'HELD')).toHaveLength(700);
    expect(states.filter((s) => s === 'ALL_RESERVED')).toHaveLength(300);
    for (const [id, state] of answered) expect(states[ids.indexOf(id)]).toBe(state);
    expect(await level('kill')).toEqual({ available: 0, reserved: 700, sold: 0 });
    expect((await system.audit(false)).violations).toEqual([]);
  });

  test('when coalescing is off (INVENTORY_COALESCE=false), then the batch RPCs answer the same way, one transaction per order, and nothing is counted as coalesced', async () => {
    const perCall = await system.startService('inventory-manager', { INVENTORY_COALESCE: 'false' });
    const client = createInventoryClient(`127.0.0.1:${perCall.port}`, { timeoutMs: 30_000 });
    try {
      await system.seed({ productId: 'per-call', stock: 2 });
      const ids = Array.from({ length: 3 }, () => randomUUID());
      const outcomes = await client.reserveBatch(ids.map((orderId) => ({ orderId, items: [{ productId: 'per-call', quantity: 1 }] })));
      expect(outcomes.map(stateOrCode)).toEqual(['HELD', 'HELD', 'ALL_RESERVED']);
      expect((await client.commitBatch(ids)).map(stateOrCode)).toEqual(['COMMITTED', 'COMMITTED', 'ORDER_NOT_FOUND']);
      expect(await coalesced(perCall, 'reserve')).toEqual({ batches: 0, calls: 0 });
      expect((await system.audit(false)).violations).toEqual([]);
    } finally {
      client.close();
      await system.kill(perCall, 'SIGTERM');
    }
  });
});

/** A pool whose connections reject `INSERT INTO reserve_purchase` when its rows include `orderId`. */
function poolRefusingLinesOf(pool: Pool, orderId: string): { pool: Pool; failures: () => number } {
  let failures = 0;
  const wrap = (conn: PoolConnection): PoolConnection =>
    new Proxy(conn, {
      get(target, prop) {
        if (prop === 'query') {
          return async (sql: unknown, values?: unknown) => {
            if (typeof sql === 'string' && sql.startsWith('INSERT INTO reserve_purchase') && JSON.stringify(values).includes(orderId)) {
              failures++;
              throw Object.assign(new Error(`CONSTRAINT failed: poisoned line of ${orderId}`), { errno: 4025, code: 'ER_CONSTRAINT_FAILED' });
            }
            return (target.query as (sql: unknown, values?: unknown) => Promise<unknown>)(sql, values);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  const proxied = new Proxy(pool, {
    get(target, prop) {
      if (prop === 'getConnection') return async () => wrap(await target.getConnection());
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { pool: proxied, failures: () => failures };
}
