import { AppError } from '../../src/errors';
import { normalizeItems, refusalFor } from '../../src/stock-rules';

describe('refusalFor', () => {
  test('when enough units are available, then nothing is refused', () => {
    expect(refusalFor({ available: 3, reserved: 0, sold: 0 }, 3)).toBeNull();
  });
  test('when nothing is available or held, then the answer is the final SOLD_OUT', () => {
    expect(refusalFor({ available: 0, reserved: 0, sold: 10 }, 1)).toBe('SOLD_OUT');
  });
  test('when units are held by pending payments that could cover the request, then ALL_RESERVED (never a final no)', () => {
    expect(refusalFor({ available: 0, reserved: 2, sold: 8 }, 1)).toBe('ALL_RESERVED');
    expect(refusalFor({ available: 1, reserved: 1, sold: 8 }, 2)).toBe('ALL_RESERVED');
  });
  test('when even every held unit coming back cannot cover the request, then INSUFFICIENT_STOCK', () => {
    expect(refusalFor({ available: 1, reserved: 1, sold: 0 }, 5)).toBe('INSUFFICIENT_STOCK');
  });
});

describe('normalizeItems', () => {
  test('when lines repeat a product and come unsorted, then they are merged and sorted by product id (the lock order)', () => {
    expect(
      normalizeItems([
        { product_id: 'b', quantity: 1 },
        { product_id: 'a', quantity: 2 },
        { product_id: 'b', quantity: 3 },
      ]),
    ).toEqual([
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: 4 },
    ]);
  });
  test.each([
    [[], 'items must not be empty'],
    [[{ product_id: '', quantity: 1 }], 'items[0].product_id'],
    [[{ product_id: 'a', quantity: 0 }], 'items[0].quantity'],
    [[{ product_id: 'a', quantity: 1.5 }], 'items[0].quantity'],
    [[{ product_id: 'x'.repeat(101), quantity: 1 }], 'items[0].product_id'],
  ])('when items are %j, then INVALID_REQUEST names %s', (items, field) => {
    let error: unknown;
    try {
      normalizeItems(items);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_REQUEST');
    expect((error as AppError).message).toContain(field);
  });
});
