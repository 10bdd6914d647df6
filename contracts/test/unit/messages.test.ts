import { MAX_ORDERS_PER_EVENT, ordersFinalizedEvent } from '../../messages';

const order = (n: number) => ({
  orderID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  clientID: `c${n}`,
  status: 'confirmed' as const,
  items: [{ productID: 'X', quantity: 1 }],
});

describe('order.finalized', () => {
  test('when a message holds a batch of orders, then it parses as that list', () => {
    expect(ordersFinalizedEvent.parse({ orders: [order(1), order(2)] })).toEqual({ orders: [order(1), order(2)] });
  });

  test('when a message is one order by itself (the earlier shape), then it parses as a list of one', () => {
    expect(ordersFinalizedEvent.parse(order(3))).toEqual({ orders: [order(3)] });
  });

  test('when a message holds no order, too many, or a bad one, then it does not parse', () => {
    expect(ordersFinalizedEvent.safeParse({ orders: [] }).success).toBe(false);
    expect(ordersFinalizedEvent.safeParse({ orders: Array.from({ length: MAX_ORDERS_PER_EVENT + 1 }, (_, i) => order(i)) }).success).toBe(false);
    expect(ordersFinalizedEvent.safeParse({ orders: [{ ...order(4), orderID: 'not-a-uuid' }] }).success).toBe(false);
  });
});
