import pino, { type Logger } from 'pino';

export type { Logger };

/** One root logger per service, one JSON line per event. Children carry orderId/clientId. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // The secrets a log line could carry: the config's own names (a config
    // object logged whole, or one level down) and a request's credentials.
    redact: {
      paths: ['DB_PASSWORD', 'AMQP_URL', '*.DB_PASSWORD', '*.AMQP_URL', 'headers.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
