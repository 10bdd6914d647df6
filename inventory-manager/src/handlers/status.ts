import { type ErrorCode } from '../../../contracts/errors';
import { AppError, TransientError } from '../../../common/src/errors';
import { grpc, serviceError } from '../../../common/src/grpc';
import type { Logger } from '../../../common/src/logger';

/** The inventory manager's one table from catalog code to gRPC status. */
const GRPC_STATUS: Partial<Record<ErrorCode, grpc.status>> = {
  INVALID_REQUEST: grpc.status.INVALID_ARGUMENT,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PRODUCT_NOT_FOUND: grpc.status.NOT_FOUND,
  ORDER_NOT_FOUND: grpc.status.NOT_FOUND,
  SOLD_OUT: grpc.status.FAILED_PRECONDITION,
  ALL_RESERVED: grpc.status.FAILED_PRECONDITION,
  INSUFFICIENT_STOCK: grpc.status.FAILED_PRECONDITION,
  SERVICE_UNAVAILABLE: grpc.status.UNAVAILABLE,
};

export function grpcStatusOf(code: ErrorCode): grpc.status {
  return GRPC_STATUS[code] ?? grpc.status.INTERNAL;
}

/** Any failure of a handler -> the status the caller gets; unexpected ones are logged. */
export function toStatus(err: unknown, log: Logger): Partial<grpc.ServiceError> {
  if (err instanceof AppError) {
    if (err.code === 'INTERNAL') log.error({ err }, 'inventory call failed');
    else if (err.code === 'SERVICE_UNAVAILABLE') log.warn({ err }, 'inventory call failed, retryable');
    return serviceError(grpcStatusOf(err.code), err.code, err.message);
  }
  if (err instanceof TransientError) {
    log.warn({ err }, 'inventory call failed, retryable');
    return serviceError(grpc.status.UNAVAILABLE, 'SERVICE_UNAVAILABLE', err.message);
  }
  log.error({ err }, 'inventory call failed');
  return serviceError(grpc.status.INTERNAL, 'INTERNAL', 'unexpected error');
}
