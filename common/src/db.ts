import mysql, { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import type { Logger } from './logger';
import { TransientError } from './errors';

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
  return pool;
}

const RETRYABLE_ERRNO = new Set([
  1213, // ER_LOCK_DEADLOCK
  1205, // ER_LOCK_WAIT_TIMEOUT
]);

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
  'ETIMEDOUT',
  'EPIPE',
  'ER_CON_COUNT_ERROR',
]);

export function errnoOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'errno' in err ? Number((err as { errno: unknown }).errno) : undefined;
}

export function isDuplicateKey(err: unknown): boolean {
  return errnoOf(err) === 1062;
}

/** Database unreachable or connection lost: the operation may succeed later. */
export function isDbUnavailable(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  return UNAVAILABLE_CODES.has(code);
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
      throw new TransientError('database unavailable', { cause: err });
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
      if (retry || isDbUnavailable(err)) throw new TransientError('database transaction failed after retries', { cause: err });
      throw err;
    } finally {
      conn.release();
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
