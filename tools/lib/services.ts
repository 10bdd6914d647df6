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
 * The gateway's young generation, capped. Left to V8, on a machine with a few
 * GiB to spare each semi-space grows to tens of MB; with 10,000 connections
 * open, that slack was ~70 MB of the gateway's 310 MB peak RSS (heap total
 * 170 MB, used 120 MB). Its requests live for seconds, far longer than any
 * young generation, so a smaller one promotes the same objects after the same
 * two scavenges and costs no measurable CPU (BENCHMARKS.md, issue 9).
 */
export const GATEWAY_NODE_ARGS = ['--max-semi-space-size=8'] as const;

export const SURFACES: Readonly<Record<ServiceName, ServiceSurface>> = {
  'inventory-manager': { ports: ['GRPC_PORT', 'OPS_PORT'], main: 'GRPC_PORT', ops: 'OPS_PORT', nodeArgs: [] },
  'cart-manager': { ports: ['OPS_PORT'], ops: 'OPS_PORT', nodeArgs: [] },
  'checkout-manager': { ports: ['OPS_PORT'], ops: 'OPS_PORT', nodeArgs: [] },
  'api-gateway': { ports: ['PORT'], main: 'PORT', ops: 'PORT', nodeArgs: GATEWAY_NODE_ARGS },
};

export function mainScript(name: ServiceName): string {
  return path.join(REPO_ROOT, 'dist', name, 'src', 'main.js');
}
