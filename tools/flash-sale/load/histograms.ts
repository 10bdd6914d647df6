/**
 * Latency histograms of a run (HDR, microseconds, 3 significant digits), one
 * per name (each endpoint, `buyer`, `warmup`), summarised in milliseconds.
 */
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './types';

/** The percentiles of each distribution in the report (its charts). */
export const PERCENTILES = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5, 99.9, 99.99, 100];

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function newHistogram(): hdr.Histogram {
  // Microseconds, 3 significant digits; auto-resizes past an hour if it must.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: true });
}

/** A percentile in ms; HDR reports the top of a value's bucket, which may exceed the exact max: clamp to it. */
export function percentileMs(h: hdr.Histogram, p: number): number {
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

export class LatencyHistograms {
  private readonly byName = new Map<string, hdr.Histogram>();

  /** Record the time from startMs (a performance.now() reading) to now; at least 1 µs. */
  record(name: string, startMs: number, now = performance.now()): void {
    let h = this.byName.get(name);
    if (!h) this.byName.set(name, (h = newHistogram()));
    h.recordValue(Math.max(1, Math.round((now - startMs) * 1000)));
  }

  /** Every histogram that recorded something: its summary and its percentile curve. */
  summaries(): { latency: Record<string, LatencySummary>; latencyPercentiles: Record<string, [number, number][]> } {
    const latency: Record<string, LatencySummary> = {};
    const latencyPercentiles: Record<string, [number, number][]> = {};
    for (const [name, h] of this.byName) {
      if (h.totalCount === 0) continue;
      latency[name] = summarize(h);
      latencyPercentiles[name] = PERCENTILES.map((p) => [p, percentileMs(h, p)]);
    }
    return { latency, latencyPercentiles };
  }
}
