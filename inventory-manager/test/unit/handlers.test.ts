import { AppError, TransientError } from '../../../common/src/errors';
import { ERROR_CODE_KEY, grpc } from '../../../common/src/grpc';
import { createLogger } from '../../../common/src/logger';
import type { ReservationView } from '../../src/domain/reservation';
import { checkQuantity } from '../../src/handlers/check-quantity';
import { commit } from '../../src/handlers/commit';
import { reserve } from '../../src/handlers/reserve';
import { type CallStats, unary } from '../../src/handlers/unary';

const log = createLogger('test', 'silent');

/** Call a grpc-js unary handler the way the server does; resolves with what the callback got. */
function invoke<Req, Res>(handler: grpc.handleUnaryCall<Req, Res>, request: Req): Promise<{ err: Partial<grpc.ServiceError> | null; res?: Res | null }> {
  return new Promise((resolve) => {
    handler({ request } as grpc.ServerUnaryCall<Req, Res>, (err, res) => resolve({ err: err as Partial<grpc.ServiceError> | null, res }));
  });
}

describe('the unary wrapper', () => {
  test('when the body resolves, then the call answers it, and the call is counted only while it runs', async () => {
    const stats: CallStats = { inFlight: 0 };
    let seen = -1;
    const handler = unary(log, 'M', async (req: number) => {
      seen = stats.inFlight;
      return req + 1;
    }, stats);
    expect(await invoke(handler, 1)).toEqual({ err: null, res: 2 });
    expect(seen).toBe(1);
    expect(stats.inFlight).toBe(0);
  });

  test.each([
    ['a refusal', new AppError({ code: 'SOLD_OUT', message: 'sold out' }), grpc.status.FAILED_PRECONDITION, 'SOLD_OUT'],
    ['a bad request', new AppError({ code: 'INVALID_REQUEST', message: 'bad' }), grpc.status.INVALID_ARGUMENT, 'INVALID_REQUEST'],
    ['an unknown order', new AppError({ code: 'ORDER_NOT_FOUND', message: 'none' }), grpc.status.NOT_FOUND, 'ORDER_NOT_FOUND'],
    ['a transaction that kept conflicting', new TransientError('retries exhausted'), grpc.status.UNAVAILABLE, 'SERVICE_UNAVAILABLE'],
    ['a bug', new Error('boom'), grpc.status.INTERNAL, 'INTERNAL'],
  ])('when the body rejects with %s, then the status says its kind and the trailers carry the catalog code', async (_what, error, status, code) => {
    const stats: CallStats = { inFlight: 0 };
    const { err } = await invoke(unary(log, 'M', async () => Promise.reject(error), stats), {});
    expect(err?.code).toBe(status);
    expect(err?.metadata?.get(ERROR_CODE_KEY)).toEqual([code]);
    expect(stats.inFlight).toBe(0);
  });
});

describe('the RPC handlers', () => {
  const view: ReservationView = { orderId: 'o', state: 'HELD', releaseReason: '', expiresAtMs: 5, items: [{ productId: 'a', quantity: 3 }] };

  test('when Reserve gets repeated, unsorted lines, then the repository gets them merged and sorted, and the answer is the wire message', async () => {
    const calls: unknown[] = [];
    const handler = reserve({ reserve: async (orderId, items) => (calls.push([orderId, items]), view) });
    const res = await handler({ order_id: 'o', items: [{ product_id: 'b', quantity: 1 }, { product_id: 'a', quantity: 1 }, { product_id: 'b', quantity: 2 }] });
    expect(calls).toEqual([['o', [{ productId: 'a', quantity: 1 }, { productId: 'b', quantity: 3 }]]]);
    expect(res).toEqual({ order_id: 'o', state: 'HELD', release_reason: '', expires_at_ms: 5, items: [{ product_id: 'a', quantity: 3 }] });
  });

  test('when an order id or a product id is missing or too long, then INVALID_REQUEST before the repository is asked', async () => {
    const never = async () => {
      throw new Error('must not be called');
    };
    await expect(commit({ commit: never })({ order_id: '' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(commit({ commit: never })({ order_id: 'x'.repeat(37) })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(checkQuantity({ checkQuantity: never })({ product_id: 'x'.repeat(101) })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
