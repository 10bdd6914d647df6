import { AppError } from '../../../common/src/errors';
import {
  type Movement,
  type ReserveCall,
  type TransitionCall,
  decideReserveBatch,
  decideTransitionBatch,
  movementOf,
  netCounterChanges,
  orderKey,
  transitionView,
} from '../../src/domain/batch';
import type { ReservationHeader } from '../../src/domain/reservation';

const counters = (available: number, reserved = 0, sold = 0) => ({ available, reserved, sold });
const call = (orderId: string, ...items: [string, number][]): ReserveCall => ({ orderId, items: items.map(([productId, quantity]) => ({ productId, quantity })) });
const expiresAt = new Date('2026-11-21T12:02:00Z');
const header = (status: ReservationHeader['status'], live = true, releaseReason: ReservationHeader['releaseReason'] = ''): ReservationHeader => ({
  status,
  releaseReason,
  expiresAt,
  live,
});
const kinds = (decisions: { kind: string }[]) => decisions.map((d) => d.kind);
const codeOf = (d: { kind: string }) => (d as { error?: AppError }).error?.code;

describe('a coalesced Reserve batch', () => {
  test('when orders compete for a row, then each is decided in arrival order against the counters the earlier ones left', () => {
    const plan = decideReserveBatch([call('o1', ['a', 2]), call('o2', ['a', 2]), call('o3', ['a', 1]), call('o4', ['a', 1])], new Map(), new Map([['a', counters(3)]]));
    expect(kinds(plan.decisions)).toEqual(['hold', 'refuse', 'hold', 'refuse']);
    // 2 then 1 held: nothing left, 3 held by pending payments: a hold is never a final no.
    expect(codeOf(plan.decisions[1]!)).toBe('ALL_RESERVED');
    expect(codeOf(plan.decisions[3]!)).toBe('ALL_RESERVED');
    expect(plan.movements).toEqual([
      { kind: 'reserve', orderId: 'o1', productId: 'a', quantity: 2 },
      { kind: 'reserve', orderId: 'o3', productId: 'a', quantity: 1 },
    ]);
  });

  test('when the product has nothing available and nothing held, then SOLD_OUT; when fewer units exist than asked, then INSUFFICIENT_STOCK', () => {
    const sold = decideReserveBatch([call('o1', ['a', 1])], new Map(), new Map([['a', counters(0, 0, 5)]]));
    expect(codeOf(sold.decisions[0]!)).toBe('SOLD_OUT');
    const short = decideReserveBatch([call('o1', ['a', 9])], new Map(), new Map([['a', counters(2, 1, 5)]]));
    expect(codeOf(short.decisions[0]!)).toBe('INSUFFICIENT_STOCK');
  });

  test('when a multi-product order cannot get one line, then it takes nothing at all, and the next order still finds every unit', () => {
    const plan = decideReserveBatch(
      [call('o1', ['a', 1], ['b', 5]), call('o2', ['a', 2]), call('o3', ['a', 1], ['b', 2])],
      new Map(),
      new Map([['a', counters(3)], ['b', counters(2)]]),
    );
    expect(kinds(plan.decisions)).toEqual(['refuse', 'hold', 'hold']);
    expect(codeOf(plan.decisions[0]!)).toBe('INSUFFICIENT_STOCK');
    expect(netCounterChanges(plan.movements)).toEqual(
      new Map([
        ['a', { available: -3, reserved: 3, sold: 0 }],
        ['b', { available: -2, reserved: 2, sold: 0 }],
      ]),
    );
  });

  test('when one order names an unknown product, then only it is refused (PRODUCT_NOT_FOUND); its neighbours are held', () => {
    const plan = decideReserveBatch([call('o1', ['a', 1]), call('bad', ['a', 1], ['ghost', 1]), call('o3', ['a', 1])], new Map(), new Map([['a', counters(5)]]));
    expect(kinds(plan.decisions)).toEqual(['hold', 'refuse', 'hold']);
    expect(codeOf(plan.decisions[1]!)).toBe('PRODUCT_NOT_FOUND');
    expect(plan.movements.map((m) => m.orderId)).toEqual(['o1', 'o3']);
  });

  test('when an order has a reservation already (a replay, a tombstone), then it is answered as it is and takes nothing', () => {
    const plan = decideReserveBatch(
      [call('old', ['a', 1]), call('gone', ['a', 1]), call('new', ['a', 1])],
      new Map([
        ['old', header('held')],
        ['gone', header('released', false, 'rollback')],
      ]),
      new Map([['a', counters(1)]]),
    );
    expect(kinds(plan.decisions)).toEqual(['existing', 'existing', 'hold']);
    expect(plan.movements).toHaveLength(1);
  });

  test('when the same order comes twice in one batch, then the second answers the first hold; after a refusal it is decided again', () => {
    const held = decideReserveBatch([call('o', ['a', 1]), call('o', ['a', 1]), call('o ', ['a', 1])], new Map(), new Map([['a', counters(5)]]));
    // The id columns are NO PAD: 'o ' is another order (validateOrderId refuses it before a batch sees it).
    expect(held.decisions).toEqual([{ kind: 'hold' }, { kind: 'held-in-batch', first: 0 }, { kind: 'hold' }]);
    expect(held.movements).toHaveLength(2);

    const refused = decideReserveBatch([call('o', ['a', 2]), call('o', ['a', 1])], new Map(), new Map([['a', counters(1)]]));
    expect(kinds(refused.decisions)).toEqual(['refuse', 'hold']);
  });

  test('the counters read under the lock are not changed by deciding', () => {
    const products = new Map([['a', counters(2)]]);
    decideReserveBatch([call('o1', ['a', 2])], new Map(), products);
    expect(products.get('a')).toEqual(counters(2));
  });
});

