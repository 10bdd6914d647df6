import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AppError, type ErrorCode, isErrorCode } from './errors';
import type { ProtoGrpcType } from './generated/inventory';
import type { InventoryClient } from './generated/flashsale/inventory/v1/Inventory';

export type { InventoryClient };
export { grpc };

/** protos/ lives at the repository root, beside dist/ and common/. */
export const PROTO_PATH = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []), 'protos', 'inventory.proto');

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

/** Our error codes -> gRPC status: one table for the transport. */
const GRPC_STATUS: Partial<Record<ErrorCode, grpc.status>> = {
  INVALID_REQUEST: grpc.status.INVALID_ARGUMENT,
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

/** The details of a gRPC error start with our code, so the client can map it back. */
export function toServiceError(err: AppError): Partial<grpc.ServiceError> {
  return { code: grpcStatusOf(err.code), details: `${err.code}: ${err.message}` };
}

/** A gRPC error -> AppError (known code) or a retryable SERVICE_UNAVAILABLE. */
export function fromServiceError(err: unknown): AppError {
  const e = err as Partial<grpc.ServiceError>;
  const details = e.details ?? '';
  const sep = details.indexOf(':');
  const code = sep > 0 ? details.slice(0, sep) : '';
  if (isErrorCode(code) && code !== 'SERVICE_UNAVAILABLE') {
    return new AppError({ code, message: details.slice(sep + 1).trim(), cause: err });
  }
  const transient = e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED || e.code === grpc.status.CANCELLED || e.code === grpc.status.RESOURCE_EXHAUSTED || code === 'SERVICE_UNAVAILABLE';
  return new AppError({
    code: transient ? 'SERVICE_UNAVAILABLE' : 'INTERNAL',
    message: `inventory call failed: ${details || (err as Error).message}`,
    retryable: transient,
    cause: err,
  });
}
