import { AppError } from '../../../common/src/errors';
import { normalizeItems, validateOrderId, validateProductId } from '../../src/domain/order-items';

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
    [[{ product_id: 'X  ', quantity: 1 }], 'items[0].product_id must not start or end with whitespace'],
    [[{ product_id: 'a', quantity: 1 }, { product_id: 'b\u0001', quantity: 1 }], 'items[1].product_id must not contain control characters'],
    [[{ product_id: '\udfffa', quantity: 1 }], 'items[0].product_id must not contain a lone surrogate'],
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

describe('validateProductId (CheckQuantity)', () => {
  test('when the product id is exact, then it is returned as it came', () => {
    expect(validateProductId('X')).toBe('X');
  });

  test.each([[''], ['X  '], ['\tX'], ['\ud800']])('when the product id is %j, then INVALID_REQUEST names product_id', (id) => {
    expect(() => validateProductId(id)).toThrow(/^product_id must/);
  });
});

describe('validateOrderId (Reserve, Commit, Rollback and their batches)', () => {
  test('when the order id breaks the id rule, then INVALID_REQUEST names order_id (the id columns compare exactly)', () => {
    expect(validateOrderId('3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d')).toBe('3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d');
    for (const id of ['o ', ' o', 'o\u0000', '\ud800']) expect(() => validateOrderId(id)).toThrow(/^order_id must/);
    expect(() => validateOrderId('x'.repeat(37))).toThrow('order_id must be 1 to 36 characters');
  });
});
