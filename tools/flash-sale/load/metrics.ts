/**
 * Everything a run measures, as counters and histograms: nothing scans the
 * buyers while the sale runs. The progress bar and the timeline read only these.
 */
import { LatencyHistograms } from './histograms';
import { type Outcome } from './outcomes';
import type { ConfirmedOrder, Endpoint, Phase, Progress, TimelinePoint } from './types';

/** How a buyer ended. 'floor_ok': a floor-mode buyer answered (counted in answered and codes[''], in no sale outcome). */
export interface Final {
  outcome: Outcome | 'floor_ok';
  code: string;
  orderID?: string;
  units?: number;
  total?: number;
}

/** Unexpected client errors noted in the result, at most this many. */
const MAX_UNEXPECTED_NOTES = 5;

export class RunMetrics {
  readonly latency = new LatencyHistograms();
  /** Buyers whose warm-up succeeded. */
  connected = 0;
  warmupFailures = 0;
  answered = 0;
  readonly outcomes: Record<Outcome, number> = { confirmed: 0, sold_out: 0, declined: 0, expired: 0, refused: 0, error: 0, unanswered: 0 };
  readonly codes: Record<string, number> = {};
  /** 429/503 retries per endpoint. */
  readonly retries: Record<string, number> = {};
  /** ALL_RESERVED retries per endpoint. */
  readonly allReservedRetries: Record<string, number> = {};
  readonly transportErrors: Record<string, number> = {};
  http5xx = 0;
  dropped = 0;
  /** Checkouts answered 202 and polled, not final yet. */
  pending = 0;
  /** Requests on the wire now. */
  inFlight = 0;
  /** When the last buyer was answered (ms from the release). */
  lastAnswerMs: number | null = null;
  peakRss = 0;
  readonly confirmedOrders: ConfirmedOrder[] = [];
  readonly confirmationTimes: number[] = [];
  readonly timeline: TimelinePoint[] = [];
  readonly notes: string[] = [];
  private unexpectedLogged = 0;

  retried(endpoint: Endpoint): void {
    this.retries[endpoint] = (this.retries[endpoint] ?? 0) + 1;
  }

  retriedAllReserved(endpoint: Endpoint): void {
    this.allReservedRetries[endpoint] = (this.allReservedRetries[endpoint] ?? 0) + 1;
  }

  transportFailed(code: string): void {
    this.dropped++;
    this.transportErrors[code] = (this.transportErrors[code] ?? 0) + 1;
  }

  noteUnexpected(err: unknown): void {
    if (this.unexpectedLogged++ < MAX_UNEXPECTED_NOTES) this.notes.push(`unexpected client error: ${(err as Error)?.stack ?? String(err)}`);
  }

  /**
   * A buyer is done, tMs after the release (releasedAt, a performance.now() reading).
   * Counts its outcome and code; an answered buyer also counts in `buyer` latency.
   */
  finish(clientID: string, final: Final, releasedAt: number, now: number): void {
    const tMs = now - releasedAt;
    if (final.outcome !== 'floor_ok') this.outcomes[final.outcome]++;
    this.codes[final.code] = (this.codes[final.code] ?? 0) + 1;
    if (final.outcome === 'error' || final.outcome === 'unanswered') return;
    this.answered++;
    this.lastAnswerMs = tMs;
    this.latency.record('buyer', releasedAt, now);
    if (final.outcome === 'confirmed') {
      this.confirmationTimes.push(tMs);
      this.confirmedOrders.push({ clientID, orderID: final.orderID ?? '', units: final.units ?? 0, total: final.total ?? 0 });
    }
  }

  sampleMemory(rss = process.memoryUsage.rss()): void {
    if (rss > this.peakRss) this.peakRss = rss;
  }

  /** One point of the timeline, tMs after the release. */
  sampleTimeline(tMs: number): void {
    this.timeline.push({
      tMs: Math.round(tMs),
      answered: this.answered,
      confirmed: this.outcomes.confirmed,
      soldOut: this.outcomes.sold_out,
      declined: this.outcomes.declined,
      expired: this.outcomes.expired,
      pending: this.pending,
      inFlight: this.inFlight,
    });
  }

  progress(phase: Phase, total: number, elapsedMs: number): Progress {
    return {
      phase,
      total,
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
      elapsedMs: Math.round(elapsedMs),
    };
  }
}

/** The first moment confirmed units reached their final total: the last confirmation. */
export function soldOutAt(confirmationTimesMs: readonly number[]): number | null {
  let last: number | null = null;
  for (const t of confirmationTimesMs) if (last === null || t > last) last = t;
  return last;
}
