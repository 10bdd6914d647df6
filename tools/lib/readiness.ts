/**
 * Readiness of a started service, read from its public surfaces, never from
 * its logs: GET /readyz on its HTTP or ops port (200 when every dependency
 * answers), or grpc.health.v1.Health/Check on a gRPC port (SERVING).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

export type ProbeAnswer =
  /** The surface says ready. */
  | { ready: true }
  /** It answered, and says not ready (answered) — or nothing answered yet (not answered). */
  | { ready: false; answered: boolean; detail: string };

export type Probe = () => Promise<ProbeAnswer>;

/** GET <url> (a /readyz): 200 is ready, any other status answers not ready, no answer is not answered yet. */
export function httpReadyzProbe(url: string, timeoutMs = 1_000): Probe {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      if (res.status === 200) return { ready: true };
      return { ready: false, answered: true, detail: `GET ${url}: ${res.status} ${text}` };
    } catch (err) {
      return { ready: false, answered: false, detail: `GET ${url}: ${describe(err)}` };
    }
  };
}

type CheckCallback = (err: grpc.ServiceError | null, reply?: { status?: string }) => void;
interface HealthClient extends grpc.Client {
  Check(request: { service: string }, options: grpc.CallOptions, callback: CheckCallback): grpc.ClientUnaryCall;
}

const HealthClientCtor = grpc.makeClientConstructor(healthService as unknown as grpc.ServiceDefinition, 'grpc.health.v1.Health') as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => HealthClient;

/** A service being started binds its port any moment: reconnect quickly, not after grpc-js's default backoff (1 s, growing to 2 min). */
const PROBE_CHANNEL_OPTIONS: grpc.ChannelOptions = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 250 };

/**
 * grpc.health.v1.Health/Check of `service` ('' is the whole server) at address:
 * SERVING is ready; NOT_SERVING, UNKNOWN or a refusal answer not ready; no
 * connection is not answered yet. One channel per probe, closed by close().
 */
export function grpcHealthProbe(address: string, service = '', timeoutMs = 1_000): Probe & { close(): void } {
  let client: HealthClient | null = null;
  const probe = async (): Promise<ProbeAnswer> => {
    client ??= new HealthClientCtor(address, grpc.credentials.createInsecure(), PROBE_CHANNEL_OPTIONS);
    const c = client;
    return new Promise<ProbeAnswer>((resolve) => {
      c.Check({ service }, { deadline: Date.now() + timeoutMs }, (err, reply) => {
        if (err) {
          const answered = err.code !== grpc.status.UNAVAILABLE && err.code !== grpc.status.DEADLINE_EXCEEDED;
          resolve({ ready: false, answered, detail: `grpc.health.v1.Health/Check at ${address}: ${grpc.status[err.code] ?? err.code} ${err.details}` });
        } else if (reply?.status === 'SERVING') {
          resolve({ ready: true });
        } else {
          resolve({ ready: false, answered: true, detail: `grpc.health.v1.Health/Check at ${address}: ${reply?.status ?? 'no status'}` });
        }
      });
    });
  };
  return Object.assign(probe, {
    close: () => {
      client?.close();
      client = null;
    },
  });
}

export interface ReadyWaitOptions {
  /** Give up (reject) when no probe said ready by then. */
  timeoutMs: number;
  /**
   * A service that answers "not ready" for this long is returned not ready
   * instead of waited for: a service started against a broken dependency on
   * purpose says so for as long as it is broken. Default: wait for ready.
   */
  notReadyGraceMs?: number;
  intervalMs?: number;
}

/**
 * Poll every probe until all say ready. Rejects when exitedWith() reports the
 * process gone (a string saying how) or at the timeout; resolves not ready
 * after notReadyGraceMs of answers that say not ready.
 */
export async function waitUntilReady(
  what: string,
  probes: readonly Probe[],
  exitedWith: () => string | null,
  options: ReadyWaitOptions,
): Promise<{ ready: true } | { ready: false; detail: string }> {
  const started = Date.now();
  let notReadySince: number | null = null;
  let last = 'no answer yet';
  for (;;) {
    const exit = exitedWith();
    if (exit !== null) throw new Error(`${what} ${exit} before it was ready (last: ${last})`);
    const answers = await Promise.all(probes.map((p) => p()));
    const waiting = answers.filter((a): a is Extract<ProbeAnswer, { ready: false }> => !a.ready);
    if (waiting.length === 0) return { ready: true };
    last = waiting.map((a) => a.detail).join('; ');
    const now = Date.now();
    if (waiting.every((a) => a.answered)) {
      notReadySince ??= now;
      if (options.notReadyGraceMs !== undefined && now - notReadySince >= options.notReadyGraceMs) return { ready: false, detail: last };
    } else {
      notReadySince = null;
    }
    if (now - started > options.timeoutMs) throw new Error(`${what} not ready after ${options.timeoutMs} ms (last: ${last})`);
    await sleep(options.intervalMs ?? 50);
  }
}

function describe(err: unknown): string {
  const e = err as { cause?: { code?: unknown; message?: unknown }; message?: unknown };
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return String(e?.message ?? err);
}
