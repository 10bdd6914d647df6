/**
 * What the integration tests need before any of them starts: this machine's
 * MariaDB (a real login, not just an open port) and RabbitMQ (an AMQP
 * connection), where DB_* and AMQP_URL say, else the services' defaults.
 * waitForInfrastructure waits a bounded time for both and fails with one
 * message naming what is missing and how to start it.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import mysql from 'mysql2/promise';
import { amqpUrlFromEnv, type DbServer, dbServerFromEnv } from '../../tools/lib/infrastructure';

export { amqpUrlFromEnv, DEFAULT_AMQP_URL, dbServerFromEnv } from '../../tools/lib/infrastructure';

export interface Dependency {
  name: string;
  /** Where it is looked for (no password). */
  where: string;
  /** Resolves when it answers as the tests need it; rejects with why not. */
  probe: () => Promise<void>;
  /** An error waiting will not cure (wrong credentials): stop waiting at once. */
  hopeless: (err: unknown) => boolean;
  /** How to start it on this machine. */
  howToStart: string;
  /** What to set when it refuses the login. */
  credentials: string;
}

export interface DependencyState {
  dependency: Dependency;
  up: boolean;
  /** It answered but refused the login: waiting would not help. */
  refused?: boolean;
  /** Why not, when not up. */
  reason?: string;
}

const PROBE_TIMEOUT_MS = 3_000;

export function mariaDb(server: DbServer = dbServerFromEnv()): Dependency {
  return {
    name: 'MariaDB',
    where: `${server.DB_HOST}:${server.DB_PORT} (user ${server.DB_USER}; DB_HOST, DB_PORT, DB_USER, DB_PASSWORD)`,
    probe: async () => {
      await tcpConnect(server.DB_HOST, server.DB_PORT);
      const conn = await mysql.createConnection({ host: server.DB_HOST, port: server.DB_PORT, user: server.DB_USER, password: server.DB_PASSWORD, connectTimeout: PROBE_TIMEOUT_MS });
      try {
        await conn.query('SELECT 1');
      } finally {
        await conn.end().catch(() => undefined);
      }
    },
    hopeless: (err) => (err as { errno?: number }).errno === 1045 || (err as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR',
    howToStart: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    credentials: 'DB_USER and DB_PASSWORD (an account that may create and drop databases)',
  };
}

export function rabbitMq(url: string = amqpUrlFromEnv()): Dependency {
  return {
    name: 'RabbitMQ',
    where: `${redact(url)} (AMQP_URL)`,
    probe: async () => {
      const conn = await amqp.connect(url, { timeout: PROBE_TIMEOUT_MS });
      await conn.close().catch(() => undefined);
    },
    hopeless: (err) => /ACCESS_REFUSED|403/.test(String((err as Error)?.message ?? err)),
    howToStart: 'rabbitmq-server -detached',
    credentials: "AMQP_URL's user and password",
  };
}

/** Probe each dependency until it answers, it cannot (hopeless), or timeoutMs passed; all at once. */
export async function checkDependencies(dependencies: readonly Dependency[], timeoutMs: number, intervalMs = 500): Promise<DependencyState[]> {
  const deadline = Date.now() + timeoutMs;
  return Promise.all(
    dependencies.map(async (dependency): Promise<DependencyState> => {
      for (;;) {
        try {
          await dependency.probe();
          return { dependency, up: true };
        } catch (err) {
          const reason = reasonOf(err);
          if (dependency.hopeless(err)) return { dependency, up: false, refused: true, reason };
          if (Date.now() + intervalMs > deadline) return { dependency, up: false, reason };
        }
        await sleep(intervalMs);
      }
    }),
  );
}

/** The one message when something is missing: each dependency, up or what is wrong and how to fix it. */
export function missingMessage(states: readonly DependencyState[], waitedMs: number): string {
  const names = (list: readonly DependencyState[]) => list.map((s) => s.dependency.name).join(' and ');
  const silent = states.filter((s) => !s.up && !s.refused);
  const refused = states.filter((s) => !s.up && s.refused);
  const problems = [
    ...(silent.length ? [`${names(silent)} did not answer within ${Math.round(waitedMs / 1000)} s`] : []),
    ...(refused.length ? [`${names(refused)} refused the login`] : []),
  ];
  const lines = [`Integration tests need ${names(states)}: ${problems.join('; ')}.`];
  for (const { dependency, up, refused: denied, reason } of states) {
    if (up) lines.push(`  ${dependency.name} at ${dependency.where}: up`);
    else if (denied) lines.push(`  ${dependency.name} at ${dependency.where}: LOGIN REFUSED (${reason})`, `    set ${dependency.credentials}`);
    else lines.push(`  ${dependency.name} at ${dependency.where}: MISSING (${reason})`, `    start it: ${dependency.howToStart}`);
  }
  if (silent.length) lines.push('  or bring up both with: ./setup.sh infra');
  return lines.join('\n');
}

/** Wait (bounded) for MariaDB and RabbitMQ; throws one message naming what is missing. */
export async function waitForInfrastructure(options: { timeoutMs?: number; dependencies?: readonly Dependency[] } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = Date.now();
  const states = await checkDependencies(options.dependencies ?? [mariaDb(), rabbitMq()], timeoutMs);
  if (states.every((s) => s.up)) return;
  const error = new Error(missingMessage(states, Date.now() - started));
  error.stack = error.message; // the message is the whole story; no stack trace
  throw error;
}

function tcpConnect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${PROBE_TIMEOUT_MS} ms`));
    });
    socket.once('error', reject);
  });
}

function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] };
  // net's AggregateError (several addresses) carries its reasons inside
  if (Array.isArray(e?.errors) && e.errors.length > 0) return reasonOf(e.errors[0]);
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : typeof e?.code === 'string' ? e.code : String(err);
  return message.split('\n')[0]!;
}

/** A URL without its password. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
