/**
 * One undici Client per buyer (one TCP connection, no pipelining), so the
 * gateway sees N real connections, as it would from N people; warmed up before
 * the release with one GET /healthz each, with bounded concurrency so the
 * gateway's accept queue is not what the run measures. In 'per-request' mode
 * every request (the warm-up's too) asks for `connection: close` and the
 * client drops the socket after the answer: each request opens a fresh one.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import type { RunMetrics } from './metrics';
import type { ConnectionMode } from './types';

const WARMUP_ATTEMPTS = 3;

export class BuyerConnections {
  private readonly origin: string;
  private readonly clients: Client[] = [];
  /** Connections open now, by the clients' own connect / disconnect events. */
  private open = 0;

  /** Every request closes its connection after the answer ('per-request' mode). */
  readonly closeAfterEachRequest: boolean;

  constructor(
    gatewayUrl: string,
    private readonly metrics: RunMetrics,
    mode: ConnectionMode = 'per-buyer',
  ) {
    this.origin = new URL(gatewayUrl).origin;
    this.closeAfterEachRequest = mode === 'per-request';
  }

  get size(): number {
    return this.clients.length;
  }

  get openCount(): number {
    return this.open;
  }

  /** The connection of buyer i. */
  of(i: number): Client {
    return this.clients[i]!;
  }

  /** One client per buyer (they connect on their first request). */
  create(n: number): void {
    for (let i = 0; i < n; i++) this.clients.push(this.newClient());
  }

  /** A fresh connection for buyer i; the old one is destroyed in the background. */
  replace(i: number): void {
    const old = this.clients[i]!;
    this.clients[i] = this.newClient();
    void old.destroy().catch(() => undefined);
  }

  /** Phase 1: every client connects and answers one GET /healthz (up to 3 attempts), `concurrency` at a time. */
  async warmUp(concurrency: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.clients.length) {
        const i = next++;
        for (let attempt = 1; attempt <= WARMUP_ATTEMPTS; attempt++) {
          const start = performance.now();
          try {
            const res = await this.clients[i]!.request({ method: 'GET', path: '/healthz', reset: this.closeAfterEachRequest || undefined });
            await res.body.dump();
            if (res.statusCode === 200) {
              this.metrics.latency.record('warmup', start);
              this.metrics.connected++;
              break;
            }
            this.metrics.warmupFailures++;
          } catch {
            this.metrics.warmupFailures++;
            await this.clients[i]!.destroy().catch(() => undefined);
            this.clients[i] = this.newClient();
          }
          await sleep(100 * attempt);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, this.clients.length)) }, worker));
    if (this.metrics.connected < this.clients.length) {
      this.metrics.notes.push(`${this.clients.length - this.metrics.connected} buyers could not warm up their connection (they connect at the release)`);
    }
  }

  /** Destroy every connection at once (the deadline): each request in flight fails. */
  destroyAll(): void {
    for (const c of this.clients) void c.destroy().catch(() => undefined);
  }

  /** Every buyer is done (answered or given up): nothing is in flight, so each connection is simply closed. */
  async closeAll(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.destroy().catch(() => undefined)));
  }

  private newClient(): Client {
    const client = new Client(this.origin, {
      pipelining: 1,
      keepAliveTimeout: 600_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
      connect: { timeout: 30_000 },
    });
    client.on('connect', this.onConnect);
    client.on('disconnect', this.onDisconnect);
    return client;
  }

  private readonly onConnect = (): void => {
    this.open++;
  };

  private readonly onDisconnect = (): void => {
    this.open--;
  };
}
