import { performance } from 'node:perf_hooks';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../../../common/src/logger';
import type { prom } from '../../../common/src/metrics';

/** Probes and docs are polled often: keep them out of the info log. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/openapi.json']);

/**
 * Answers that are a sale's ordinary outcome, not a client's mistake: 402 (the
 * payment was declined) and 409 (sold out, all reserved, a checkout in
 * progress). In a 10-unit sale 9,990 of 10,000 buyers get a 409.
 */
const OUTCOME_STATUSES = new Set([402, 409]);

/**
 * The level of a request's line: a failure of ours (5xx) warns; a refusal
 * that points at the request (bad input, not found) is info; a success, and
 * a sale's ordinary outcome (402, 409), is debug, because under a burst one
 * info line per answered request was a tenth of the gateway's CPU (pino's
 * write and formatting in its profile) and says nothing the metrics
 * (gateway_http_responses_total by route and status, gateway_refused_at_door_total) do not.
 */
export function requestLogLevel(status: number, path: string): 'warn' | 'info' | 'debug' {
  if (status >= 500) return 'warn';
  if (status < 400 || OUTCOME_STATUSES.has(status) || QUIET_PATHS.has(path) || path.startsWith('/documentation')) return 'debug';
  return 'info';
}

/** What a request's line needs, kept on its response until it closes. */
interface RequestTiming {
  started: number;
  path: string;
}

const TIMING = Symbol('request timing');

type TimedResponse = Response & { [TIMING]?: RequestTiming };

/**
 * One line per request, written when the response ends (or the client goes
 * away), and the response counted by route (the route's pattern, so ids do not
 * make new series; "other" when no route matched) and status. Cheap: no line
 * is built unless its level is enabled, and every response shares one 'close'
 * listener (its request's start and path ride on the response), where a
 * closure per request plus `once`'s wrapper held ~750 bytes for as long as
 * the request waited: under a burst, 10,000 of them for seconds.
 */
export function requestLog(log: Logger, responses?: prom.Counter<'route' | 'status'>): RequestHandler {
  function onClose(this: TimedResponse): void {
    const timing = this[TIMING];
    if (!timing) return;
    this[TIMING] = undefined;
    const status = this.statusCode;
    responses?.inc({ route: (this.req.route?.path as string | undefined) ?? 'other', status });
    const level = requestLogLevel(status, timing.path);
    if (!log.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {
      method: this.req.method,
      path: timing.path,
      status,
      ms: Math.round((performance.now() - timing.started) * 10) / 10,
    };
    if (this.locals.orderId) fields.orderId = this.locals.orderId;
    if (!this.writableFinished) fields.aborted = true;
    log[level](fields, 'request');
  }
  return (req, res, next) => {
    // The path is captured now: a mounted middleware (Swagger UI) rewrites req.url later.
    (res as TimedResponse)[TIMING] = { started: performance.now(), path: req.path };
    res.on('close', onClose);
    next();
  };
}
