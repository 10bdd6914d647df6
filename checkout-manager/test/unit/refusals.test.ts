import { ERROR_CODES, type ErrorCode, isFinalCode } from '../../../contracts/errors';
import { failsOrder } from '../../src/domain/refusals';

describe('failsOrder (a Reserve refusal that fails the order)', () => {
  // What the inventory manager's Reserve answers with, and what the checkout
  // manager did with each before the rule was derived from the catalog (the
  // hand-kept set SOLD_OUT, ALL_RESERVED, INSUFFICIENT_STOCK, PRODUCT_NOT_FOUND,
  // INVALID_REQUEST): the rule must not change any of these.
  const fromReserve: [ErrorCode, boolean][] = [
    ['SOLD_OUT', true],
    ['ALL_RESERVED', true],
    ['INSUFFICIENT_STOCK', true],
    ['PRODUCT_NOT_FOUND', true],
    ['INVALID_REQUEST', true],
    ['SERVICE_UNAVAILABLE', false],
    ['INTERNAL', false],
  ];

  test.each(fromReserve)('when Reserve refuses with %s, then failsOrder is %s, as before', (code, expected) => {
    expect(failsOrder(code)).toBe(expected);
  });

  test('then every other code follows the catalog: final codes fail the order, ALL_RESERVED too, the rest are retried', () => {
    for (const code of ERROR_CODES) expect(failsOrder(code)).toBe(isFinalCode(code) || code === 'ALL_RESERVED');
    expect(failsOrder('CHECKOUT_IN_PROGRESS')).toBe(false);
  });
});
