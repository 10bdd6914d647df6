import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import type { Logger } from './logger';

export { client as prom };
export const METRICS_PATH = '/metrics';

/** One registry per process, with Node's default metrics and the service name as a label. */
export function createRegistry(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  return registry;
}

/** Work in flight: messages a worker took and has not acked or nacked, or gRPC calls being served. */
export function registerInFlightGauge(registry: client.Registry, read: () => number): void {
  new client.Gauge({
    name: 'worker_inflight_messages',
    help: 'Work in flight: messages taken and not yet acked or nacked (workers), calls being served (inventory manager)',
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export async function metricsText(registry: client.Registry): Promise<string> {
  return registry.metrics();
}

export interface OpsServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * A small HTTP server for services without one (workers, inventory manager):
 * GET /metrics (Prometheus), /healthz (the process runs), /readyz (its
 * dependencies answer). Port 0 picks a free port, announced in the log line
 * `ops listening`, so several instances can share a host.
 */
export async function startOpsServer(options: {
  registry: client.Registry;
  host: string;
  port: number;
  ready: () => boolean;
  log: Logger;
}): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === METRICS_PATH) {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/readyz') {
      const ready = options.ready();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(ready ? '{"status":"ready"}' : '{"status":"not ready"}');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.log.info({ port }, 'ops listening');
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The ops server of a queue worker: its in-flight gauge, ready while its
 * broker channel is up. Cart and checkout managers share it.
 */
export async function startWorkerOps(
  service: string,
  broker: { readonly inFlightCount: number; readonly isReady: boolean },
  config: { OPS_HOST: string; OPS_PORT: number },
  log: Logger,
): Promise<OpsServer> {
  const registry = createRegistry(service);
  registerInFlightGauge(registry, () => broker.inFlightCount);
  return startOpsServer({ registry, host: config.OPS_HOST, port: config.OPS_PORT, ready: () => broker.isReady, log });
}
