/**
 * The shapes the load driver shares with its callers: the plan of a run, what
 * it reports while it runs (Progress) and the result it ends with (LoadResult).
 */
import type { Outcome } from './outcomes';

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
   * How buyers use connections. 'per-buyer' (default): one connection per buyer, opened and warmed up before the
   * release and kept for all its requests (keep-alive), so the gateway holds every buyer's connection at the release.
   * 'per-request': every request, the warm-up included, on a fresh connection closed after the answer
   * (`connection: close`), so every request of the sale pays a TCP connect and an accept.
   */
  connection?: ConnectionMode;
  /**
   * Backoff on repeated 429 / 503 / ALL_RESERVED for the same request: the k-th consecutive retry waits a random
   * time between Retry-After and min(Retry-After x 2^(k-1), maxRetryDelayMs), never less than Retry-After.
   * Without it 10,000 buyers retrying every second re-publish faster than the workers drain (a retry storm).
   * Default 30000; 0 waits exactly Retry-After every time.
   */
  maxRetryDelayMs?: number;
}

export const CONNECTION_MODES = ['per-buyer', 'per-request'] as const;
export type ConnectionMode = (typeof CONNECTION_MODES)[number];

export interface LoadResult {
  mode: 'sale' | 'floor';
  /** How buyers used connections (BuyerPlan.connection). */
  connection: ConnectionMode;
  buyers: number;
  /** Buyers with a final answer (confirmed, sold_out, declined, expired, refused). */
  answered: number;
  outcomes: Record<Outcome, number>;
  /** Final code -> count ('' for success; NETWORK:<code>, HTTP_<status> or DEADLINE for the unanswered kinds). */
  codes: Record<string, number>;
  confirmedOrders: ConfirmedOrder[];
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

export interface ConfirmedOrder {
  clientID: string;
  orderID: string;
  units: number;
  total: number;
}
