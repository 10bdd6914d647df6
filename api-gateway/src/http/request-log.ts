import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from '../../../common/src/logger';

/** Probes and docs are polled often: keep them out of the info log. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/openapi.json']);

/**
 * The level of a request's line: a failure of ours (5xx) warns; a refusal
 * (4xx: sold out, bad input, 503 is 5xx) is info; a success is debug, because
 * under a burst one info line per answered request was a tenth of the
 * gateway's CPU (pino's write and formatting in its profile) and says nothing
 * the metrics do not.
 */
export function requestLogLevel(status: number, path: string): 'warn' | 'info' | 'debug' {
  if (status >= 500) return 'warn';
  if (status < 400 || QUIET_PATHS.has(path) || path.startsWith('/documentation')) return 'debug';
  return 'info';
}

/**
 * One line per request, written when the response ends (or the client goes
 * away). Cheap: nothing is built unless the level is enabled.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // Captured now: a mounted middleware (Swagger UI) rewrites req.url later.
    const path = req.path;
    res.once('close', () => {
      const status = res.statusCode;
      const level = requestLogLevel(status, path);
      if (!log.isLevelEnabled(level)) return;
      const fields: Record<string, unknown> = {
        method: req.method,
        path,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      if (res.locals.orderId) fields.orderId = res.locals.orderId;
      if (!res.writableFinished) fields.aborted = true;
      log[level](fields, 'request');
    });
    next();
  };
}
