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
}

export const SURFACES: Readonly<Record<ServiceName, ServiceSurface>> = {
  'inventory-manager': { ports: ['GRPC_PORT', 'OPS_PORT'], main: 'GRPC_PORT', ops: 'OPS_PORT' },
  'cart-manager': { ports: ['OPS_PORT'], ops: 'OPS_PORT' },
  'checkout-manager': { ports: ['OPS_PORT'], ops: 'OPS_PORT' },
  'api-gateway': { ports: ['PORT'], main: 'PORT', ops: 'PORT' },
};

export function mainScript(name: ServiceName): string {
  return path.join(REPO_ROOT, 'dist', name, 'src', 'main.js');
}
