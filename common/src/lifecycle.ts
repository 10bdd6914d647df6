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
      log.fatal({ err }, 'failed to start');
      process.exit(1);
    });
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
