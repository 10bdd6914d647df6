import { cartAfterRemovals } from '../../src/domain/cart-removal';

const line = (clientId: string, productId: string, quantity: number) => ({ clientId, productId, quantity });

describe('cartAfterRemovals: ordered units out of the carts, as if each order ran alone', () => {
  test('when a line holds no more than was ordered, then it goes; a larger one keeps the difference', () => {
    expect(cartAfterRemovals([line('c', 'A', 2), line('c', 'B', 5)], [{ clientId: 'c', items: [{ productId: 'A', quantity: 2 }, { productId: 'B', quantity: 3 }] }])).toEqual({
      deleted: [line('c', 'A', 0)],
      changed: [line('c', 'B', 2)],
    });
  });

  test('when two orders of a batch take from the same line, then they apply one after the other', () => {
    const orders = [
      { clientId: 'c', items: [{ productId: 'A', quantity: 2 }] },
      { clientId: 'c', items: [{ productId: 'A', quantity: 2 }] },
    ];
    expect(cartAfterRemovals([line('c', 'A', 5)], orders)).toEqual({ deleted: [], changed: [line('c', 'A', 1)] });
    expect(cartAfterRemovals([line('c', 'A', 3)], orders)).toEqual({ deleted: [line('c', 'A', 0)], changed: [] });
  });

  test('when a line is absent, or untouched, then it is in neither list', () => {
    expect(cartAfterRemovals([line('c', 'B', 1)], [{ clientId: 'c', items: [{ productId: 'A', quantity: 1 }] }, { clientId: 'd', items: [{ productId: 'B', quantity: 1 }] }])).toEqual({
      deleted: [],
      changed: [],
    });
  });
});
