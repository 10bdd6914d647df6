import { cartLineRefusal } from '../../src/domain/cart-line';

const stock = (available: number, reserved = 0, sold = 0) => ({ available, reserved, sold });

describe('cartLineRefusal', () => {
  test('when the line stays within what is available now, then it may grow', () => {
    expect(cartLineRefusal('X', 3, 100, stock(3))).toBeNull();
  });
  test('when the line would exceed the per-line maximum, then INVALID_REQUEST naming the quantity', () => {
    expect(cartLineRefusal('X', 101, 100, stock(1_000))).toEqual({
      code: 'INVALID_REQUEST',
      message: 'quantity: the cart line would hold 101 units, more than the maximum of 100 per line',
    });
  });
  test('when nothing is available and nothing is held, then SOLD_OUT', () => {
    expect(cartLineRefusal('X', 1, 100, stock(0, 0, 10))).toEqual({ code: 'SOLD_OUT', message: 'product X is sold out' });
  });
  test('when units held by pending payments could cover it, then ALL_RESERVED, not a final no', () => {
    expect(cartLineRefusal('X', 2, 100, stock(1, 1, 8))).toEqual({
      code: 'ALL_RESERVED',
      message: 'product X: the cart line would hold 2 units, 1 available now',
    });
  });
  test('when fewer units exist than the line asks for, then INSUFFICIENT_STOCK', () => {
    expect(cartLineRefusal('X', 6, 100, stock(5))).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
  });
});
