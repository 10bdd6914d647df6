/**
 * Pure mapping from what the workers answered (or did not) to the HTTP reply.
 * One table decides the status of a code: httpStatusOf in http/status.ts.
 */
import { ERROR_CATALOG, type ErrorCode } from '../../../contracts/errors';
import { httpStatusOf } from '../http/status';
import type { AddToCartReply, CheckoutReply } from '../../../contracts/messages';
import { IDEMPOTENCY_KEY_HEADER, RETRY_AFTER_CODES } from '../http/contract';

export interface FailureBody {
  status: 'Failed';
  error: string;
  code: ErrorCode;
  orderID?: string;
}

export interface HttpReply {
  status: number;
  body: unknown;
  /** Send Retry-After (the configured seconds). */
  retryAfter: boolean;
  /** For the request log line. */
  orderId?: string;
}

/** Why no reply came: the wait ran out, the broker connection (and with it the reply address) died, or the reply was unreadable. */
export type NoReplyReason = 'timeout' | 'connection-lost' | 'bad-reply';

export type RpcResult<T> = { timedOut: false; reply: T } | { timedOut: true; reason: NoReplyReason };

export function failureBody(code: ErrorCode, error: string, orderID?: string): FailureBody {
  return orderID === undefined ? { status: 'Failed', error, code } : { status: 'Failed', error, code, orderID };
}

export function failure(code: ErrorCode, error: string, orderID?: string): HttpReply {
  return {
    status: httpStatusOf(code),
    body: failureBody(code, error, orderID),
    retryAfter: RETRY_AFTER_CODES.has(code),
    ...(orderID === undefined ? {} : { orderId: orderID }),
  };
}

const noReplyText: Record<NoReplyReason, string> = {
  timeout: 'did not answer in time',
  'connection-lost': 'could not answer: the connection to the message broker was lost',
  'bad-reply': 'sent an unreadable answer',
};

export function addToCartOutcome(result: RpcResult<AddToCartReply>): HttpReply {
  if (result.timedOut) {
    return failure(
      'SERVICE_UNAVAILABLE',
      `the cart service ${noReplyText[result.reason]}; the line may or may not have been added: ` +
        `retry with the same ${IDEMPOTENCY_KEY_HEADER} header so it is added only once`,
    );
  }
  const reply = result.reply;
  if (reply.ok) return { status: 200, body: { status: 'Success', error: '' }, retryAfter: false };
  if (reply.code === '') return failure('INTERNAL', reply.error || 'the cart service failed without an error code');
  return failure(reply.code, reply.error || ERROR_CATALOG[reply.code].description);
}

export function pending(orderID: string): HttpReply {
  return { status: 202, body: { status: 'Pending', error: '', orderID }, retryAfter: true, orderId: orderID };
}

/**
 * A checkout whose outcome is unknown is not a failure: the job is durably
 * queued (the publish was confirmed), so the order will resolve; the client
 * polls GET /orders/:orderID or retries with its Idempotency-Key.
 */
export function checkoutOutcome(orderID: string, result: RpcResult<CheckoutReply>): HttpReply {
  if (result.timedOut) return pending(orderID);
  const reply = result.reply;
  switch (reply.status) {
    case 'confirmed':
      return { status: 200, body: { status: 'Success', error: '', orderID: reply.orderID, total: reply.totalCents }, retryAfter: false, orderId: reply.orderID };
    case 'failed':
      if (reply.code === '') return failure('INTERNAL', reply.error || 'the checkout failed without an error code', reply.orderID);
      return failure(reply.code, reply.error || ERROR_CATALOG[reply.code].description, reply.orderID);
    case 'pending':
      return pending(reply.orderID);
  }
}
