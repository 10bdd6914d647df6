import type { OrderSummary } from '../../../contracts/messages';
import { batchSummary } from '../../src/handlers/checkout';

const order = (status: OrderSummary['status'], code: OrderSummary['code'] = ''): OrderSummary => ({ orderId: 'o', clientId: 'c', status, code, error: '', totalCents: 0 });

describe('batchSummary', () => {
  it('counts the orders handed over and the answered ones by status and code', () => {
    expect(
      batchSummary([
        { kind: 'process', order: order('pending') },
        { kind: 'process', order: order('pending') },
        { kind: 'final', order: order('failed', 'EMPTY_CART') },
        { kind: 'final', order: order('failed', 'EMPTY_CART') },
        { kind: 'final', order: order('confirmed') },
      ]),
    ).toEqual({ size: 5, handedOver: 2, answered: { 'failed:EMPTY_CART': 2, confirmed: 1 } });
  });
});
