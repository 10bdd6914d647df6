import { AppError, TransientError } from '../../../common/src/errors';
import { createLogger } from '../../../common/src/logger';
import type { ReservationView } from '../../src/domain/reservation';
import { MAX_ORDERS_PER_BATCH_CALL } from '../../src/handlers/batch-reply';
import { commitBatch } from '../../src/handlers/commit-batch';
import { reserveBatch } from '../../src/handlers/reserve-batch';
import { rollbackBatch } from '../../src/handlers/rollback-batch';

const log = createLogger('test', 'silent');
const view = (orderId: string, state: ReservationView['state'] = 'HELD'): ReservationView => ({ orderId, state, releaseReason: '', expiresAtMs: 7, items: [{ productId: 'a', quantity: 1 }] });

/** A service's xMany from a per-order body: every order started at once, settled in order. */
const many =
  <T>(serve: (item: T) => Promise<ReservationView>) =>
  (items: T[]) =>
    Promise.allSettled(items.map(serve));

describe('the batch RPC handlers', () => {
  test('when a ReserveBatch holds malformed requests, then only those are refused (INVALID_REQUEST), the rest served, one result per request in order', async () => {
    const handed: string[][] = [];
    const handler = reserveBatch(
      {
        reserveMany: async (calls) => {
          handed.push(calls.map((c) => c.orderId));
          return many(async (c: { orderId: string }) => {
            if (c.orderId === 'sold') throw new AppError({ code: 'SOLD_OUT', message: 'product a is sold out' });
            return view(c.orderId);
          })(calls);
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
        { order_id: 'o6', items: [{ product_id: 'b', quantity: 1 }, { product_id: 'a', quantity: 2 }, { product_id: 'b', quantity: 1 }] },
      ],
    });
    // The valid ones are handed over together, once, in the order given (and normalized).
    expect(handed).toEqual([['o1', 'sold', 'o6']]);
    expect(reply.results!.map((r) => r.reservation?.order_id ?? r.error?.code)).toEqual(['o1', 'INVALID_REQUEST', 'INVALID_REQUEST', 'SOLD_OUT', 'INVALID_REQUEST', 'o6']);
    expect(reply.results![3]!.error).toEqual({ code: 'SOLD_OUT', message: 'product a is sold out' });
    expect(reply.results![0]!.reservation).toEqual({ order_id: 'o1', state: 'HELD', release_reason: '', expires_at_ms: 7, items: [{ product_id: 'a', quantity: 1 }] });
  });

  test('when a ReserveBatch has lines to merge, then the service gets them merged and sorted, as a single Reserve would', async () => {
    let seen: unknown = null;
    const handler = reserveBatch({ reserveMany: async (calls) => ((seen = calls), many(async (c: { orderId: string }) => view(c.orderId))(calls)) }, log);
    await handler({ requests: [{ order_id: 'o', items: [{ product_id: 'b', quantity: 1 }, { product_id: 'a', quantity: 2 }, { product_id: 'b', quantity: 1 }] }] });
    expect(seen).toEqual([{ orderId: 'o', items: [{ productId: 'a', quantity: 2 }, { productId: 'b', quantity: 2 }] }]);
  });

  test('when an order fails for a reason that is not its own (database down, conflicts exhausted), then the whole call fails, to be retried whole', async () => {
    const down = rollbackBatch({ rollbackMany: many(async (id: string) => (id === 'x' ? Promise.reject(new TransientError('retries exhausted')) : view(id, 'RELEASED'))) }, log);
    await expect(down({ orders: [{ order_id: 'a' }, { order_id: 'x' }] })).rejects.toBeInstanceOf(TransientError);
  });

  test('when an order fails with an unexpected error, then it alone answers INTERNAL', async () => {
    const handler = rollbackBatch({ rollbackMany: many(async (id: string) => (id === 'x' ? Promise.reject(new Error('boom')) : view(id, 'RELEASED'))) }, log);
    const reply = await handler({ orders: [{ order_id: 'a' }, { order_id: 'x' }] });
    expect(reply.results!.map((r) => r.reservation?.state ?? r.error?.code)).toEqual(['RELEASED', 'INTERNAL']);
  });

  test('when a batch call is empty, then it answers no results; when it is too large, then INVALID_REQUEST for the call', async () => {
    const handler = commitBatch({ commitMany: many(async (id: string) => view(id, 'COMMITTED')) }, log);
    expect(await handler({ orders: [] })).toEqual({ results: [] });
    const tooMany = Array.from({ length: MAX_ORDERS_PER_BATCH_CALL + 1 }, (_, i) => ({ order_id: `o${i}` }));
    await expect(handler({ orders: tooMany })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
