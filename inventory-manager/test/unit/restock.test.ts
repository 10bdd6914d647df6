import { AppError } from '../../../common/src/errors';
import { changedColumns, newProductOf } from '../../src/domain/restock';

describe('restock', () => {
  test('when a new product has no price, then INVALID_REQUEST (what the seed command turns into "--price is required")', () => {
    let error: unknown;
    try {
      newProductOf({ productId: 'X', stock: 1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_REQUEST');
  });

  test('when a new product gives only id, stock and price, then the name is its id and it has no deal', () => {
    expect(newProductOf({ productId: 'X', stock: 4, priceCents: 100 })).toEqual({
      productId: 'X',
      name: 'X',
      stock: 4,
      priceCents: 100,
      dealPriceCents: null,
      dealStartsAt: null,
      dealEndsAt: null,
      dealOnly: false,
    });
  });

  test('when an existing product is restocked, then only the fields the seed gives change (a deal can be cleared with null)', () => {
    expect(changedColumns({ productId: 'X', stock: 5 })).toEqual([]);
    const starts = new Date('2026-11-21T12:00:00Z');
    expect(changedColumns({ productId: 'X', stock: 0, priceCents: 1999, dealStartsAt: starts, dealEndsAt: null, dealOnly: true })).toEqual([
      ['price_cents', 1999],
      ['deal_starts_at', starts],
      ['deal_ends_at', null],
      ['deal_only', 1],
    ]);
  });
});
