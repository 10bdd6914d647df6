import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import type { Logger } from './logger';
import { AppError, TransientError } from './errors';
import type { DependencyCheck, DependencyStatus } from './readiness';

export type { Pool, PoolConnection, ResultSetHeader, RowDataPacket };

export interface DbConfig {
  DB_HOST: string;
  DB_PORT: number;
  DB_USER: string;
  DB_PASSWORD: string;
  DB_NAME: string;
}

/**
 * A pool whose every connection runs in UTC and READ COMMITTED: locking reads
 * then see the latest committed rows (no stale snapshot after SELECT ... FOR
 * UPDATE), and InnoDB takes no gap locks on missing keys, which keeps short
 * transactions on different orders from deadlocking each other.
 */
export function createPool(config: DbConfig, connectionLimit: number): Pool {
  const pool = mysql.createPool({
    host: config.DB_HOST,
    port: config.DB_PORT,
    user: config.DB_USER,
    password: config.DB_PASSWORD,
    database: config.DB_NAME,
    connectionLimit,
    maxIdle: connectionLimit,
    waitForConnections: true,
    queueLimit: 0,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    decimalNumbers: true,
    enableKeepAlive: true,
  });
  // The callback pool underneath emits 'connection' once per new connection.
  pool.pool.on('connection', (conn) => {
    conn.query("SET SESSION time_zone = '+00:00'");
    conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  });
  // Every service reads through these: a database it cannot reach rejects with
  // the catalog's SERVICE_UNAVAILABLE (retryable), whatever the caller.
  pool.query = rethrowAsDbError(pool.query.bind(pool)) as Pool['query'];
  pool.execute = rethrowAsDbError(pool.execute.bind(pool)) as Pool['execute'];
  pool.getConnection = rethrowAsDbError(pool.getConnection.bind(pool));
  return pool;
}

function rethrowAsDbError<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) =>
    call(...args).catch((err: unknown) => {
      throw toDbError(err);
    });
}

const RETRYABLE_ERRNO = new Set([
  1213, // ER_LOCK_DEADLOCK
  1205, // ER_LOCK_WAIT_TIMEOUT
]);

/**
 * The one table of "the database cannot be reached": the driver's and the
 * server's connection-class codes, each with the short reason /readyz shows.
 * An error with one of these codes (or marked fatal by mysql2: the connection
 * is dead) becomes SERVICE_UNAVAILABLE, never INTERNAL.
 */
const UNAVAILABLE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connect timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  PROTOCOL_CONNECTION_LOST: 'server closed the connection',
  PROTOCOL_SEQUENCE_TIMEOUT: 'no answer in time',
  ER_ACCESS_DENIED_ERROR: 'access denied',
  ER_ACCESS_DENIED_NO_PASSWORD_ERROR: 'access denied',
  ER_DBACCESS_DENIED_ERROR: 'access denied to the database',
  ER_BAD_DB_ERROR: 'unknown database',
  ER_CON_COUNT_ERROR: 'too many connections',
  ER_TOO_MANY_USER_CONNECTIONS: 'too many connections',
  ER_HOST_IS_BLOCKED: 'host blocked',
  ER_HOST_NOT_PRIVILEGED: 'host not allowed',
  ER_ACCOUNT_HAS_BEEN_LOCKED: 'account locked',
  ER_SERVER_SHUTDOWN: 'server shutting down',
};

/** MariaDB-only server errors mysql2 has no code name for. */
const UNAVAILABLE_ERRNO_REASONS: Readonly<Record<number, string>> = {
  1927: 'connection killed', // ER_CONNECTION_KILLED
};

/** mysql2's pool errors carry no code, only these messages. */
const POOL_REASONS: Readonly<Record<string, string>> = {
  'Pool is closed.': 'pool closed',
  'No connections available.': 'no connection available',
  'Queue limit reached.': 'no connection available',
};

export function errnoOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'errno' in err ? Number((err as { errno: unknown }).errno) : undefined;
}

export function isDuplicateKey(err: unknown): boolean {
  return errnoOf(err) === 1062;
}

/**
 * Why the database cannot be reached ('access denied', 'connection refused'...),
 * or null when `err` is not a connection-class failure. Looks through `cause`
 * (an error already mapped by toDbError) and AggregateError's `errors` (a host
 * name resolving to several addresses).
 */
