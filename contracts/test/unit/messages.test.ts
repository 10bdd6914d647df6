import { addToCartJob, MAX_ORDERS_PER_EVENT, MAX_ORDERS_PER_JOB, ordersFinalizedEvent, processOrderJob } from '../../messages';

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

describe('processOrderJob', () => {
  const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('reads a batch of orders, each with its reply address', () => {
    const job = { orders: [{ orderID: id(1), replyTo: 'amq.rabbitmq.reply-to.x', correlationId: 'c1' }, { orderID: id(2) }] };
    expect(processOrderJob.parse(job)).toEqual(job);
  });

  it('reads a message of the earlier shape, one order, as a list of one without an address', () => {
    expect(processOrderJob.parse({ orderID: id(3) })).toEqual({ orders: [{ orderID: id(3) }] });
  });

  it('names the bad field, in either shape, and refuses an empty or oversized list', () => {
    const reason = (body: unknown): string => {
      const r = processOrderJob.safeParse(body);
      return r.success ? 'parsed' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(reason({ orderID: 'not-a-uuid' })).toContain('orders.0.orderID');
    expect(reason({ orders: [{ orderID: id(1) }, { orderID: 'nope' }] })).toContain('orders.1.orderID');
    expect(reason({ orders: [] })).not.toBe('parsed');
    expect(reason({ orders: Array.from({ length: MAX_ORDERS_PER_JOB + 1 }, (_, i) => ({ orderID: id(i) })) })).not.toBe('parsed');
    expect(reason('a string')).not.toBe('parsed');
  });
});

describe('ids in worker messages', () => {
  const job = (productID: string) => ({ requestID: 'r1', clientID: 'c1', productID, quantity: 1, deadline: 1 });

  it('when a job names an exact id, then it parses, and when an id breaks the rule, then it does not (dead-lettered)', () => {
    expect(addToCartJob.safeParse(job('X')).success).toBe(true);
    for (const id of ['X  ', 'X\u0000', '\ud800X', '']) expect(addToCartJob.safeParse(job(id)).success).toBe(false);
  });
});
