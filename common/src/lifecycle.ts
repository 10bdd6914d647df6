import net from 'node:net';
import type { Logger } from './logger';

/**
 * Run a service: start it, then stop it once on SIGTERM/SIGINT. A failed start
 * or stop exits non-zero with the error logged.
 */
export function runService(log: Logger, start: () => Promise<() => Promise<void>>): void {
  let stopping = false;
  start()
    .then((stop) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        const force = setTimeout(() => {
          log.error('shutdown took too long, exiting');
          process.exit(1);
        }, 20_000);
        force.unref();
        stop()
          .then(() => {
            log.info('stopped');
            process.exit(0);
          })
          .catch((err: unknown) => {
            log.error({ err }, 'shutdown failed');
            process.exit(1);
          });
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    })
    .catch((err: unknown) => {
      if (err instanceof StartupError) {
        // The message is the whole story (what, and which variable to change): one line, no stack.
        process.stderr.write(`${err.message}\n`);
      } else {
        log.fatal({ err }, 'failed to start');
      }
      process.exit(1);
    });
}

/**
 * A start failure an operator fixes by changing the configuration: runService
 * prints its message as one line on stderr, no stack trace, and exits 1.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface ListenerName {
  /** The service, first word of the message: `api-gateway`. */
  service: string;
  /** The environment variable that sets this port: `PORT`, `OPS_PORT`, `GRPC_PORT`. */
  portVariable: string;
  /** Appended to the message, e.g. what else must change with the port. */
  hint?: string;
}

function errorCodeOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // grpc-js reports a failed bind only in its message: "... [listen EADDRINUSE: ...]".
  const found = /\b(EADDRINUSE|EACCES)\b/.exec(String((err as { message?: unknown }).message ?? ''));
  return found?.[1] ?? '';
}

/** A listen/bind failure -> a StartupError naming the port and the variable to change; other errors unchanged. */
export function listenError(err: unknown, port: number, name: ListenerName): unknown {
  const hint = name.hint ? ` ${name.hint}` : '';
  switch (errorCodeOf(err)) {
    case 'EADDRINUSE':
      return new StartupError(`${name.service}: port ${port} is already in use; set ${name.portVariable} to another port${hint}`, { cause: err });
    case 'EACCES':
      return new StartupError(`${name.service}: not allowed to listen on port ${port}; set ${name.portVariable} to a port above 1023${hint}`, { cause: err });
    default:
      return err;
  }
}

/**
 * Bind an HTTP server (first thing a service does, before it connects to
 * anything, so a port conflict is reported at once). Resolves with the bound
 * port; a port in use rejects with a one-line StartupError.
 */
export async function listen(server: net.Server, options: { host: string; port: number; backlog?: number }, name: ListenerName): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port, host: options.host, ...(options.backlog === undefined ? {} : { backlog: options.backlog }) }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw listenError(err, options.port, name);
  }
  return (server.address() as net.AddressInfo).port;
}

/**
 * For listeners whose library reports a busy port badly (grpc-js logs its own
 * error line): bind the address for a moment and let go. Port 0 is always free.
 */
export async function ensurePortFree(host: string, port: number, name: ListenerName): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await listen(probe, { host, port }, name);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** For config errors before any logger exists: one clear line, exit 1. */
export function exitOnConfigError<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
