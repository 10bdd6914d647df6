import { AppError, TransientError } from '../../../common/src/errors';
import { createLogger } from '../../../common/src/logger';
import type { ReservationView } from '../../src/domain/reservation';
import { MAX_ORDERS_PER_BATCH_CALL } from '../../src/handlers/batch-reply';
import { commitBatch } from '../../src/handlers/commit-batch';
import { reserveBatch } from '../../src/handlers/reserve-batch';
import { rollbackBatch } from '../../src/handlers/rollback-batch';

const log = createLogger('test', 'silent');
const view = (orderId: string, state: ReservationView['state'] = 'HELD'): ReservationView => ({ orderId, state, releaseReason: '', expiresAtMs: 7, items: [{ productId: 'a', quantity: 1 }] });

describe('the batch RPC handlers', () => {
  test('when a ReserveBatch holds malformed requests, then only those are refused (INVALID_REQUEST), the rest served, one result per request in order', async () => {
    const seen: string[] = [];
    const handler = reserveBatch(
      {
        reserve: async (orderId) => {
          seen.push(orderId);
          if (orderId === 'sold') throw new AppError({ code: 'SOLD_OUT', message: 'product a is sold out' });
          return view(orderId);
        },
      },
      log,
    );
    const reply = await handler({
      requests: [
        { order_id: 'o1', items: [{ product_id: 'a', quantity: 1 }] },
        { order_id: 'o2', items: [{ product_id: 'a', quantity: 0 }] },
        { order_id: '', items: [{ product_id: 'a', quantity: 1 }] },
        { order_id: 'sold', items: [{ product_id: 'a', quantity: 1 }] },
        { order_id: 'o5', items: [] },
        { order_id: 'o6', items: [{ product_id: 'a', quantity: 1 }] },
      ],
    });
    expect(seen).toEqual(['o1', 'sold', 'o6']);
    expect(reply.results!.map((r) => r.reservation?.order_id ?? r.error?.code)).toEqual(['o1', 'INVALID_REQUEST', 'INVALID_REQUEST', 'SOLD_OUT', 'INVALID_REQUEST', 'o6']);
    expect(reply.results![3]!.error).toEqual({ code: 'SOLD_OUT', message: 'product a is sold out' });
    expect(reply.results![0]!.reservation).toEqual({ order_id: 'o1', state: 'HELD', release_reason: '', expires_at_ms: 7, items: [{ product_id: 'a', quantity: 1 }] });
  });

  test('when a batch call comes in, then every order is handed over in the same turn, before any of them is answered (they join one pending batch)', async () => {
    const started: string[] = [];
    const gates: (() => void)[] = [];
    const handler = commitBatch(
      {
        commit: (orderId) => {
          started.push(orderId);
          return new Promise((resolve) => gates.push(() => resolve(view(orderId, 'COMMITTED'))));
        },
      },
      log,
    );
    const reply = handler({ orders: [{ order_id: 'a' }, { order_id: 'b' }, { order_id: 'c' }] });
    expect(started).toEqual(['a', 'b', 'c']);
    for (const open of gates) open();
    expect((await reply).results!.map((r) => r.reservation?.state)).toEqual(['COMMITTED', 'COMMITTED', 'COMMITTED']);
  });

  test('when an order fails for a reason that is not its own (database down, conflicts exhausted), then the whole call fails, to be retried whole', async () => {
    const down = rollbackBatch({ rollback: async (id) => (id === 'x' ? Promise.reject(new TransientError('retries exhausted')) : view(id, 'RELEASED')) }, log);
    await expect(down({ orders: [{ order_id: 'a' }, { order_id: 'x' }] })).rejects.toBeInstanceOf(TransientError);
  });

  test('when an order fails with an unexpected error, then it alone answers INTERNAL', async () => {
    const handler = rollbackBatch({ rollback: async (id) => (id === 'x' ? Promise.reject(new Error('boom')) : view(id, 'RELEASED')) }, log);
    const reply = await handler({ orders: [{ order_id: 'a' }, { order_id: 'x' }] });
    expect(reply.results!.map((r) => r.reservation?.state ?? r.error?.code)).toEqual(['RELEASED', 'INTERNAL']);
  });

  test('when a batch call is empty, then it answers no results; when it is too large, then INVALID_REQUEST for the call', async () => {
    const handler = commitBatch({ commit: async (id) => view(id) }, log);
    expect(await handler({ orders: [] })).toEqual({ results: [] });
    const tooMany = Array.from({ length: MAX_ORDERS_PER_BATCH_CALL + 1 }, (_, i) => ({ order_id: `o${i}` }));
    await expect(handler({ orders: tooMany })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
