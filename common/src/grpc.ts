import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { type ErrorCode, isErrorCode } from '../../contracts/errors';
import { AppError } from './errors';
import type { ProtoGrpcType } from './generated/inventory';
import type { InventoryClient } from './generated/flashsale/inventory/v1/Inventory';
import { REPO_ROOT } from './paths';

export type { InventoryClient };
export { grpc };

export const PROTO_PATH = path.join(REPO_ROOT, 'protos', 'inventory.proto');

export function loadInventoryProto(): ProtoGrpcType {
  const definition = protoLoader.loadSync(PROTO_PATH, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
}

/**
 * The catalog code of a failed call rides in the trailing metadata under this
 * key; the gRPC status says what kind of failure it is for any gRPC client,
 * and the details stay a message for humans.
 */
export const ERROR_CODE_KEY = 'flashsale-error-code';

/** A status for grpc-js's callback, carrying the catalog code in the trailers. */
export function serviceError(status: grpc.status, code: ErrorCode, message: string): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_KEY, code);
  return { code: status, details: message, metadata };
}

const TRANSIENT = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED, grpc.status.RESOURCE_EXHAUSTED]);

/**
 * A failed call -> AppError: the catalog code from the trailers when the
 * server sent one (a refusal such as SOLD_OUT, or SERVICE_UNAVAILABLE), else
 * a transport failure, retryable when the status says the call may succeed
 * if repeated.
 */
export function fromServiceError(err: unknown): AppError {
  const e = err as Partial<grpc.ServiceError>;
  const details = e.details ?? (err as Error).message;
  const sent = e.metadata?.get(ERROR_CODE_KEY)[0];
  const transient = e.code !== undefined && TRANSIENT.has(e.code);
  if (isErrorCode(sent) && sent !== 'INTERNAL') {
    return new AppError({ code: sent, message: details, retryable: sent === 'SERVICE_UNAVAILABLE', cause: err });
  }
  return new AppError({
    code: transient ? 'SERVICE_UNAVAILABLE' : 'INTERNAL',
    message: `inventory call failed: ${details}`,
    retryable: transient,
    cause: err,
  });
}
