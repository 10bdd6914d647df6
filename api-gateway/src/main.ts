import http from 'node:http';
import { Broker } from '../../common/src/amqp/broker';
import { createPool } from '../../common/src/db';
import { exitOnConfigError, listen, runService } from '../../common/src/lifecycle';
import { createLogger, type Logger } from '../../common/src/logger';
import { createRegistry, prom } from '../../common/src/metrics';
import { topologyFor } from '../../common/src/amqp/topology';
import { StockLevels } from '../../common/src/stock-levels/view';
import { subscribeStockLevels } from '../../common/src/stock-levels/subscription';
import { createReadStore } from './db/read-store';
import { createApp } from './http/app';
import { type GatewayConfig, loadGatewayConfig } from './config';
import { RpcClient } from './messaging/rpc';

/**
 * Idle keep-alive connections are kept longer than a typical load balancer's
 * idle timeout (60 s), so the balancer, not us, closes them (no race on reuse).
 * headersTimeout must exceed it.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const HEADERS_TIMEOUT_MS = 66_000;

/** How long start waits for the first broker connection before serving anyway. */
const BROKER_STARTUP_WAIT_MS = 3_000;

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

export interface RunningGateway {
  port: number;
  server: http.Server;
  stop(): Promise<void>;
}

export async function startGateway(config: Readonly<GatewayConfig>, log: Logger): Promise<RunningGateway> {
  const topology = topologyFor(config.QUEUE_PREFIX);
  // Neither connects yet: the pool on its first query, the broker on start().
  const pool = createPool(config, config.DB_POOL_SIZE);
  // Replies come back (on the pseudo-queue, or the exclusive queue: REPLY_QUEUE)
  // unacked (noAck): prefetch does not bound them; 10 only matters to a
  // consumer we do not have.
  const broker = new Broker({ url: config.AMQP_URL, log, topology, deliveryLimit: config.AMQP_DELIVERY_LIMIT, prefetch: 10 });
  const rpc = new RpcClient(broker, log, config.REPLY_QUEUE, config.RPC_BUNDLE_MAX, config.RPC_PUBLISHES_IN_FLIGHT);

  const levels = new StockLevels(config.STOCK_LEVELS_STALE_MS);
  const store = createReadStore(pool);
  subscribeStockLevels({ connection: broker.connection, exchange: topology.stockLevelsExchange, levels, loadSnapshot: () => store.stockLevels(), log });

  const registry = createRegistry('api-gateway');
  const app = createApp({ config, log, pool, rpc, broker, topology, registry, store, levels });
  const server = http.createServer(app);
  // Open client connections, so a load test can prove its barrier held them all at once.
  let openConnections = 0;
  server.on('connection', (socket) => {
    openConnections++;
    socket.once('close', () => openConnections--);
  });
  new prom.Gauge({
    name: 'gateway_open_connections',
    help: 'Client TCP connections the gateway holds open now',
    registers: [registry],
    collect() {
      this.set(openConnections);
    },
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;

  // Bind before connecting to anything: a port in use is one line naming PORT,
  // at once, not a stack trace after the broker connection.
  let port: number;
  try {
    port = await listen(server, { host: config.HOST, port: config.PORT, backlog: config.LISTEN_BACKLOG }, { service: 'api-gateway', portVariable: 'PORT' });
  } catch (err) {
    await pool.end();
    throw err;
  }
  server.on('error', (err) => log.error({ err }, 'http server error'));

  // Come up without the broker: requests answer 503 until amqplib's recovery
  // connects. A short bounded wait first, so a normal start (broker up) does not
  // announce "listening" a few milliseconds before it can take orders.
  try {
    await broker.start({ waitForConnect: false });
  } catch (err) {
    server.close();
    await pool.end();
    throw err;
  }
  if (!(await waitUntil(() => broker.isReady, BROKER_STARTUP_WAIT_MS))) {
    log.warn({ waitedMs: BROKER_STARTUP_WAIT_MS }, 'message broker not reachable yet: answering 503 until it is');
  }
  log.info({ port }, 'listening');

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      // Stop accepting; requests in flight (a checkout waits up to
      // CHECKOUT_WAIT_MS) finish with the broker still up. Keep-alive
      // connections that go idle meanwhile are closed as they do.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      const force = setTimeout(() => server.closeAllConnections(), config.CHECKOUT_WAIT_MS + 2_000);
      server.closeIdleConnections();
      await closed;
      clearInterval(idle);
      clearTimeout(force);
      await broker.stop();
      await pool.end();
    })();
    return stopped;
  };
  return { port, server, stop };
}

if (require.main === module) {
  const config = exitOnConfigError(() => loadGatewayConfig());
  const log = createLogger('api-gateway', config.LOG_LEVEL);
  runService(log, async () => (await startGateway(config, log)).stop);
}
