/**
 * The one place that says what a dead-lettered message carries: the reason
 * (`CODE: message`, cut to 1,000 characters) and the queue it came from, as
 * the consumers and the checkout manager's park write them.
 */
import { deadLetterHeaders, rejectionReason, settlementOf } from '../../src/amqp/consume';
import { AppError } from '../../src/errors';

describe('dead-letter headers', () => {
  it('when the reason is long, then it is cut to 1,000 characters; the queue is kept as given', () => {
    expect(deadLetterHeaders('x'.repeat(1_500), 'p.checkout.process')).toEqual({ 'x-rejection-reason': 'x'.repeat(1_000), 'x-original-queue': 'p.checkout.process' });
    expect(deadLetterHeaders('ORDER_NOT_FOUND: gone', 'q')).toEqual({ 'x-rejection-reason': 'ORDER_NOT_FOUND: gone', 'x-original-queue': 'q' });
  });

  it('when the error is an AppError, then the reason is `CODE: message`; anything else, its string', () => {
    expect(rejectionReason(new AppError({ code: 'ORDER_NOT_FOUND', message: 'order o1 does not exist' }))).toBe('ORDER_NOT_FOUND: order o1 does not exist');
    expect(rejectionReason(new Error('boom'))).toBe('Error: boom');
    expect(rejectionReason('plain')).toBe('plain');
  });

  it('when a final error is settled, then its dead-letter reason is the same text; a transient one is retried', () => {
    const final = new AppError({ code: 'ORDER_NOT_FOUND', message: 'order o1 does not exist' });
    expect(settlementOf(final)).toEqual({ kind: 'dead-letter', reason: rejectionReason(final) });
    const transient = new Error('deadlock');
    expect(settlementOf(transient)).toEqual({ kind: 'retry', err: transient });
  });
});
