import type { Logger } from '../../../common/src/logger';
import type { StockLevelsReader } from '../../../common/src/stock-levels/view';
import type { ErrorCode } from '../../../contracts/errors';
import type { Readiness } from '../../../common/src/readiness';
import type { Topology } from '../../../common/src/amqp/topology';
import type { GatewayConfig } from '../config';
import type { RouteContract, RouteId, RouteInput, Routes } from '../http/contract';
import type { ReadStore } from '../db/read-store';
import type { HttpReply } from '../domain/outcomes';
import type { Rpc } from '../messaging/rpc';

export type HandlerConfig = Pick<GatewayConfig, 'ADD_TO_CART_WAIT_MS' | 'CHECKOUT_WAIT_MS'>;

export interface HandlerDeps {
  config: HandlerConfig;
  log: Logger;
  rpc: Rpc;
  store: ReadStore;
  broker: { readonly isReady: boolean };
  topology: Pick<Topology, 'addToCart' | 'checkout'>;
  /** The pushed stock levels: refusals at the door. */
  levels: StockLevelsReader;
  /** Counts the add-to-carts refused from them, by code. */
  doorRefusals: { inc(labels: { code: ErrorCode }): void };
  /** Each dependency of /readyz, checked now. */
  readiness: () => Promise<Readiness>;
}

export type Handler<R extends RouteContract> = (input: RouteInput<R>) => Promise<HttpReply>;

export type Handlers = { [K in RouteId]: Handler<Routes[K]> };

export const ok = (body: unknown): HttpReply => ({ status: 200, body, retryAfter: false });
