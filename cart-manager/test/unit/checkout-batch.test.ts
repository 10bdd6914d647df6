import type { OrderSummary } from '../../../contracts/messages';
import { decideCheckouts } from '../../src/domain/checkout-batch';
import type { PricedProduct } from '../../src/domain/pricing';
import { rowKey } from '../../src/domain/row-key';

const now = new Date('2026-01-01T12:00:00Z');
const product = (productId: string, priceCents: number, extra: Partial<PricedProduct> = {}): [string, PricedProduct] => [
  productId,
  { productId, priceCents, dealPriceCents: null, dealStartsAt: null, dealEndsAt: null, dealOnly: false, ...extra },
];
const products = new Map([product('A', 100), product('B', 250), product('D', 500, { dealOnly: true, dealPriceCents: 400 })]);
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const empty = { existing: new Map<string, OrderSummary>(), pendingByClient: new Map<string, OrderSummary>(), products, now };

describe('decideCheckouts: a batch decided in arrival order, as if one checkout ran after the other', () => {
  test('when two checkouts of one client are in one batch, then the first is pending and the second CHECKOUT_IN_PROGRESS', () => {
    const carts = new Map([[rowKey('c'), [{ productId: 'A', quantity: 2 }, { productId: 'B', quantity: 1 }]]]);
    const { steps, inserts } = decideCheckouts([{ orderID: id(1), clientID: 'c' }, { orderID: id(2), clientID: 'c' }], { ...empty, carts });
    expect(steps).toEqual([
      { kind: 'process', order: { orderId: id(1), clientId: 'c', status: 'pending', code: '', error: '', totalCents: 450 } },
      { kind: 'final', order: { orderId: id(2), clientId: 'c', status: 'failed', code: 'CHECKOUT_IN_PROGRESS', error: 'another checkout of this client is in progress', totalCents: 0 } },
    ]);
    expect(inserts).toEqual([
      { status: 'pending', orderId: id(1), clientId: 'c', totalCents: 450, lines: [{ productId: 'A', quantity: 2, unitPriceCents: 100 }, { productId: 'B', quantity: 1, unitPriceCents: 250 }] },
      { status: 'failed', orderId: id(2), clientId: 'c', code: 'CHECKOUT_IN_PROGRESS', error: 'another checkout of this client is in progress' },
    ]);
  });

  test('when one order comes twice in a batch, then it is inserted once and both deliveries go on from it', () => {
    const carts = new Map([[rowKey('c'), [{ productId: 'A', quantity: 1 }]]]);
    const { steps, inserts } = decideCheckouts([{ orderID: id(1), clientID: 'c' }, { orderID: id(1), clientID: 'c' }], { ...empty, carts });
    expect(steps.map((s) => [s.kind, s.order.orderId])).toEqual([['process', id(1)], ['process', id(1)]]);
    expect(inserts).toHaveLength(1);
  });

  test('when the order exists already, then it is a replay: nothing inserted, its step follows its status', () => {
    const pending: OrderSummary = { orderId: id(1), clientId: 'c', status: 'pending', code: '', error: '', totalCents: 100 };
    const failed: OrderSummary = { orderId: id(2), clientId: 'd', status: 'failed', code: 'SOLD_OUT', error: 'sold out', totalCents: 0 };
    const { steps, inserts } = decideCheckouts([{ orderID: id(1), clientID: 'c' }, { orderID: id(2), clientID: 'd' }], {
      ...empty,
      existing: new Map([[rowKey(id(1)), pending], [rowKey(id(2)), failed]]),
      carts: new Map(),
    });
    expect(steps).toEqual([{ kind: 'process', order: pending }, { kind: 'final', order: failed }]);
    expect(inserts).toEqual([]);
  });

  test('when another order of the client is pending in the database, then CHECKOUT_IN_PROGRESS, after the empty-cart and pricing refusals', () => {
    const pending: OrderSummary = { orderId: id(9), clientId: 'c', status: 'pending', code: '', error: '', totalCents: 100 };
    const state = { ...empty, pendingByClient: new Map([[rowKey('c'), pending], [rowKey('e'), { ...pending, clientId: 'e' }], [rowKey('f'), { ...pending, clientId: 'f' }]]) };
    const carts = new Map([
      [rowKey('c'), [{ productId: 'A', quantity: 1 }]],
      [rowKey('f'), [{ productId: 'D', quantity: 1 }]],
    ]);
    const { steps } = decideCheckouts(
      [
        { orderID: id(1), clientID: 'c' },
        { orderID: id(2), clientID: 'e' },
        { orderID: id(3), clientID: 'f' },
      ],
      { ...state, carts },
    );
    expect(steps.map((s) => s.order.code)).toEqual(['CHECKOUT_IN_PROGRESS', 'EMPTY_CART', 'DEAL_NOT_ACTIVE']);
  });

  test('when a cart is empty, holds a product gone, or a deal-only product out of its window, then a failed order with that code', () => {
    const carts = new Map([
      [rowKey('gone'), [{ productId: 'Z', quantity: 1 }]],
      [rowKey('deal'), [{ productId: 'D', quantity: 1 }]],
    ]);
    const { steps, inserts } = decideCheckouts(
      [
        { orderID: id(1), clientID: 'empty' },
        { orderID: id(2), clientID: 'gone' },
        { orderID: id(3), clientID: 'deal' },
      ],
      { ...empty, carts },
    );
    expect(steps.map((s) => [s.kind, s.order.code])).toEqual([['final', 'EMPTY_CART'], ['final', 'PRODUCT_NOT_FOUND'], ['final', 'DEAL_NOT_ACTIVE']]);
    expect(inserts.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
  });

  test('when a client is refused, then a later checkout of the same client in the batch is decided on the same cart', () => {
    const { steps } = decideCheckouts([{ orderID: id(1), clientID: 'c' }, { orderID: id(2), clientID: 'c' }], { ...empty, carts: new Map() });
    expect(steps.map((s) => s.order.code)).toEqual(['EMPTY_CART', 'EMPTY_CART']);
  });

  describe('the stock check: a cart the stock cannot serve now is refused here, without a Reserve', () => {
    const stocked = (stock: { available: number; reserved: number; sold: number }) => new Map([product('A', 100, { stock }), product('B', 250)]);
    const cartOf = (productId: string, quantity: number) => [{ productId, quantity }];

    test('when a batch asks for more units than are available, then the first orders in arrival order go on and the rest are ALL_RESERVED (their units are held)', () => {
      const jobs = [1, 2, 3, 4].map((n) => ({ orderID: id(n), clientID: `c${n}` }));
      const carts = new Map(jobs.map((j) => [rowKey(j.clientID), cartOf('A', 1)]));
      const { steps, inserts } = decideCheckouts(jobs, { ...empty, products: stocked({ available: 2, reserved: 0, sold: 8 }), carts });
      expect(steps.map((s) => [s.kind, s.order.code])).toEqual([['process', ''], ['process', ''], ['final', 'ALL_RESERVED'], ['final', 'ALL_RESERVED']]);
      expect(inserts[2]).toEqual({
        status: 'failed',
        orderId: id(3),
        clientId: 'c3',
        code: 'ALL_RESERVED',
        error: 'product A: no unit available now, 2 held by pending payments may come back',
      });
    });

    test('when the caller waits on holds, then the orders the holds refuse are held (recorded nowhere), and the others are decided as ever', () => {
      const jobs = [1, 2, 3].map((n) => ({ orderID: id(n), clientID: `c${n}` }));
      const carts = new Map([...jobs.slice(0, 2).map((j): [string, { productId: string; quantity: number }[]] => [rowKey(j.clientID), cartOf('A', 1)]), [rowKey('c3'), cartOf('B', 1)]]);
      const { steps, inserts } = decideCheckouts(jobs, { ...empty, products: stocked({ available: 1, reserved: 0, sold: 9 }), carts }, { waitOnHolds: true });
      // c1 takes the last unit; c2 would be ALL_RESERVED (held by c1's payment): held; c3 buys B, which has no counters.
      expect(steps.map((s) => (s.kind === 'held' ? ['held', s.orderId] : [s.kind, s.order.orderId]))).toEqual([['process', id(1)], ['held', id(2)], ['process', id(3)]]);
      expect(inserts.map((o) => o.orderId)).toEqual([id(1), id(3)]);
      // SOLD_OUT is final even while waiting on holds: nothing can come back.
      const soldOut = decideCheckouts([jobs[1]!], { ...empty, products: stocked({ available: 0, reserved: 0, sold: 10 }), carts }, { waitOnHolds: true });
      expect(soldOut.steps).toEqual([{ kind: 'final', order: expect.objectContaining({ code: 'SOLD_OUT' }) }]);
    });

    test('when nothing is available or held, then SOLD_OUT; when fewer exist than asked even with the holds, INSUFFICIENT_STOCK', () => {
      const carts = new Map([[rowKey('c'), cartOf('A', 1)]]);
      const soldOut = decideCheckouts([{ orderID: id(1), clientID: 'c' }], { ...empty, products: stocked({ available: 0, reserved: 0, sold: 10 }), carts });
      expect(soldOut.inserts[0]).toMatchObject({ status: 'failed', code: 'SOLD_OUT', error: 'product A is sold out' });
      const big = new Map([[rowKey('c'), cartOf('A', 5)]]);
      const short = decideCheckouts([{ orderID: id(1), clientID: 'c' }], { ...empty, products: stocked({ available: 1, reserved: 2, sold: 7 }), carts: big });
      expect(short.inserts[0]).toMatchObject({ status: 'failed', code: 'INSUFFICIENT_STOCK' });
    });

    test('when one line of a cart cannot be served, then the whole order is refused and takes no unit of its other lines', () => {
      const products = new Map([product('A', 100, { stock: { available: 1, reserved: 0, sold: 0 } }), product('B', 250, { stock: { available: 0, reserved: 0, sold: 3 } })]);
      const carts = new Map([
        [rowKey('c1'), [{ productId: 'A', quantity: 1 }, { productId: 'B', quantity: 1 }]],
        [rowKey('c2'), cartOf('A', 1)],
      ]);
      const { steps } = decideCheckouts([{ orderID: id(1), clientID: 'c1' }, { orderID: id(2), clientID: 'c2' }], { ...empty, products, carts });
      expect(steps.map((s) => [s.kind, s.order.code])).toEqual([['final', 'SOLD_OUT'], ['process', '']]);
    });

    test('when the counters were not read, then nothing is refused for stock', () => {
      const jobs = [1, 2].map((n) => ({ orderID: id(n), clientID: `c${n}` }));
      const carts = new Map(jobs.map((j) => [rowKey(j.clientID), cartOf('B', 3)]));
      const { steps } = decideCheckouts(jobs, { ...empty, products: stocked({ available: 0, reserved: 0, sold: 0 }), carts });
      expect(steps.map((s) => s.kind)).toEqual(['process', 'process']);
    });
  });
});
