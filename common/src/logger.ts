import pino, { type Logger } from 'pino';

export type { Logger };

/** One root logger per service, one JSON line per event. Children carry orderId/clientId. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.password', '*.url', 'config.amqpUrl', 'config.dbPassword'], censor: '[redacted]' },
  });
}
