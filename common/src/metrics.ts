import http from 'node:http';
import client from 'prom-client';
import type { BatchStats } from './amqp/consume';
import { databaseCheck, type Pool } from './db';
import { listen } from './lifecycle';
import type { Logger } from './logger';
import { brokerCheck, checkReadiness, type DependencyChecks, readinessReply } from './readiness';

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

export interface OpsServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * A small HTTP server for services without one (workers, inventory manager):
 * GET /metrics (Prometheus), /healthz (the process runs: no dependency is
 * checked), /readyz (each dependency by name, see readiness.ts). Port 0 picks
 * a free port, announced in the log line `ops listening`, so several instances
 * can share a host. Started before the service connects to anything: a port in
 * use stops the start with one line naming OPS_PORT.
 */
export async function startOpsServer(options: {
  service: string;
  registry: client.Registry;
  host: string;
  port: number;
  checks: DependencyChecks;
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
      void checkReadiness(options.checks).then((readiness) => {
        const reply = readinessReply(readiness);
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
      });
      return;
    }
    res.writeHead(404).end();
  });
  const port = await listen(server, { host: options.host, port: options.port }, { service: options.service, portVariable: 'OPS_PORT' });
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
 * broker channel is up and its database answers. Cart and checkout managers share it.
 */
export async function startWorkerOps(
  service: string,
  deps: { broker: { readonly inFlightCount: number; readonly isReady: boolean; readonly batchStats?: ReadonlyMap<string, BatchStats> }; pool: Pool },
  config: { OPS_HOST: string; OPS_PORT: number },
  log: Logger,
): Promise<OpsServer> {
  const registry = createRegistry(service);
  registerInFlightGauge(registry, () => deps.broker.inFlightCount);
  if (deps.broker.batchStats) registerBatchMetrics(registry, deps.broker.batchStats);
  return startOpsServer({
    service,
    registry,
    host: config.OPS_HOST,
    port: config.OPS_PORT,
    checks: { broker: brokerCheck(deps.broker), database: databaseCheck(deps.pool) },
    log,
  });
}

/**
 * Batches a batching consumer ran, the messages in them and the units of
 * work those held, per queue: items / batches is the mean batch size
 * (rate(items) / rate(batches) over a window).
 */
export function registerBatchMetrics(registry: client.Registry, stats: ReadonlyMap<string, BatchStats>): void {
  const seen = new Map<string, BatchStats>();
  // Either counter may be read first: each brings both up to date (by the difference since the last read).
  const refresh = () => {
    for (const [queue, now] of stats) {
      const before = seen.get(queue) ?? { batches: 0, deliveries: 0, items: 0 };
      batches.inc({ queue }, now.batches - before.batches);
      messages.inc({ queue }, now.deliveries - before.deliveries);
      items.inc({ queue }, now.items - before.items);
      seen.set(queue, { ...now });
    }
  };
  const batches = new client.Counter({ name: 'consumer_batches_total', help: 'Batches handed to a batching consumer', labelNames: ['queue'], registers: [registry], collect: refresh });
  const messages = new client.Counter({
    name: 'consumer_batch_messages_total',
    help: 'Messages in those batches (messages per batch = messages / batches)',
    labelNames: ['queue'],
    registers: [registry],
    collect: refresh,
  });
  const items = new client.Counter({
    name: 'consumer_batch_items_total',
    help: 'Units of work in those messages: orders of a checkout.process message, else one per message (mean batch size = items / batches)',
    labelNames: ['queue'],
    registers: [registry],
    collect: refresh,
  });
}