export function dbUnavailableReason(err: unknown, depth = 0): string | null {
  if (typeof err !== 'object' || err === null || depth > 5) return null;
  const e = err as { code?: unknown; fatal?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (Object.prototype.hasOwnProperty.call(UNAVAILABLE_REASONS, code)) return UNAVAILABLE_REASONS[code]!;
  const errno = errnoOf(err);
  if (errno !== undefined && Object.prototype.hasOwnProperty.call(UNAVAILABLE_ERRNO_REASONS, errno)) return UNAVAILABLE_ERRNO_REASONS[errno]!;
  if (typeof e.message === 'string' && Object.prototype.hasOwnProperty.call(POOL_REASONS, e.message)) return POOL_REASONS[e.message]!;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const reason = dbUnavailableReason(inner, depth + 1);
      if (reason) return reason;
    }
  }
  if (e.cause !== undefined) {
    const reason = dbUnavailableReason(e.cause, depth + 1);
    if (reason) return reason;
  }
  // mysql2 marks an error fatal when the connection it happened on is dead.
  if (e.fatal === true) return code ? `connection failed (${code})` : 'connection failed';
  return null;
}

/** Database unreachable or connection lost: the operation may succeed later. */
export function isDbUnavailable(err: unknown): boolean {
  return dbUnavailableReason(err) !== null;
}

/**
 * A connection-class failure -> the catalog's SERVICE_UNAVAILABLE (retryable:
 * the gateway answers 503 with Retry-After, workers requeue, gRPC UNAVAILABLE);
 * anything else unchanged. The driver's text (user names, hosts) stays in `cause`.
 */
export function toDbError(err: unknown): unknown {
  if (err instanceof AppError || !isDbUnavailable(err)) return err;
  return new AppError({ code: 'SERVICE_UNAVAILABLE', message: 'the database is unavailable, retry later', retryable: true, cause: err });
}

/**
 * Readiness probe of the database: SELECT 1 through the pool, bounded by
 * `timeoutMs` (waiting for a pooled connection included). Never rejects:
 * 'up', or 'down: <short reason>' (no driver text: /readyz may be public).
 * Concurrent probes share one query.
 */
export function databaseCheck(pool: Pool, timeoutMs = 2_000): DependencyCheck {
  let inFlight: Promise<DependencyStatus> | null = null;
  const probe = async (): Promise<DependencyStatus> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<DependencyStatus>((resolve) => {
      timer = setTimeout(() => resolve(`down: no answer within ${timeoutMs} ms`), timeoutMs);
    });
    const query = pool.query({ sql: 'SELECT 1', timeout: timeoutMs }).then(
      (): DependencyStatus => 'up',
      (err: unknown): DependencyStatus => `down: ${dbUnavailableReason(err) ?? 'query failed'}`,
    );
    try {
      return await Promise.race([query, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  return () => {
    inFlight ??= probe().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}

/** Thrown inside a transaction body to ask withTransaction for a clean retry. */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

export interface TransactionOptions {
  log?: Logger;
  /** Attempts in all, including the first. */
  attempts?: number;
}

/**
 * Run `work` in one transaction: begin, commit; on error roll back and rethrow;
 * release in finally. Deadlocks and lock wait timeouts (and RetryTransaction)
 * are retried a bounded number of times with jitter, then fail loudly.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (conn: PoolConnection) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    let conn: PoolConnection;
    try {
      conn = await pool.getConnection();
    } catch (err) {
      const mapped = toDbError(err);
      throw mapped instanceof AppError ? mapped : new TransientError('database unavailable', { cause: err });
    }
    try {
      await conn.beginTransaction();
      const result = await work(conn);
      await conn.commit();
      return result;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      const retry = err instanceof RetryTransaction || RETRYABLE_ERRNO.has(errnoOf(err) ?? 0);
      if (retry && attempt < attempts) {
        options.log?.warn({ err, attempt }, 'transaction conflict, retrying');
        await sleep(5 * attempt + Math.random() * 20 * attempt);
        continue;
      }
      if (retry) throw new TransientError('database transaction failed after retries', { cause: err });
      throw toDbError(err);
    } finally {
      conn.release();
    }
  }
}
