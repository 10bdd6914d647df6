/**
 * Drives the buyers of a flash sale for real, over HTTP, against a running gateway.
 *
 * Each buyer has its own undici Client (one TCP connection, no pipelining), so the
 * gateway sees N real connections, as it would from N people. Three phases:
 *
 * 1. connect: every client opens its connection and sends one GET /healthz
 *    (bounded concurrency, so the gateway's accept queue is not what we measure);
 * 2. barrier: once all are connected, sample the gateway's open connections (the
 *    proof that the barrier is real), then release every buyer at once: they all
 *    await one promise, resolved in one tick;
 * 3. each buyer adds its cart lines, checks out, and polls its order while the
 *    answer is Pending, like a good client: it honours Retry-After on 429 / 503
 *    (and on 409 ALL_RESERVED, which means "units may come back"), backing off
 *    exponentially with jitter when the same request is refused again, and retries
 *    a 429 / 503 with the same Idempotency-Key, so a retry never adds or buys twice.
 *
 * Only a final outcome answers a buyer (200, 402, 409, 400, or a final order state
 * from polling); 202, 429 and 503 do not. Everything measured is a counter or an
 * HDR histogram: nothing scans the buyers while the sale runs.
 */
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { Client } from 'undici';

export const OUTCOMES = ['confirmed', 'sold_out', 'declined', 'expired', 'refused', 'error', 'unanswered'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Histograms kept by the run: the endpoints, `buyer` (release to answer) and `warmup` (connect + first GET /healthz). */
export const ENDPOINTS = ['addToCart', 'checkOutCart', 'getOrder', 'healthz'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export interface CartLine {
  productID: string;
  quantity: number;
}

export type Phase = 'connect' | 'barrier' | 'sale' | 'done';

export interface Progress {
  phase: Phase;
  total: number;
  /** Buyers whose connection is warmed up (phase connect). */
  connected: number;
  answered: number;
  confirmed: number;
  soldOut: number;
  declined: number;
  expired: number;
  refused: number;
  errors: number;
  /** Checkouts answered 202, not final yet. */
  pending: number;
  /** HTTP requests on the wire now. */
  inFlight: number;
  /** Since the release (0 before it). */
  elapsedMs: number;
}

export interface TimelinePoint {
  tMs: number;
  answered: number;
  confirmed: number;
  soldOut: number;
  declined: number;
  expired: number;
  /** Checkouts answered 202 not yet final. */
  pending: number;
  inFlight: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface BuyerPlan {
  gatewayUrl: string;
  buyers: number;
  /** The cart of buyer i: lines to add before checkout (called once per buyer, before the release). */
  cartOf: (buyer: number) => CartLine[];
  /** clientID = `${clientPrefix}-${i}` (unique per run). */
  clientPrefix: string;
  /** Polling GET /orders/:id after a 202 (default: honour Retry-After, else 500). */
  pollIntervalMs?: number;
  /** Give up on a buyer after this long from release (default 300000) -> 'unanswered'. */
  deadlineMs?: number;
  /** Reads the gateway's currently open connections (e.g. the gauge `gateway_open_connections` of GET /metrics). */
  openConnections?: () => Promise<number>;
  /** Called at most every 100 ms. */
  onProgress?: (p: Progress) => void;
  /** Floor mode: each buyer sends two GET /healthz (first request of every buyer at once, then every second one). */
  floor?: boolean;
  /**
   * 409 ALL_RESERVED means "nothing available now, but held units may come back" and carries
   * Retry-After: a good client waits and tries again (with a new Idempotency-Key, the refused
   * attempt being final under its key). Default true. False: ALL_RESERVED is a final sold_out.
   */
  retryAllReserved?: boolean;
  /** Concurrent connection warm-ups in phase 1 (default 500). */
  connectConcurrency?: number;
  /**
   * Backoff on repeated 429 / 503 / ALL_RESERVED for the same request: the k-th consecutive retry waits a random
   * time between Retry-After and min(Retry-After x 2^(k-1), maxRetryDelayMs), never less than Retry-After.
   * Without it 10,000 buyers retrying every second re-publish faster than the workers drain (a retry storm).
   * Default 30000; 0 waits exactly Retry-After every time.
   */
  maxRetryDelayMs?: number;
}

export interface LoadResult {
  mode: 'sale' | 'floor';
  buyers: number;
  /** Buyers with a final answer (confirmed, sold_out, declined, expired, refused). */
  answered: number;
  outcomes: Record<Outcome, number>;
  /** Final code -> count ('' for success; NETWORK:<code>, HTTP_<status> or DEADLINE for the unanswered kinds). */
  codes: Record<string, number>;
  confirmedOrders: { clientID: string; orderID: string; units: number; total: number }[];
  /** Endpoint -> count of 429/503 retries. */
  retries: Record<string, number>;
  /** Endpoint -> count of 409 ALL_RESERVED retries (only with retryAllReserved). */
  allReservedRetries: Record<string, number>;
  http5xx: number;
  /** Requests that failed at the transport level (socket reset, closed, refused, timeout) during the sale. */
  droppedConnections: number;
  /** The same, by error code. */
  transportErrors: Record<string, number>;
  peakOpenConnections: number;
  /** Where peakOpenConnections comes from: the gateway (openConnections) or our own count of connected clients. */
  peakOpenConnectionsSource: 'gateway' | 'client';
  /** Our own count of connected clients at the barrier. */
  clientOpenConnectionsAtRelease: number;
  /** Buyers whose warm-up GET /healthz succeeded. */
  connectedBuyers: number;
  /** Warm-up attempts that failed (each is retried up to 3 times). */
  warmupFailures: number;
  /** Latency in ms (3 decimals) per endpoint, plus `buyer` (release to answer) and `warmup`. */
  latency: Record<string, LatencySummary>;
  /** Latency distribution per endpoint: [percentile, ms] pairs. */
  latencyPercentiles: Record<string, [number, number][]>;
  timeline: TimelinePoint[];
  /** When the last confirmed unit was confirmed (ms from release), null if none. */
  soldOutAtMs: number | null;
  /** When the last buyer was answered (ms from release), null if none. */
  allAnsweredAtMs: number | null;
  /** From the start of phase 1 to the end. */
  wallMs: number;
  buyersPerSecond: number;
  /** Duration of phase 1. */
  connectMs: number;
  /** Peak resident memory of this (client) process, MB. */
  clientPeakRssMb: number;
  notes: string[];
}

const DEFAULT_DEADLINE_MS = 300_000;
const DEFAULT_POLL_MS = 500;
const SAMPLE_EVERY_MS = 100;
const WARMUP_ATTEMPTS = 3;
const BARRIER_SAMPLES = 5;
const MAX_RETRY_AFTER_S = 30;
const DEFAULT_MAX_RETRY_DELAY_MS = 30_000;
const PERCENTILES = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5, 99.9, 99.99, 100];

const SOLD_OUT_CODES = new Set(['SOLD_OUT', 'ALL_RESERVED', 'INSUFFICIENT_STOCK']);

/** The outcome category of a final answer (status 0 when it comes from a failed order's code). */
export function outcomeOf(status: number, code: string): Outcome {
  if (status === 200) return 'confirmed';
  if (status === 402 || code === 'PAYMENT_DECLINED') return 'declined';
  if (SOLD_OUT_CODES.has(code)) return 'sold_out';
  if (code === 'RESERVATION_EXPIRED') return 'expired';
  if (code === 'INTERNAL' || code === 'SERVICE_UNAVAILABLE' || status >= 500) return 'error';
  if ((status >= 400 && status < 500) || (status === 0 && code !== '')) return 'refused';
  return 'error';
}

/** Retry-After in seconds (delta-seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_S);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max((date - now) / 1000, 0), MAX_RETRY_AFTER_S);
}

/**
 * How long to wait before the k-th consecutive retry (k >= 1) of one request: never less than Retry-After,
 * growing exponentially up to maxMs, with full jitter above Retry-After so a crowd does not retry in lockstep.
 */
export function retryDelayMs(retryAfterS: number | undefined, k: number, maxMs: number, random: () => number = Math.random): number {
  const base = (retryAfterS ?? 1) * 1000;
  if (maxMs <= base) return base;
  const ceiling = Math.min(base * 2 ** Math.max(0, k - 1), maxMs);
  return Math.round(base + (ceiling - base) * random());
}

/** The first moment confirmed units reached their final total: the last confirmation. */
export function soldOutAt(confirmationTimesMs: readonly number[]): number | null {
  let last: number | null = null;
  for (const t of confirmationTimesMs) if (last === null || t > last) last = t;
  return last;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function newHistogram(): hdr.Histogram {
  // Microseconds, 3 significant digits; auto-resizes past an hour if it must.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: true });
}

/** A percentile in ms; HDR reports the top of a value's bucket, which may exceed the exact max: clamp to it. */
function percentileMs(h: hdr.Histogram, p: number): number {
  return round3(Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000);
}

export function summarize(h: hdr.Histogram): LatencySummary {
  return {
    count: h.totalCount,
    p50: percentileMs(h, 50),
    p90: percentileMs(h, 90),
    p99: percentileMs(h, 99),
    max: round3(h.maxValue / 1000),
    mean: round3(h.mean / 1000),
  };
}

/** The buyer ran out of time (the deadline passed): unanswered. */
class DeadlineReached extends Error {}

/** The buyer ends in 'error' with this code (5xx, transport failure twice, unexpected reply). */
class BuyerFailed extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

interface Reply {
  status: number;
  retryAfterS: number | undefined;
  body: Record<string, unknown> | undefined;
}

interface Final {
  /** 'floor_ok': a floor-mode buyer answered (counted in answered and codes[''], in no sale outcome). */
  outcome: Outcome | 'floor_ok';
  code: string;
  orderID?: string;
  units?: number;
  total?: number;
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

function codeOf(reply: Reply): string {
  const code = reply.body?.code;
  return typeof code === 'string' ? code : '';
}

function transportCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; name?: unknown };
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'UNKNOWN';
}

class LoadRun {
  private readonly origin: string;
  private readonly clients: Client[] = [];
  private readonly histograms = new Map<string, hdr.Histogram>();
  /**
   * Set when the deadline passes; every client is then destroyed, which fails its request in flight.
   * (Not an AbortSignal shared by all requests: EventTarget.addEventListener scans every listener
   * already registered, so 10,000 requests in flight made each new one O(n): a fifth of the client's CPU.)
   */
  private expired = false;
  private readonly deadlineMs: number;
  private readonly retryAllReserved: boolean;
  private readonly maxRetryDelayMs: number;

  private phase: Phase = 'connect';
  private t0 = 0;
  private deadlineAt = Infinity;

  // Counters: the timeline and the progress bar read only these.
  private connected = 0;
  private clientOpen = 0;
  private warmupFailures = 0;
  private answered = 0;
  private readonly outcomes: Record<Outcome, number> = { confirmed: 0, sold_out: 0, declined: 0, expired: 0, refused: 0, error: 0, unanswered: 0 };
  private readonly codes: Record<string, number> = {};
  private readonly retries: Record<string, number> = {};
  private readonly allReservedRetries: Record<string, number> = {};
  private readonly transportErrors: Record<string, number> = {};
  private http5xx = 0;
  private dropped = 0;
  private pending = 0;
  private inFlight = 0;
  private lastAnswerMs: number | null = null;
  private peakRss = 0;
  private readonly confirmedOrders: LoadResult['confirmedOrders'] = [];
  private readonly confirmationTimes: number[] = [];
  private readonly timeline: TimelinePoint[] = [];
  private readonly notes: string[] = [];
  private unexpectedLogged = 0;

  constructor(private readonly plan: BuyerPlan) {
    this.origin = new URL(plan.gatewayUrl).origin;
    this.deadlineMs = plan.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.retryAllReserved = plan.retryAllReserved ?? true;
    this.maxRetryDelayMs = plan.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  }

  async run(): Promise<LoadResult> {
    const { plan } = this;
    const n = plan.buyers;
    const started = performance.now();
    const ticker = setInterval(() => this.tick(), SAMPLE_EVERY_MS);
    let connectMs = 0;
    let peak = 0;
    let peakSource: 'gateway' | 'client' = 'client';
    let clientOpenAtRelease = 0;
    let deadlineTimer: NodeJS.Timeout | undefined;
    let wallMs = 0;
    try {
      // Phase 1: connect and warm up every client.
      for (let i = 0; i < n; i++) this.clients.push(this.newClient());
      await this.warmUp(plan.connectConcurrency ?? 500);
      connectMs = performance.now() - started;

      // Phase 2: the barrier. Every buyer computes its cart and waits on one promise.
      this.phase = 'barrier';
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const buyers: Promise<void>[] = new Array(n);
      for (let i = 0; i < n; i++) buyers[i] = this.buyer(i, gate);

      clientOpenAtRelease = this.clientOpen;
      ({ peak, source: peakSource } = await this.samplePeak());

      this.t0 = performance.now();
      this.deadlineAt = this.t0 + this.deadlineMs;
      deadlineTimer = setTimeout(() => this.expire(), this.deadlineMs);
      this.phase = 'sale';
      release();

      // Phase 3: the sale.
      await Promise.all(buyers);
      this.phase = 'done';
      wallMs = performance.now() - started;
    } finally {
      clearInterval(ticker);
      this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
      if (deadlineTimer) clearTimeout(deadlineTimer);
      if (this.t0 > 0) this.sample();
      this.reportProgress();
      await this.closeAll();
    }

    const latency: Record<string, LatencySummary> = {};
    const latencyPercentiles: Record<string, [number, number][]> = {};
    for (const [name, h] of this.histograms) {
      if (h.totalCount === 0) continue;
      latency[name] = summarize(h);
      latencyPercentiles[name] = PERCENTILES.map((p) => [p, percentileMs(h, p)]);
    }
    const allAnsweredAtMs = this.lastAnswerMs === null ? null : round3(this.lastAnswerMs);
    return {
      mode: plan.floor ? 'floor' : 'sale',
      buyers: n,
      answered: this.answered,
      outcomes: { ...this.outcomes },
      codes: { ...this.codes },
      confirmedOrders: this.confirmedOrders,
      retries: { ...this.retries },
      allReservedRetries: { ...this.allReservedRetries },
      http5xx: this.http5xx,
      droppedConnections: this.dropped,
      transportErrors: { ...this.transportErrors },
      peakOpenConnections: peak,
      peakOpenConnectionsSource: peakSource,
      clientOpenConnectionsAtRelease: clientOpenAtRelease,
      connectedBuyers: this.connected,
      warmupFailures: this.warmupFailures,
      latency,
      latencyPercentiles,
      timeline: this.timeline,
      soldOutAtMs: (() => {
        const t = soldOutAt(this.confirmationTimes);
        return t === null ? null : round3(t);
      })(),
      allAnsweredAtMs,
      wallMs: round3(wallMs),
      buyersPerSecond: allAnsweredAtMs ? round3(this.answered / (allAnsweredAtMs / 1000)) : 0,
      connectMs: round3(connectMs),
      clientPeakRssMb: Math.round(this.peakRss / 1024 / 1024),
      notes: this.notes,
    };
  }

  /** The deadline: every buyer still waiting gives up (its request in flight fails, its sleep throws). */
  private expire(): void {
    this.expired = true;
    for (const c of this.clients) void c.destroy().catch(() => undefined);
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
    this.clientOpen++;
  };

  private readonly onDisconnect = (): void => {
    this.clientOpen--;
  };

  private async warmUp(concurrency: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.clients.length) {
        const i = next++;
        for (let attempt = 1; attempt <= WARMUP_ATTEMPTS; attempt++) {
          const start = performance.now();
          try {
            const res = await this.clients[i]!.request({ method: 'GET', path: '/healthz' });
            await res.body.dump();
            if (res.statusCode === 200) {
              this.record('warmup', start);
              this.connected++;
              break;
            }
            this.warmupFailures++;
          } catch {
            this.warmupFailures++;
            await this.clients[i]!.destroy().catch(() => undefined);
            this.clients[i] = this.newClient();
          }
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, this.clients.length)) }, worker));
    if (this.connected < this.clients.length) {
      this.notes.push(`${this.clients.length - this.connected} buyers could not warm up their connection (they connect at the release)`);
    }
  }

  private async samplePeak(): Promise<{ peak: number; source: 'gateway' | 'client' }> {
    const read = this.plan.openConnections;
    if (!read) return { peak: this.clientOpen, source: 'client' };
    let peak = -1;
    let failure: unknown;
    for (let s = 0; s < BARRIER_SAMPLES; s++) {
      try {
        peak = Math.max(peak, await read());
      } catch (err) {
        failure = err;
      }
      if (s < BARRIER_SAMPLES - 1) await new Promise((r) => setTimeout(r, 50));
    }
    if (peak >= 0) return { peak, source: 'gateway' };
    this.notes.push(`could not read the gateway's open connections (${String((failure as Error)?.message ?? failure)}); peak is our own count of connected clients`);
    return { peak: this.clientOpen, source: 'client' };
  }

  private tick(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
    if (this.phase === 'sale') this.sample();
    this.reportProgress();
  }

  private sample(): void {
    this.timeline.push({
      tMs: Math.round(performance.now() - this.t0),
      answered: this.answered,
      confirmed: this.outcomes.confirmed,
      soldOut: this.outcomes.sold_out,
      declined: this.outcomes.declined,
      expired: this.outcomes.expired,
      pending: this.pending,
      inFlight: this.inFlight,
    });
  }

  private reportProgress(): void {
    if (!this.plan.onProgress) return;
    try {
      this.plan.onProgress({
        phase: this.phase,
        total: this.plan.buyers,
        connected: this.connected,
        answered: this.answered,
        confirmed: this.outcomes.confirmed,
        soldOut: this.outcomes.sold_out,
        declined: this.outcomes.declined,
        expired: this.outcomes.expired,
        refused: this.outcomes.refused,
        errors: this.outcomes.error,
        pending: this.pending,
        inFlight: this.inFlight,
        elapsedMs: this.t0 > 0 ? Math.round(performance.now() - this.t0) : 0,
      });
    } catch {
      // a progress display must not break the run
    }
  }

  private record(name: string, startMs: number): void {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = newHistogram()));
    h.recordValue(Math.max(1, Math.round((performance.now() - startMs) * 1000)));
  }

  /** Every buyer is done (answered or given up): nothing is in flight, so each connection is simply closed. */
  private async closeAll(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.destroy().catch(() => undefined)));
  }

  /** Wait ms, or throw DeadlineReached if the deadline comes first. */
  private async wait(ms: number): Promise<void> {
    const left = this.deadlineAt - performance.now();
    if (ms >= left) {
      if (left > 0) await new Promise((r) => setTimeout(r, left));
      throw new DeadlineReached();
    }
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  }

  /** One HTTP request; a transport failure is retried once on a fresh client, then fails the buyer. */
  private async request(i: number, endpoint: Endpoint, method: 'GET' | 'POST', path: string, body?: string, idempotencyKey?: string): Promise<Reply> {
    const headers = body === undefined ? undefined : idempotencyKey === undefined ? JSON_HEADERS : { ...JSON_HEADERS, 'idempotency-key': idempotencyKey };
    for (let attempt = 0; ; attempt++) {
      if (this.expired) throw new DeadlineReached();
      const start = performance.now();
      this.inFlight++;
      try {
        const res = await this.clients[i]!.request({ method, path, headers, body });
        const text = await res.body.text();
        this.record(endpoint, start);
        let parsed: Record<string, unknown> | undefined;
        try {
          const value: unknown = text === '' ? undefined : JSON.parse(text);
          if (value !== null && typeof value === 'object') parsed = value as Record<string, unknown>;
        } catch {
          // not JSON: status alone decides
        }
        return { status: res.statusCode, retryAfterS: parseRetryAfter(res.headers['retry-after']), body: parsed };
      } catch (err) {
        if (this.expired) throw new DeadlineReached();
        const code = transportCode(err);
        this.dropped++;
        this.transportErrors[code] = (this.transportErrors[code] ?? 0) + 1;
        const old = this.clients[i]!;
        this.clients[i] = this.newClient();
        void old.destroy().catch(() => undefined);
        if (attempt >= 1) throw new BuyerFailed(`NETWORK:${code}`);
      } finally {
        this.inFlight--;
      }
    }
  }

  /** A request, retried after Retry-After while it answers 429 or 503; any other 5xx fails the buyer. */
  private async call(i: number, endpoint: Endpoint, method: 'GET' | 'POST', path: string, body?: string, idempotencyKey?: string): Promise<Reply> {
    for (let k = 1; ; k++) {
      const reply = await this.request(i, endpoint, method, path, body, idempotencyKey);
      if (reply.status === 429 || reply.status === 503) {
        this.retries[endpoint] = (this.retries[endpoint] ?? 0) + 1;
        await this.wait(retryDelayMs(reply.retryAfterS, k, this.maxRetryDelayMs));
        continue;
      }
      if (reply.status >= 500) {
        this.http5xx++;
        throw new BuyerFailed(codeOf(reply) || `HTTP_${reply.status}`);
      }
      return reply;
    }
  }

  private async buyer(i: number, gate: Promise<void>): Promise<void> {
    let cart: CartLine[] = [];
    let final: Final;
    try {
      if (!this.plan.floor) cart = this.plan.cartOf(i);
    } catch (err) {
      this.noteUnexpected(err);
    }
    await gate;
    try {
      final = this.plan.floor ? await this.floorBuyer(i) : await this.shop(i, `${this.plan.clientPrefix}-${i}`, cart);
    } catch (err) {
      if (err instanceof DeadlineReached) final = { outcome: 'unanswered', code: 'DEADLINE' };
      else if (err instanceof BuyerFailed) final = { outcome: 'error', code: err.code };
      else {
        this.noteUnexpected(err);
        final = { outcome: 'error', code: 'CLIENT_EXCEPTION' };
      }
    }
    this.finish(`${this.plan.clientPrefix}-${i}`, final);
  }

  private noteUnexpected(err: unknown): void {
    if (this.unexpectedLogged++ < 5) this.notes.push(`unexpected client error: ${(err as Error)?.stack ?? String(err)}`);
  }

  private finish(clientID: string, final: Final): void {
    const tMs = performance.now() - this.t0;
    if (final.outcome !== 'floor_ok') this.outcomes[final.outcome]++;
    this.codes[final.code] = (this.codes[final.code] ?? 0) + 1;
    if (final.outcome === 'error' || final.outcome === 'unanswered') return;
    this.answered++;
    this.lastAnswerMs = tMs;
    this.record('buyer', this.t0);
    if (final.outcome === 'confirmed') {
      this.confirmationTimes.push(tMs);
      this.confirmedOrders.push({ clientID, orderID: final.orderID ?? '', units: final.units ?? 0, total: final.total ?? 0 });
    }
  }

  /** Floor mode: two GET /healthz, the second sent when the first is answered. */
  private async floorBuyer(i: number): Promise<Final> {
    for (let k = 0; k < 2; k++) {
      const reply = await this.call(i, 'healthz', 'GET', '/healthz');
      if (reply.status !== 200) return { outcome: 'error', code: codeOf(reply) || `HTTP_${reply.status}` };
    }
    return { outcome: 'floor_ok', code: '' };
  }

  private async shop(i: number, clientID: string, cart: CartLine[]): Promise<Final> {
    let units = 0;
    for (let line = 0; line < cart.length; line++) {
      const { productID, quantity } = cart[line]!;
      units += quantity;
      const body = JSON.stringify({ clientID, productID, quantity });
      for (let attempt = 0; ; attempt++) {
        const reply = await this.call(i, 'addToCart', 'POST', '/addToCart', body, `a${line}.${attempt}`);
        if (reply.status === 200) break;
        const code = codeOf(reply);
        if (reply.status === 409 && code === 'ALL_RESERVED' && this.retryAllReserved) {
          this.allReservedRetries.addToCart = (this.allReservedRetries.addToCart ?? 0) + 1;
          await this.wait(retryDelayMs(reply.retryAfterS, attempt + 1, this.maxRetryDelayMs));
          continue;
        }
        return { outcome: outcomeOf(reply.status, code), code };
      }
    }

    const body = JSON.stringify({ clientID });
    for (let attempt = 0; ; attempt++) {
      const reply = await this.call(i, 'checkOutCart', 'POST', '/checkOutCart', body, `c${attempt}`);
      let status = reply.status;
      let code = codeOf(reply);
      let retryAfterS = reply.retryAfterS;
      const orderID = typeof reply.body?.orderID === 'string' ? reply.body.orderID : undefined;
      let total = typeof reply.body?.total === 'number' ? reply.body.total : undefined;
      let finalUnits = units;
      if (status === 202) {
        if (!orderID) throw new BuyerFailed('PENDING_WITHOUT_ORDER_ID');
        const order = await this.poll(i, orderID, reply.retryAfterS);
        status = order.status === 'confirmed' ? 200 : 0;
        code = typeof order.code === 'string' ? order.code : '';
        total = typeof order.total === 'number' ? order.total : total;
        if (Array.isArray(order.items)) finalUnits = order.items.reduce((sum: number, it: { quantity?: unknown }) => sum + (typeof it.quantity === 'number' ? it.quantity : 0), 0);
        retryAfterS = undefined;
      }
      if (status === 200) return { outcome: 'confirmed', code: '', orderID, units: finalUnits, total };
      if (code === 'ALL_RESERVED' && this.retryAllReserved) {
        this.allReservedRetries.checkOutCart = (this.allReservedRetries.checkOutCart ?? 0) + 1;
        await this.wait(retryDelayMs(retryAfterS, attempt + 1, this.maxRetryDelayMs));
        continue;
      }
      return { outcome: outcomeOf(status, code), code, orderID };
    }
  }

  /** Poll GET /orders/:id until the order is final. */
  private async poll(i: number, orderID: string, retryAfterS: number | undefined): Promise<Record<string, any>> {
    this.pending++;
    try {
      let delay = this.plan.pollIntervalMs ?? (retryAfterS !== undefined ? retryAfterS * 1000 : DEFAULT_POLL_MS);
      for (;;) {
        await this.wait(delay);
        const reply = await this.call(i, 'getOrder', 'GET', `/orders/${encodeURIComponent(orderID)}`);
        if (reply.status === 200 && reply.body) {
          const status = reply.body.status;
          if (status === 'confirmed' || status === 'failed') return reply.body;
        } else if (reply.status !== 404) {
          // 404: the order is not recorded yet (the job is queued); anything else is unexpected.
          throw new BuyerFailed(`POLL_${codeOf(reply) || `HTTP_${reply.status}`}`);
        }
        delay = this.plan.pollIntervalMs ?? (reply.retryAfterS !== undefined ? reply.retryAfterS * 1000 : DEFAULT_POLL_MS);
      }
    } finally {
      this.pending--;
    }
  }
}

/** Runs the buyers against plan.gatewayUrl; resolves when every buyer is answered or given up on. */
export async function runBuyers(plan: BuyerPlan): Promise<LoadResult> {
  if (!Number.isInteger(plan.buyers) || plan.buyers < 1) throw new Error(`buyers must be a positive integer, got ${plan.buyers}`);
  return new LoadRun(plan).run();
}
