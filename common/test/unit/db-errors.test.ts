/**
 * The one table that turns "the database cannot be reached" into the catalog's
 * SERVICE_UNAVAILABLE, and the one-line message of a port in use. Pure.
 */
import { dbUnavailableReason, isDbUnavailable, toDbError } from '../../src/db';
import { AppError } from '../../src/errors';
import { listenError, StartupError } from '../../src/lifecycle';

function driverError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`driver says ${code} with secrets`), { code, ...extra });
}

describe('database errors', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused'],
    ['ER_ACCESS_DENIED_ERROR', 'access denied'],
    ['ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'access denied'],
    ['PROTOCOL_CONNECTION_LOST', 'server closed the connection'],
    ['ETIMEDOUT', 'connect timed out'],
    ['ER_CON_COUNT_ERROR', 'too many connections'],
    ['ENOTFOUND', 'host not found'],
    ['ER_BAD_DB_ERROR', 'unknown database'],
  ])('when the driver fails with %s, then it is SERVICE_UNAVAILABLE, retryable, reason "%s"', (code, reason) => {
    const err = driverError(code);
    expect(dbUnavailableReason(err)).toBe(reason);
    const mapped = toDbError(err);
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true, cause: err });
    expect((mapped as Error).message).not.toContain('secrets');
    // Mapped once, recognised again (readiness reads the reason through the cause).
    expect(dbUnavailableReason(mapped)).toBe(reason);
    expect(toDbError(mapped)).toBe(mapped);
  });

  it('when the pool cannot hand out a connection, or a connection died (fatal), then it is unavailable', () => {
    expect(dbUnavailableReason(new Error('Pool is closed.'))).toBe('pool closed');
    expect(dbUnavailableReason(new Error('No connections available.'))).toBe('no connection available');
    expect(isDbUnavailable(driverError('PROTOCOL_PACKETS_OUT_OF_ORDER', { fatal: true }))).toBe(true);
  });

  it('when a host name resolves to several addresses and all refuse, then the AggregateError is unavailable', () => {
    const err = new AggregateError([driverError('ECONNREFUSED'), driverError('ECONNREFUSED')], 'connect failed');
    expect(dbUnavailableReason(err)).toBe('connection refused');
  });

  it('when the error is about the query (duplicate key, deadlock, syntax), then it is left unchanged', () => {
    for (const code of ['ER_DUP_ENTRY', 'ER_LOCK_DEADLOCK', 'ER_PARSE_ERROR']) {
      const err = driverError(code);
      expect(isDbUnavailable(err)).toBe(false);
      expect(toDbError(err)).toBe(err);
    }
    const broker = new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'message broker unavailable', retryable: true });
    expect(isDbUnavailable(broker)).toBe(false);
  });
});

describe('listen errors', () => {
  it('when the port is in use, then one line names the service, the port and the variable', () => {
    const err = listenError(driverError('EADDRINUSE'), 5003, { service: 'api-gateway', portVariable: 'PORT' });
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toBe('api-gateway: port 5003 is already in use; set PORT to another port');
  });

  it('when grpc-js reports the busy port only in its message, then it is recognised too', () => {
    const grpcError = new Error('No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 0.0.0.0:9100]');
    const err = listenError(grpcError, 9100, { service: 'inventory-manager', portVariable: 'GRPC_PORT' });
    expect((err as Error).message).toBe('inventory-manager: port 9100 is already in use; set GRPC_PORT to another port');
  });

  it('when the failure is something else, then it is left unchanged', () => {
    const other = driverError('EINVAL');
    expect(listenError(other, 1, { service: 's', portVariable: 'PORT' })).toBe(other);
  });
});
