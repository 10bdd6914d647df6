import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError, TransientError } from '../../../common/src/errors';
import type { Logger } from '../../../common/src/logger';
import { BODY_LIMIT_BYTES, RETRY_AFTER_HEADER } from './contract';
import { failure, type HttpReply } from '../domain/outcomes';

export function sendReply(res: Response, reply: HttpReply, retryAfterSeconds: number): void {
  if (reply.retryAfter) res.setHeader(RETRY_AFTER_HEADER, String(retryAfterSeconds));
  if (reply.orderId) res.locals.orderId = reply.orderId;
  res.status(reply.status).json(reply.body);
}

/**
 * Client errors raised by express itself (body-parser's http-errors: a `type`
 * such as entity.too.large; the router's URIError for a malformed %-escape):
 * a 4xx `status` and a message written for the client.
 */
interface ClientHttpError {
  status: number;
  type?: string;
  message: string;
}

function isClientHttpError(err: unknown): err is ClientHttpError {
  if (!(err instanceof Error)) return false;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Any error -> the failure reply a client sees. Client mistakes name the
 * problem; anything unexpected becomes INTERNAL with an opaque reference (the
 * text of a database or driver error never leaves the process). `internal` is
 * set when the error must be logged.
 */
export function replyForError(err: unknown): { reply: HttpReply; internal?: { reference: string } } {
  if (err instanceof AppError) {
    if (err.code !== 'INTERNAL') return { reply: failure(err.code, err.message) };
  } else if (err instanceof TransientError) {
    return { reply: failure('SERVICE_UNAVAILABLE', 'a backend is unavailable, retry later') };
  } else if (isClientHttpError(err)) {
    if (err.type === 'entity.too.large' || err.status === 413) {
      return { reply: failure('PAYLOAD_TOO_LARGE', `request body is larger than the ${BODY_LIMIT_BYTES / 1024} KB limit`) };
    }
    if (err.type === 'entity.parse.failed') {
      return { reply: failure('INVALID_REQUEST', `request body is not a valid JSON object: ${err.message}`) };
    }
    if (err.type) return { reply: failure('INVALID_REQUEST', `request body could not be read: ${err.message}`) };
    return { reply: failure('INVALID_REQUEST', err.message) };
  }
  const reference = randomUUID();
  return { reply: failure('INTERNAL', `internal error, reference ${reference}`), internal: { reference } };
}

/** Answer a request that failed with `err` (replyForError), logging what is ours. */
export function sendError(log: Logger, req: Request, res: Response, err: unknown, retryAfterSeconds: number): void {
  const { reply, internal } = replyForError(err);
  if (internal) log.error({ err, reference: internal.reference, method: req.method, path: req.path }, 'request failed');
  sendReply(res, reply, retryAfterSeconds);
}

export function errorHandler(log: Logger, retryAfterSeconds: number): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    sendError(log, req, res, err, retryAfterSeconds);
  };
}

/** One route as the gateway serves it: its Express path and the methods it answers. */
export interface KnownRoute {
  path: string;
  methods: readonly string[];
}

/**
 * A request no route took: 405 METHOD_NOT_ALLOWED with `Allow` when its path
 * is a route's under another method (GET /addToCart), else 404 NOT_FOUND.
 * A GET route answers HEAD too, as Express does.
 */
export function notFound(retryAfterSeconds: number, routes: readonly KnownRoute[] = []): RequestHandler {
  const patterns = routes.map((route) => ({
    pattern: new RegExp(`^${route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}/?$`),
    methods: route.methods.map((m) => m.toUpperCase()).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])),
  }));
  return (req, res) => {
    const allowed = [...new Set(patterns.filter((p) => p.pattern.test(req.path)).flatMap((p) => p.methods))];
    if (allowed.length > 0) {
      res.setHeader('Allow', allowed.join(', '));
      sendReply(res, failure('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; it takes ${allowed.join(', ')}`), retryAfterSeconds);
      return;
    }
    sendReply(res, failure('NOT_FOUND', `no route ${req.method} ${req.path}`), retryAfterSeconds);
  };
}
