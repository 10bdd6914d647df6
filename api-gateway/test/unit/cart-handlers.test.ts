/**
 * The add-to-cart handler on its own: refusals at the door and the idempotency
 * lookup behind them, with the read store replaced by a recording double.
 */
import pino from 'pino';
import { StockLevels } from '../../../common/src/stock-levels/view';
import type { AddToCartReply } from '../../../contracts/messages';
import type { ReadStore } from '../../src/db/read-store';
import { addToCartRequestIdFor } from '../../src/domain/ids';
import { cartHandlers } from '../../src/handlers/cart';
import { IDEMPOTENCY_KEY_HEADER } from '../../src/http/contract';
import type { HandlerDeps } from '../../src/handlers/types';
import type { Rpc } from '../../src/messaging/rpc';

function handlersWith(addToCartOutcomes: ReadStore['addToCartOutcomes']) {
  const levels = new StockLevels();
  levels.trust();
  levels.apply({ productID: 'gone', available: 0, reserved: 0, sold: 10, version: 1 });
  const rpc: Rpc = {
    pendingCount: 0,
    request: () => Promise.reject(new Error('a refused add must not reach the cart manager')),
  };
  const deps: HandlerDeps = {
    config: { ADD_TO_CART_WAIT_MS: 50, CHECKOUT_WAIT_MS: 50 },
    log: pino({ level: 'silent' }),
    rpc,
    store: { addToCartOutcomes } as ReadStore,
    broker: { isReady: true },
    topology: { addToCart: 'q.add', checkout: 'q.checkout' },
    levels,
    doorRefusals: { inc: () => undefined },
    readiness: () => Promise.reject(new Error('not used')),
  };
  return cartHandlers(deps);
}

const input = (clientID: string, key: string) => ({
  body: { clientID, productID: 'gone', quantity: 1 },
  headers: { [IDEMPOTENCY_KEY_HEADER]: key },
  params: undefined,
  query: undefined,
});

describe('addToCart refused at the door', () => {
  it('when many refused adds arrive together, then their idempotency lookups share one query, and an applied retry still gets its first answer', async () => {
    const queries: string[][] = [];
    const applied = addToCartRequestIdFor({ clientID: 'buyer-7', productID: 'gone', quantity: 1 }, 'key-7');
    const handlers = handlersWith(async (ids) => {
      queries.push([...ids]);
      const found = new Map<string, AddToCartReply>();
      if (ids.includes(applied)) found.set(applied, { ok: true, code: '', error: '' });
      return found;
    });

    // A burst: each HTTP request is handled in a callback of its own, as a socket's data event is.
    const inOwnCallback = (i: number) =>
      new Promise<Awaited<ReturnType<typeof handlers.addToCart>>>((resolve, reject) =>
        setImmediate(() => handlers.addToCart(input(`buyer-${i}`, `key-${i}`)).then(resolve, reject)),
      );
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => inOwnCallback(i)));

    expect(queries).toHaveLength(1);
    expect(queries[0]).toHaveLength(30);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(29);
    expect(replies[7]!.status).toBe(200);
  });

  it('when adds are refused apart in time, then each still gets its own lookup and answer', async () => {
    const queries: string[][] = [];
    const handlers = handlersWith(async (ids) => {
      queries.push([...ids]);
      return new Map();
    });

    const first = await handlers.addToCart(input('buyer-1', 'key-1'));
    const second = await handlers.addToCart(input('buyer-2', 'key-2'));

    expect([first.status, second.status]).toEqual([409, 409]);
    expect(queries).toHaveLength(2);
  });
});
