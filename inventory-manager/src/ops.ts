import type { Logger } from '../../common/src/logger';
import { createRegistry, type OpsServer, prom, registerInFlightGauge, startOpsServer } from '../../common/src/metrics';
import type { DependencyCheck } from '../../common/src/readiness';
import type { CoalescerStats } from './coalesce/coalescer';
import { type CoalescedOp, COALESCED_OPS } from './coalesce/reservation-service';
import type { CallStats } from './handlers/unary';

/**
 * The inventory manager's ops server: /metrics with the calls being served as
 * its in-flight gauge, /healthz, and /readyz while the database answers (the
 * same check the gRPC health service reports).
 */
export function startInventoryOps(
  deps: { stats: CallStats; database: DependencyCheck; coalesced: Readonly<Record<CoalescedOp, CoalescerStats>> | null },
  config: { OPS_HOST: string; OPS_PORT: number },
  log: Logger,
): Promise<OpsServer> {
  const registry = createRegistry('inventory-manager');
  registerInFlightGauge(registry, () => deps.stats.inFlight);
  registerCoalescerMetrics(registry, deps.coalesced);
  return startOpsServer({
    service: 'inventory-manager',
    registry,
    host: config.OPS_HOST,
    port: config.OPS_PORT,
    checks: { database: deps.database },
    log,
  });
}

/**
 * inventory_coalesced_batches_total{op} (transactions the coalescer ran) and
 * inventory_coalesced_calls_total{op} (calls they served): the mean batch size
 * is their ratio. Both stay 0 when every call is its own transaction.
 */
export function registerCoalescerMetrics(registry: prom.Registry, coalesced: Readonly<Record<CoalescedOp, CoalescerStats>> | null): void {
  const seen = new Map<CoalescedOp, CoalescerStats>(COALESCED_OPS.map((op) => [op, { batches: 0, calls: 0 }]));
  // Either counter may be collected first: each brings both up to date.
  const refresh = () => {
    for (const op of COALESCED_OPS) {
      const now = coalesced?.[op] ?? { batches: 0, calls: 0 };
      const before = seen.get(op)!;
      batches.inc({ op }, now.batches - before.batches);
      calls.inc({ op }, now.calls - before.calls);
      seen.set(op, { ...now });
    }
  };
  const batches = new prom.Counter({
    name: 'inventory_coalesced_batches_total',
    help: 'Batch transactions the inventory manager ran for coalesced calls, by operation',
    labelNames: ['op'],
    registers: [registry],
    collect: refresh,
  });
  const calls = new prom.Counter({
    name: 'inventory_coalesced_calls_total',
    help: 'Calls served by those batch transactions (mean batch size = calls / batches)',
    labelNames: ['op'],
    registers: [registry],
    collect: refresh,
  });
}
