/**
 * The four services as the harness sees them from outside: the entry point it
 * runs (dist/: `npm run build` first), the ports each listens on and the
 * variable that sets each, and which port serves its /readyz.
 */
import path from 'node:path';
import { REPO_ROOT } from '../../common/src/paths';

export type ServiceName = 'inventory-manager' | 'cart-manager' | 'checkout-manager' | 'api-gateway';

export type PortVariable = 'PORT' | 'OPS_PORT' | 'GRPC_PORT';

export interface ServiceSurface {
  /** Every port it binds, by the variable that sets it. */
  ports: readonly PortVariable[];
  /** The port of its main surface (HTTP, gRPC), reported as ServiceProcess.port; workers have none. */
  main?: PortVariable;
  /** The port serving /healthz, /readyz and /metrics. */
  ops: PortVariable;
  /** Node options it runs with (the same in setup.sh and docker-compose.yml: test/unit/node-args.test.ts). */
  nodeArgs: readonly string[];
}

/**
 * The gateway's heap, sized for 10,000 connections held open (BENCHMARKS.md, issue 9).
 * - `--max-semi-space-size=8`: the young generation, capped. Left to V8, on a
 *   machine with a few GiB to spare each semi-space grows to tens of MB; with
 *   10,000 connections open, that slack was ~70 MB of the gateway's 310 MB peak
 *   RSS. Its requests live for seconds, far longer than any young generation,
 *   so a smaller one promotes the same objects after the same two scavenges
 *   and costs no measurable CPU.
 * - `--heap-growing-percent=20`: the old generation is collected once it has
 *   grown 20% past what the last full collection kept, not the up to 4x V8
 *   allows itself when memory is plentiful. Every request of a burst is
 *   promoted (it outlives two scavenges) and dies a few seconds later, so
 *   under V8's own limit a 10-unit sale piled up ~120 MB of dead requests
 *   without one full collection: the peak RSS of a gateway holding 10,000
 *   connections was that garbage on top of the ~215 MB the connections and
 *   the process take in node:http. Gateway peak RSS in S2K, same session:
 *   none 332-338 MB, 30% 283-315, 20% 274-294; each full collection costs
 *   ~5-30 ms on the main thread, and 20% about half a CPU second more than
 *   30% in S2K. Unlike --max-old-space-size it sets no ceiling a bigger load
 *   could hit.
 */
export const GATEWAY_NODE_ARGS = ['--max-semi-space-size=8', '--heap-growing-percent=20'] as const;

export const SURFACES: Readonly<Record<ServiceName, ServiceSurface>> = {
  'inventory-manager': { ports: ['GRPC_PORT', 'OPS_PORT'], main: 'GRPC_PORT', ops: 'OPS_PORT', nodeArgs: [] },
  'cart-manager': { ports: ['OPS_PORT'], ops: 'OPS_PORT', nodeArgs: [] },
  'checkout-manager': { ports: ['OPS_PORT'], ops: 'OPS_PORT', nodeArgs: [] },
  'api-gateway': { ports: ['PORT'], main: 'PORT', ops: 'PORT', nodeArgs: GATEWAY_NODE_ARGS },
};

export function mainScript(name: ServiceName): string {
  return path.join(REPO_ROOT, 'dist', name, 'src', 'main.js');
}
