import { grpc, serviceError } from '../../../common/src/grpc';
import type { Logger } from '../../../common/src/logger';
import { toStatus } from './status';

/** Calls being served right now (the ops server's in-flight gauge reads it). */
export interface CallStats {
  inFlight: number;
}

/**
 * An async RPC body -> a grpc-js unary handler. grpc-js ignores the promise an
 * async handler returns: a rejection would hang the call. Every handler goes
 * through here, so a rejection becomes a status (status.ts) and the call is
 * counted while it runs. A call without the shared secret, when one is
 * configured, is refused UNAUTHENTICATED before its body runs.
 */
export function unary<Req, Res>(
  log: Logger,
  method: string,
  fn: (req: Req) => Promise<Res>,
  stats: CallStats,
  authorized: (metadata: grpc.Metadata) => boolean = () => true,
): grpc.handleUnaryCall<Req, Res> {
  const methodLog = log.child({ method });
  return (call, callback) => {
    if (!authorized(call.metadata)) {
      methodLog.warn({ peer: call.getPeer() }, 'inventory call without the shared secret refused');
      callback(serviceError(grpc.status.UNAUTHENTICATED, 'UNAUTHENTICATED', 'this call needs the inventory shared secret (INVENTORY_SECRET)') as grpc.ServiceError);
      return;
    }
    stats.inFlight++;
    // A body that throws before its first await rejects too.
    new Promise<Res>((resolve) => resolve(fn(call.request))).then(
      (res) => {
        stats.inFlight--;
        callback(null, res);
      },
      (err: unknown) => {
        stats.inFlight--;
        callback(toStatus(err, methodLog) as grpc.ServiceError);
      },
    );
  };
}
