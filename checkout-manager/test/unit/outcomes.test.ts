import { DECLINED, releasedOutcome, unchargedOutcome } from '../../src/domain/outcomes';

describe('releasedOutcome (the hold went back to stock)', () => {
  test('when the payment was declined, then PAYMENT_DECLINED', () => {
    expect(releasedOutcome('declined', 'rollback')).toEqual(DECLINED);
  });
  test('when a charge was made (and refunded), then RESERVATION_EXPIRED saying it was refunded', () => {
    const expected = { status: 'failed', code: 'RESERVATION_EXPIRED', error: 'the reservation expired before the payment completed; the payment was refunded' };
    expect(releasedOutcome('charged', 'expired')).toEqual(expected);
    expect(releasedOutcome('refunded', 'rollback')).toEqual(expected);
  });
  test('when the hold expired before any charge, then RESERVATION_EXPIRED', () => {
    expect(releasedOutcome(null, 'expired')).toEqual({ status: 'failed', code: 'RESERVATION_EXPIRED', error: 'the reservation expired before the payment completed' });
  });
  test('when it was rolled back before any charge (the reconciler), then RESERVATION_EXPIRED saying nothing was charged', () => {
    expect(releasedOutcome(null, 'rollback')).toEqual({
      status: 'failed',
      code: 'RESERVATION_EXPIRED',
      error: 'the order could not be processed in time; nothing was charged',
    });
  });
});

describe('unchargedOutcome (the charge did not go through)', () => {
  test('when declined, then PAYMENT_DECLINED; when found refunded already, then RESERVATION_EXPIRED', () => {
    expect(unchargedOutcome('declined')).toEqual(DECLINED);
    expect(unchargedOutcome('refunded')).toMatchObject({ status: 'failed', code: 'RESERVATION_EXPIRED' });
  });
});
