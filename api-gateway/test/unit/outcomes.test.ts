import { ERROR_CATALOG, ERROR_CODES, type ErrorCode } from '../../../contracts/errors';
import type { CheckoutReply } from '../../../contracts/messages';
import { addToCartOutcome, checkoutOutcome, failure } from '../../src/domain/outcomes';

const ORDER = '3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d';
const reply = (r: Partial<CheckoutReply>): CheckoutReply => ({ orderID: ORDER, status: 'failed', code: '', error: '', totalCents: 0, ...r });

/** The statuses the README and the OpenAPI document promise, written out by hand. */
const DOCUMENTED_STATUS: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  PRODUCT_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  METHOD_NOT_ALLOWED: 405,
  INSUFFICIENT_STOCK: 409,
  SOLD_OUT: 409,
  ALL_RESERVED: 409,
  CHECKOUT_IN_PROGRESS: 409,
  EMPTY_CART: 400,
  PAYMENT_DECLINED: 402,
  RESERVATION_EXPIRED: 409,
  DEAL_NOT_ACTIVE: 409,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

describe('failure', () => {
  it.each(ERROR_CODES.map((c) => [c]))('when the code is %s, then the status comes from the one catalog', (code) => {
    const out = failure(code as ErrorCode, 'why');
    expect(out.status).toBe(DOCUMENTED_STATUS[code as ErrorCode]);
    expect(out.body).toEqual({ status: 'Failed', error: 'why', code });
    expect(out.retryAfter).toBe(code === 'ALL_RESERVED' || code === 'SERVICE_UNAVAILABLE');
  });

  it('when an order exists, then the body carries its orderID', () => {
    expect(failure('SOLD_OUT', 'gone', ORDER).body).toEqual({ status: 'Failed', error: 'gone', code: 'SOLD_OUT', orderID: ORDER });
  });
});

describe('addToCartOutcome', () => {
  it('when the cart manager says ok, then 200 Success with an empty error', () => {
    expect(addToCartOutcome({ timedOut: false, reply: { ok: true, code: '', error: '' } })).toEqual({
      status: 200,
      body: { status: 'Success', error: '' },
      retryAfter: false,
    });
  });

  it.each([
    ['PRODUCT_NOT_FOUND', 404, false],
    ['INSUFFICIENT_STOCK', 409, false],
    ['SOLD_OUT', 409, false],
    ['ALL_RESERVED', 409, true],
    ['INVALID_REQUEST', 400, false],
  ] as const)('when it refuses with %s, then %i (Retry-After: %s)', (code, status, retryAfter) => {
    const out = addToCartOutcome({ timedOut: false, reply: { ok: false, code, error: 'no' } });
    expect(out).toEqual({ status, body: { status: 'Failed', error: 'no', code }, retryAfter });
  });

  it('when it refuses without a message, then the catalog description is the message', () => {
    const out = addToCartOutcome({ timedOut: false, reply: { ok: false, code: 'SOLD_OUT', error: '' } });
    expect((out.body as { error: string }).error).toBe(ERROR_CATALOG.SOLD_OUT.description);
  });

  it('when it refuses without a code, then 500 INTERNAL', () => {
    expect(addToCartOutcome({ timedOut: false, reply: { ok: false, code: '', error: 'boom' } }).status).toBe(500);
  });

  it.each(['timeout', 'connection-lost', 'bad-reply'] as const)('when there is no reply (%s), then 503 with Retry-After asking to retry with the same key', (reason) => {
    const out = addToCartOutcome({ timedOut: true, reason });
    expect(out.status).toBe(503);
    expect(out.retryAfter).toBe(true);
    expect(out.body).toMatchObject({ status: 'Failed', code: 'SERVICE_UNAVAILABLE' });
    expect((out.body as { error: string }).error).toMatch(/same Idempotency-Key/);
  });
});

describe('checkoutOutcome', () => {
  it('when confirmed, then 200 with the order id and the total in cents', () => {
    expect(checkoutOutcome(ORDER, { timedOut: false, reply: reply({ status: 'confirmed', totalCents: 1998 }) })).toEqual({
      status: 200,
      body: { status: 'Success', error: '', orderID: ORDER, total: 1998 },
      retryAfter: false,
      orderId: ORDER,
    });
  });

  it.each([
    ['PAYMENT_DECLINED', 402, false],
    ['SOLD_OUT', 409, false],
    ['ALL_RESERVED', 409, true],
    ['RESERVATION_EXPIRED', 409, false],
    ['CHECKOUT_IN_PROGRESS', 409, false],
    ['DEAL_NOT_ACTIVE', 409, false],
    ['EMPTY_CART', 400, false],
  ] as const)('when failed with %s, then %i with the orderID (Retry-After: %s)', (code, status, retryAfter) => {
    const out = checkoutOutcome(ORDER, { timedOut: false, reply: reply({ code, error: 'because' }) });
    expect(out).toEqual({ status, body: { status: 'Failed', error: 'because', code, orderID: ORDER }, retryAfter, orderId: ORDER });
  });

  it('when failed without a code, then 500 INTERNAL that still names the order', () => {
    const out = checkoutOutcome(ORDER, { timedOut: false, reply: reply({ error: 'odd' }) });
    expect(out.status).toBe(500);
    expect(out.body).toMatchObject({ code: 'INTERNAL', orderID: ORDER });
  });

  it.each([
    ['the reply says pending', { timedOut: false as const, reply: reply({ status: 'pending' }) }],
    ['no reply came in time', { timedOut: true as const, reason: 'timeout' as const }],
    ['the connection was lost after the job was queued', { timedOut: true as const, reason: 'connection-lost' as const }],
  ])('when %s, then 202 Pending with Retry-After and the orderID', (_label, result) => {
    expect(checkoutOutcome(ORDER, result)).toEqual({ status: 202, body: { status: 'Pending', error: '', orderID: ORDER }, retryAfter: true, orderId: ORDER });
  });
});
