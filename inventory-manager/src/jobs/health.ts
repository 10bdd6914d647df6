import type { ServingStatus } from 'grpc-health-check';
import type { Logger } from '../../../common/src/logger';
import { runPeriodically } from '../../../common/src/periodic';
import type { DependencyCheck, DependencyStatus } from '../../../common/src/readiness';

/** What the job sets: HealthImplementation from grpc-health-check. */
export interface HealthStatuses {
  setStatus(service: string, status: ServingStatus): void;
}

export const HEALTH_PROBE_INTERVAL_MS = 1_000;

/** SERVING while the dependency answers, else NOT_SERVING: a call now would fail with UNAVAILABLE. */
export function servingStatusOf(status: DependencyStatus): ServingStatus {
  return status === 'up' ? 'SERVING' : 'NOT_SERVING';
}

/**
 * Keep the gRPC health statuses of `services` in step with the database, the
 * one dependency of every call (the check /readyz uses): probed once before
 * this resolves, then every `intervalMs`. The returned stop() sets
 * NOT_SERVING for good (shutdown start: balancers stop sending new calls) and
 * ends the probing.
 */
export async function startHealthReporting(
  health: HealthStatuses,
  services: readonly string[],
  database: DependencyCheck,
  log: Logger,
  intervalMs = HEALTH_PROBE_INTERVAL_MS,
): Promise<() => Promise<void>> {
  let stopped = false;
  let current: ServingStatus | null = null;
  const set = (status: ServingStatus, reason: DependencyStatus | 'shutting down') => {
    if (status !== current) {
      if (status === 'SERVING') log.info({ database: reason }, 'grpc health: SERVING');
      else log.warn({ database: reason }, 'grpc health: NOT_SERVING');
    }
    current = status;
    for (const service of services) health.setStatus(service, status);
  };
  const probe = async () => {
    const status = await database().catch((): DependencyStatus => 'down: check failed');
    // A probe that answers after shutdown began must not say SERVING again.
    if (!stopped) set(servingStatusOf(status), status);
  };
  await probe();
  const stopProbing = runPeriodically(intervalMs, probe, log, 'health probe');
  return async () => {
    stopped = true;
    set('NOT_SERVING', 'shutting down');
    await stopProbing();
  };
}