describe('a coalesced Commit / Rollback / sweep batch', () => {
  const t = (orderId: string, op: TransitionCall['op']): TransitionCall => ({ orderId, op });

  test('when an order is committed twice in one batch, then it is sold once and the second answers COMMITTED', () => {
    const d = decideTransitionBatch([t('o', 'commit'), t('o', 'commit')], new Map([['o', header('held')]]));
    expect(d[0]).toEqual({ kind: 'commit' });
    expect(d[1]).toMatchObject({ kind: 'existing', header: { status: 'committed' } });
    expect(d.map(movementOf)).toEqual(['commit', null]);
  });

  test('when a commit finds its hold past expiry, then it is released as expired, and a later sweep of it does nothing', () => {
    const d = decideTransitionBatch([t('o', 'commit'), t('o', 'sweep')], new Map([['o', header('held', false)]]));
    expect(kinds(d)).toEqual(['expire', 'skip']);
    expect(d.map(movementOf)).toEqual(['expire', null]);
  });

  test('when an order was never reserved, then Commit is ORDER_NOT_FOUND and Rollback writes one tombstone, answered again as RELEASED', () => {
    const d = decideTransitionBatch([t('x', 'commit'), t('x', 'rollback'), t('x', 'rollback'), t('x', 'commit')], new Map());
    expect(kinds(d)).toEqual(['not-found', 'tombstone', 'existing', 'existing']);
    expect(codeOf(d[0]!)).toBe('ORDER_NOT_FOUND');
    expect(transitionView('x', d[3] as Exclude<(typeof d)[number], { kind: 'not-found' | 'skip' }>, [])).toMatchObject({ state: 'RELEASED', releaseReason: 'rollback' });
  });

  test('when held orders are rolled back, committed and swept, then each moves by its own rule; a committed sale stays sold', () => {
    const d = decideTransitionBatch(
      [t('h1', 'rollback'), t('c', 'rollback'), t('h2', 'sweep'), t('h3', 'sweep'), t('r', 'commit')],
      new Map([
        ['h1', header('held')],
        ['c', header('committed')],
        ['h2', header('held', false)],
        ['h3', header('held', true)],
        ['r', header('released', false, 'rollback')],
      ]),
    );
    expect(kinds(d)).toEqual(['release', 'existing', 'expire', 'skip', 'existing']);
    expect(d.map(movementOf)).toEqual(['release', null, 'expire', null, null]);
  });

  test('the answers: the view a single call would give', () => {
    const lines = [{ productId: 'a', quantity: 2 }];
    expect(transitionView('o', { kind: 'commit' }, lines)).toEqual({ orderId: 'o', state: 'COMMITTED', releaseReason: '', expiresAtMs: 0, items: lines });
    expect(transitionView('o', { kind: 'expire' }, lines)).toMatchObject({ state: 'RELEASED', releaseReason: 'expired', items: lines });
    expect(transitionView('o', { kind: 'release' }, lines)).toMatchObject({ state: 'RELEASED', releaseReason: 'rollback', items: lines });
    expect(transitionView('o', { kind: 'tombstone' }, [])).toMatchObject({ state: 'RELEASED', releaseReason: 'rollback', items: [] });
    expect(transitionView('o', { kind: 'existing', header: header('held') }, lines)).toMatchObject({ state: 'HELD', expiresAtMs: expiresAt.getTime() });
  });
});

describe('the net counter change of a batch', () => {
  test('when movements of every kind touch products, then each product moves once by the sum, and a product whose net is zero is left out', () => {
    const m = (kind: Movement['kind'], productId: string, quantity: number): Movement => ({ kind, orderId: 'o', productId, quantity });
    const net = netCounterChanges([m('reserve', 'a', 3), m('commit', 'a', 2), m('release', 'a', 1), m('reserve', 'b', 1), m('release', 'b', 1), m('expire', 'c', 4)]);
    expect(net).toEqual(
      new Map([
        ['a', { available: -2, reserved: 0, sold: 2 }],
        ['c', { available: 4, reserved: -4, sold: 0 }],
      ]),
    );
  });
});

describe('order keys', () => {
  test('an order id is its own key, byte for byte (the id columns are NO PAD)', () => {
    expect(orderKey('abc  ')).not.toBe(orderKey('abc'));
    expect(orderKey(' abc')).toBe(' abc');
    expect(orderKey('ABC')).not.toBe(orderKey('abc'));
  });
});
