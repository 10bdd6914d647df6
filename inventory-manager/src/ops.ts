import type { Logger } from '../../common/src/logger';
import { createRegistry, type OpsServer, registerInFlightGauge, startOpsServer } from '../../common/src/metrics';
import type { DependencyCheck } from '../../common/src/readiness';
import type { CallStats } from './handlers/unary';

/**
 * The inventory manager's ops server: /metrics with the calls being served as
 * its in-flight gauge, /healthz, and /readyz while the database answers (the
 * same check the gRPC health service reports).
 */
export function startInventoryOps(
  deps: { stats: CallStats; database: DependencyCheck },
  config: { OPS_HOST: string; OPS_PORT: number },
  log: Logger,
): Promise<OpsServer> {
  const registry = createRegistry('inventory-manager');
  registerInFlightGauge(registry, () => deps.stats.inFlight);
  return startOpsServer({
    service: 'inventory-manager',
    registry,
    host: config.OPS_HOST,
    port: config.OPS_PORT,
    checks: { database: deps.database },
    log,
  });
}
