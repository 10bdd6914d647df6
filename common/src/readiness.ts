/**
 * Readiness, one format for every service: each dependency checked by name,
 * `up` or `down: <short reason>`. The gateway's /readyz and the ops servers'
 * /readyz (workers, inventory manager) answer with readinessReply.
 */
import type { ErrorCode } from './errors';

export type DependencyStatus = 'up' | `down: ${string}`;

/** Never rejects: a check that throws counts as down. */
export type DependencyCheck = () => Promise<DependencyStatus>;

export type DependencyChecks = Readonly<Record<string, DependencyCheck>>;

export interface Readiness {
  ready: boolean;
  checks: Record<string, DependencyStatus>;
}

export async function checkReadiness(checks: DependencyChecks): Promise<Readiness> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map((name) => checks[name]!().catch((err: unknown): DependencyStatus => `down: ${err instanceof Error ? err.message : 'check failed'}`)),
  );
  const out: Record<string, DependencyStatus> = {};
  names.forEach((name, i) => (out[name] = results[i]!));
  return { ready: results.every((r) => r === 'up'), checks: out };
}

/** The message broker: up while the process holds an open channel. */
export function brokerCheck(broker: { readonly isReady: boolean }): DependencyCheck {
  return async () => (broker.isReady ? 'up' : 'down: not connected');
}

export interface ReadyBody {
  status: 'ready';
  checks: Record<string, DependencyStatus>;
}

/** The failure shape of the error catalog, plus the checks. */
export interface NotReadyBody {
  status: 'Failed';
  error: string;
  code: Extract<ErrorCode, 'SERVICE_UNAVAILABLE'>;
  checks: Record<string, DependencyStatus>;
}

/**
 * 200 {"status":"ready","checks":{"broker":"up","database":"up"}}, or 503
 * {"status":"Failed","code":"SERVICE_UNAVAILABLE","error":"not ready: database down: access denied","checks":{...}}.
 */
export function readinessReply(readiness: Readiness): { status: 200; body: ReadyBody } | { status: 503; body: NotReadyBody } {
  if (readiness.ready) return { status: 200, body: { status: 'ready', checks: readiness.checks } };
  const down = Object.entries(readiness.checks)
    .filter(([, status]) => status !== 'up')
    .map(([name, status]) => `${name} ${status}`);
  return { status: 503, body: { status: 'Failed', error: `not ready: ${down.join(', ')}`, code: 'SERVICE_UNAVAILABLE', checks: readiness.checks } };
}
