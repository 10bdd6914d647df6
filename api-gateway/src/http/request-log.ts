import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from '../../../common/src/logger';

/** Probes and docs are polled often: keep them out of the info log. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/openapi.json']);

/**
 * One line per request, written when the response ends (or the client goes
 * away). Cheap: no child logger unless the level is enabled.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // Captured now: a mounted middleware (Swagger UI) rewrites req.url later.
    const path = req.path;
    res.once('close', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'warn' : QUIET_PATHS.has(path) || path.startsWith('/documentation') ? 'debug' : 'info';
      if (!log.isLevelEnabled(level)) return;
      const fields: Record<string, unknown> = {
        method: req.method,
        path,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      if (res.locals.orderId) fields.orderId = res.locals.orderId;
      if (!res.writableFinished) fields.aborted = true;
      log.child(fields)[level]('request');
    });
    next();
  };
}
