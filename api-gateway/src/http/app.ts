import express, { type Express, type Request } from 'express';
import swaggerUi from 'swagger-ui-express';
import { databaseCheck, type Pool } from '../../../common/src/db';
import type { Logger } from '../../../common/src/logger';
import { createRegistry, METRICS_PATH, prom } from '../../../common/src/metrics';
import { type StockLevelsReader } from '../../../common/src/stock-levels/view';
import { brokerCheck, checkReadiness, type DependencyChecks } from '../../../common/src/readiness';
import type { Topology } from '../../../common/src/amqp/topology';
import type { GatewayConfig } from '../config';
import { BODY_LIMIT_BYTES, createContract, type RouteContract, type RouteId, type RouteInput } from './contract';
import { createReadStore, type ReadStore } from '../db/read-store';
import { cartHandlers } from '../handlers/cart';
import { checkoutHandlers } from '../handlers/checkout';
import { healthHandlers } from '../handlers/health';
import { queryHandlers } from '../handlers/queries';
import type { Handler, HandlerDeps, Handlers } from '../handlers/types';
import { errorHandler, notFound, sendError, sendReply } from './errors';
import { requestLog } from './request-log';
import { parseRequestPart } from './validate';
import { buildOpenApiDocument, DOCUMENTATION_PATH, OPENAPI_PATH } from './openapi';
import type { Rpc } from '../messaging/rpc';
import type { HttpReply } from '../domain/outcomes';

export type AppConfig = Pick<GatewayConfig, 'MAX_QUANTITY_PER_LINE' | 'ADD_TO_CART_WAIT_MS' | 'CHECKOUT_WAIT_MS' | 'RETRY_AFTER_SECONDS'>;

export interface GatewayDeps {
  config: AppConfig;
  log: Logger;
  /** Read-only use: GET endpoints. */
  pool: Pool;
  rpc: Rpc;
  broker: { readonly isReady: boolean };
  topology: Pick<Topology, 'addToCart' | 'checkout'>;
  /** Replaces the pool-backed queries (unit tests). */
  store?: ReadStore;
  /** What /readyz checks, by name (default: broker and database; unit tests replace it). */
  readinessChecks?: DependencyChecks;
  /** Prometheus registry served at /metrics (a fresh one if absent). */
  registry?: prom.Registry;
  /** The pushed stock levels (absent: nothing is known, nothing refused at the door). */
  levels?: StockLevelsReader;
}

/** Knows no product: every request goes to the workers. */
const NO_LEVELS: StockLevelsReader = { known: () => undefined, refusal: () => null };

/** /orders/{orderID} -> /orders/:orderID */
export function toExpressPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

function headersOf(req: Request, schema: NonNullable<RouteContract['request']['headers']>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.keys(schema.shape)) out[name] = req.get(name);
  return out;
}

export function createApp(deps: GatewayDeps): Express {
  const { config, log } = deps;
  const retryAfter = config.RETRY_AFTER_SECONDS;
  const contract = createContract({ maxQuantityPerLine: config.MAX_QUANTITY_PER_LINE });
  const document = buildOpenApiDocument(contract);
  const readinessChecks = deps.readinessChecks ?? { broker: brokerCheck(deps.broker), database: databaseCheck(deps.pool) };
  const registry = deps.registry ?? createRegistry('api-gateway');
  const doorRefusals = new prom.Counter({
    name: 'gateway_refused_at_door_total',
    help: 'Add-to-carts answered from the pushed stock levels without a worker, by code',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  const responses = new prom.Counter({
    name: 'gateway_http_responses_total',
    help: 'HTTP responses by route pattern and status',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });

  const handlerDeps: HandlerDeps = {
    config,
    log,
    rpc: deps.rpc,
    store: deps.store ?? createReadStore(deps.pool),
    broker: deps.broker,
    topology: deps.topology,
    levels: deps.levels ?? NO_LEVELS,
    doorRefusals,
    readiness: () => checkReadiness(readinessChecks),
  };
  const handlers: Handlers = {
    ...cartHandlers(handlerDeps),
    ...checkoutHandlers(handlerDeps),
    ...queryHandlers(handlerDeps),
    ...healthHandlers(handlerDeps),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(log, responses));
  app.use(express.json({ limit: BODY_LIMIT_BYTES }));

  // Every route of the contract, validated by the same schemas the document shows.
  for (const id of Object.keys(contract.routes) as RouteId[]) {
    const route: RouteContract = contract.routes[id];
    const handle = handlers[id] as Handler<RouteContract>;
    const { body, params, query, headers } = route.request;
    const inputOf = (req: Request): RouteInput<RouteContract> => ({
      body: body ? parseRequestPart(body, req.body, 'request body') : undefined,
      params: params ? parseRequestPart(params, req.params, 'path') : undefined,
      query: query ? parseRequestPart(query, req.query, 'query') : undefined,
      headers: headers ? parseRequestPart(headers, headersOf(req, headers), 'headers') : undefined,
    });
    // Neither an async function nor a promise handed to Express: an add-to-cart
    // or a checkout waits seconds for its worker under a burst, with 10,000 of
    // them at once, and whatever a waiting request references stays alive that
    // long. Express keeps a returned promise's rejection handler, and with it
    // the router's per-request chain (its `next`, the route's, the final
    // handler), which `req.next` also holds; a route answers its own errors
    // and needs neither. About 1.3 KB per request in flight (BENCHMARKS.md).
    app[route.method](toExpressPath(route.path), (req, res) => {
      (req as { next?: unknown }).next = undefined;
      const fail = (err: unknown): void => {
        if (res.headersSent) log.error({ err, method: req.method, path: req.path }, 'request failed after its answer began');
        else sendError(log, req, res, err, retryAfter);
      };
      let reply: Promise<HttpReply>;
      try {
        reply = handle(inputOf(req));
      } catch (err) {
        fail(err);
        return;
      }
      reply.then((answer) => {
        try {
          sendReply(res, answer, retryAfter);
        } catch (err) {
          fail(err);
        }
      }, fail);
    });
  }

  app.get(METRICS_PATH, async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  app.get(OPENAPI_PATH, (_req, res) => {
    res.json(document);
  });
  // Swagger UI loads its assets relative to the page: serve it under a trailing slash.
  app.get(DOCUMENTATION_PATH, (req, res, next) => {
    if (req.path.endsWith('/')) return next();
    const queryAt = req.originalUrl.indexOf('?');
    res.redirect(301, `${DOCUMENTATION_PATH}/${queryAt >= 0 ? req.originalUrl.slice(queryAt) : ''}`);
  });
  app.use(DOCUMENTATION_PATH, swaggerUi.serveFiles(document), swaggerUi.setup(document, { customSiteTitle: 'Flash-sale API' }));

  // A known path under another method answers 405 with Allow, not 404.
  const knownRoutes = [
    ...Object.values(contract.routes).map((route: RouteContract) => ({ path: toExpressPath(route.path), methods: [route.method] })),
    { path: METRICS_PATH, methods: ['get'] },
    { path: OPENAPI_PATH, methods: ['get'] },
    { path: DOCUMENTATION_PATH, methods: ['get'] },
  ];
  app.use(notFound(retryAfter, knownRoutes));
  app.use(errorHandler(log, retryAfter));
  return app;
}
