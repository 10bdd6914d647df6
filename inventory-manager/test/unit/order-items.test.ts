import { AppError } from '../../../common/src/errors';
import { normalizeItems } from '../../src/domain/order-items';

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
