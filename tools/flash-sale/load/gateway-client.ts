/**
 * A buyer's requests to the gateway, as a good client sends them: a transport
 * failure is retried once on a fresh connection; 429 and 503 are retried with
 * the same request (same Idempotency-Key, so a retry never adds or buys twice)
 * after Retry-After, backing off exponentially with jitter when refused again;
 * any other 5xx fails the buyer. Every request is timed and counted.
 */
import { performance } from 'node:perf_hooks';
import { retryDelayMs, parseRetryAfter } from './backoff';
import type { BuyerConnections } from './connections';
import { DeadlineReached, type Deadline } from './deadline';
import type { RunMetrics } from './metrics';
import type { Endpoint } from './types';

export interface Reply {
  status: number;
  retryAfterS: number | undefined;
  body: Record<string, unknown> | undefined;
}

/** The buyer ends in 'error' with this code (5xx, transport failure twice, unexpected reply). */
export class BuyerFailed extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** The catalog code of a reply's body, '' when it has none. */
export function codeOf(reply: Reply): string {
  const code = reply.body?.code;
  return typeof code === 'string' ? code : '';
}

/** The code of a transport failure (its cause's, e.g. ECONNRESET, or the error's name). */
export function transportCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; name?: unknown };
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'UNKNOWN';
}

export class GatewayClient {
  constructor(
    private readonly connections: BuyerConnections,
    private readonly metrics: RunMetrics,
    private readonly deadline: Deadline,
    private readonly maxRetryDelayMs: number,
  ) {}

  /** A request, retried after Retry-After while it answers 429 or 503; any other 5xx fails the buyer. */
  async call(i: number, endpoint: Endpoint, method: 'GET' | 'POST', path: string, body?: string, idempotencyKey?: string): Promise<Reply> {
    for (let k = 1; ; k++) {
      const reply = await this.request(i, endpoint, method, path, body, idempotencyKey);
      if (reply.status === 429 || reply.status === 503) {
        this.metrics.retried(endpoint);
        await this.backOff(reply.retryAfterS, k);
        continue;
      }
      if (reply.status >= 500) {
        this.metrics.http5xx++;
        throw new BuyerFailed(codeOf(reply) || `HTTP_${reply.status}`);
      }
      return reply;
    }
  }

  /** Wait before the k-th consecutive retry of one request (throws DeadlineReached if the deadline comes first). */
  async backOff(retryAfterS: number | undefined, k: number): Promise<void> {
    await this.deadline.wait(retryDelayMs(retryAfterS, k, this.maxRetryDelayMs));
  }

  /** One HTTP request; a transport failure is retried once on a fresh connection, then fails the buyer. */
  private async request(i: number, endpoint: Endpoint, method: 'GET' | 'POST', path: string, body?: string, idempotencyKey?: string): Promise<Reply> {
    const headers = body === undefined ? undefined : idempotencyKey === undefined ? JSON_HEADERS : { ...JSON_HEADERS, 'idempotency-key': idempotencyKey };
    for (let attempt = 0; ; attempt++) {
      this.deadline.check();
      const start = performance.now();
      this.metrics.inFlight++;
      try {
        const res = await this.connections.of(i).request({ method, path, headers, body, reset: this.connections.closeAfterEachRequest || undefined });
        const text = await res.body.text();
        this.metrics.latency.record(endpoint, start);
        return { status: res.statusCode, retryAfterS: parseRetryAfter(res.headers['retry-after']), body: parseBody(text) };
      } catch (err) {
        if (this.deadline.expired) throw new DeadlineReached();
        this.metrics.transportFailed(transportCode(err));
        this.connections.replace(i);
        if (attempt >= 1) throw new BuyerFailed(`NETWORK:${transportCode(err)}`);
      } finally {
        this.metrics.inFlight--;
      }
    }
  }
}

/** A JSON object body, or undefined (empty, not JSON, or not an object: the status alone decides). */
function parseBody(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = text === '' ? undefined : JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
