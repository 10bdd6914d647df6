import { AppError } from '../../../common/src/errors';
import {
  type ReservationHeader,
  decideCommit,
  decideReserve,
  decideRollback,
  shouldSweep,
  viewOf,
} from '../../src/domain/reservation';

const expiresAt = new Date('2026-11-21T12:02:00Z');
const header = (status: ReservationHeader['status'], live = true, releaseReason: ReservationHeader['releaseReason'] = ''): ReservationHeader => ({
  status,
  releaseReason,
  expiresAt,
  live,
});
const lines = [{ productId: 'a', quantity: 2 }];

describe('a reservation as the caller sees it', () => {
  test('when held, then HELD with its expiry; when no longer held, then expires_at is 0', () => {
    expect(viewOf('o', header('held'), lines)).toEqual({ orderId: 'o', state: 'HELD', releaseReason: '', expiresAtMs: expiresAt.getTime(), items: lines });
    expect(viewOf('o', header('committed'), lines)).toMatchObject({ state: 'COMMITTED', expiresAtMs: 0 });
    expect(viewOf('o', header('released', false, 'expired'), lines)).toMatchObject({ state: 'RELEASED', releaseReason: 'expired', expiresAtMs: 0 });
  });
});

describe('Reserve', () => {
  const counters = (available: number, reserved = 0, sold = 0) => ({ available, reserved, sold });

  test('when the order has a reservation in any state (a replay or a tombstone), then it is answered as it is and nothing is taken', () => {
    for (const status of ['held', 'committed', 'released'] as const) {
      expect(decideReserve(header(status), lines, new Map())).toEqual({ kind: 'existing' });
    }
  });

  test('when every line can be held, then hold', () => {
    expect(decideReserve(null, lines, new Map([['a', counters(2)]]))).toEqual({ kind: 'hold' });
  });

  test.each([
    ['a product does not exist', [{ productId: 'a', quantity: 1 }, { productId: 'zz', quantity: 1 }], new Map([['a', counters(5)]]), 'PRODUCT_NOT_FOUND'],
    ['nothing is available or held', [{ productId: 'a', quantity: 1 }], new Map([['a', counters(0, 0, 10)]]), 'SOLD_OUT'],
    ['pending payments hold what would cover it', [{ productId: 'a', quantity: 1 }], new Map([['a', counters(0, 1, 9)]]), 'ALL_RESERVED'],
    ['one line of two cannot be met at all', [{ productId: 'a', quantity: 1 }, { productId: 'b', quantity: 3 }], new Map([['a', counters(5)], ['b', counters(2)]]), 'INSUFFICIENT_STOCK'],
  ])('when %s, then refuse with %s (all or nothing)', (_what, items, products, code) => {
    const decision = decideReserve(null, items, products);
    expect(decision.kind).toBe('refuse');
    const error = (decision as { error: AppError }).error;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(code);
  });
});

describe('Commit', () => {
  test('when there is no reservation, then ORDER_NOT_FOUND', () => {
    const decision = decideCommit('o', null);
    expect(decision.kind).toBe('not-found');
    expect((decision as { error: AppError }).error.code).toBe('ORDER_NOT_FOUND');
  });
  test('when held and live, then commit; held past its expiry, then expire it (never sell an expired hold)', () => {
    expect(decideCommit('o', header('held', true))).toEqual({ kind: 'commit' });
    expect(decideCommit('o', header('held', false))).toEqual({ kind: 'expire' });
  });
  test('when committed or released already, then answer it as it is, whatever the clock says', () => {
    expect(decideCommit('o', header('committed', false))).toEqual({ kind: 'existing' });
    expect(decideCommit('o', header('released', true, 'rollback'))).toEqual({ kind: 'existing' });
  });
});

describe('Rollback', () => {
  test('when never reserved, then a tombstone; held, then release; committed or released, then as it is', () => {
    expect(decideRollback(null)).toEqual({ kind: 'tombstone' });
    expect(decideRollback(header('held'))).toEqual({ kind: 'release' });
    expect(decideRollback(header('held', false))).toEqual({ kind: 'release' });
    expect(decideRollback(header('committed'))).toEqual({ kind: 'existing' });
    expect(decideRollback(header('released', false, 'expired'))).toEqual({ kind: 'existing' });
  });
});

describe('the sweeper', () => {
  test('when a hold is still held and past its expiry under the lock, then it is released; otherwise left alone', () => {
    expect(shouldSweep(header('held', false))).toBe(true);
    expect(shouldSweep(header('held', true))).toBe(false);
    expect(shouldSweep(header('committed', false))).toBe(false);
    expect(shouldSweep(header('released', false, 'expired'))).toBe(false);
    expect(shouldSweep(null)).toBe(false);
  });
});
