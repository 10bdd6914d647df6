import { Writable } from 'node:stream';
import type { ConsumeMessage } from 'amqplib';
import { z } from 'zod';
import { parseDelivery } from '../../src/amqp/consume';
import { createLogger } from '../../src/logger';

const message = (body: unknown, messageId = 'm-1'): ConsumeMessage =>
  ({ content: Buffer.from(JSON.stringify(body)), properties: { messageId, headers: { 'x-delivery-count': 2 } }, fields: { redelivered: true } }) as unknown as ConsumeMessage;

describe('parseDelivery', () => {
  const spec = { queue: 'p.cart.add', schema: z.object({ orderID: z.string() }), logFields: (m: { orderID: string }) => ({ orderId: m.orderID }) };

  it('makes the message\'s child logger only when it is used, with its correlation fields', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
    const root = createLogger('test', 'info', sink);
    const child = jest.spyOn(root, 'child');
    const parsed = parseDelivery(message({ orderID: 'o-1' }), spec, root);
    if ('reason' in parsed) throw new Error(parsed.reason);
    expect(child).not.toHaveBeenCalled();
    expect(parsed.ctx).toMatchObject({ messageId: 'm-1', redelivered: true, deliveryCount: 2 });
    parsed.ctx.log.info('first');
    parsed.ctx.log.info('second');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      expect.objectContaining({ queue: 'p.cart.add', messageId: 'm-1', deliveryCount: 2, orderId: 'o-1', msg: 'first' }),
      expect.objectContaining({ orderId: 'o-1', msg: 'second' }),
    ]);
  });

  it('names what is wrong with a message that does not fit its schema', () => {
    const parsed = parseDelivery(message({ orderID: 7 }), spec, createLogger('test', 'silent'));
    expect('reason' in parsed && parsed.reason).toMatch(/^INVALID_REQUEST: orderID: /);
  });
});
