/**
 * One run, phase by phase:
 *
 * 1. connect: every buyer's connection opens and answers one GET /healthz;
 * 2. barrier: once all are connected, every buyer computes its cart and awaits
 *    one promise; the gateway's open connections are sampled (the proof that
 *    the barrier is real), then the promise is resolved: every buyer is
 *    released in one tick;
 * 3. sale: each buyer runs its script (buyer.ts) to a final answer or the deadline.
 *
 * A ticker samples memory, the timeline and the progress every 100 ms.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuyerScript } from './buyer';
import { BuyerConnections } from './connections';
import { Deadline } from './deadline';
import { GatewayClient } from './gateway-client';
import { round3 } from './histograms';
import { RunMetrics, soldOutAt } from './metrics';
import type { BuyerPlan, CartLine, LoadResult, Phase } from './types';

const DEFAULT_DEADLINE_MS = 300_000;
const DEFAULT_MAX_RETRY_DELAY_MS = 30_000;
const DEFAULT_CONNECT_CONCURRENCY = 500;
const SAMPLE_EVERY_MS = 100;
const BARRIER_SAMPLES = 5;
const BARRIER_SAMPLE_GAP_MS = 50;

/** Runs the buyers against plan.gatewayUrl; resolves when every buyer is answered or given up on. */
export async function runBuyers(plan: BuyerPlan): Promise<LoadResult> {
  if (!Number.isInteger(plan.buyers) || plan.buyers < 1) throw new Error(`buyers must be a positive integer, got ${plan.buyers}`);
  return new LoadRun(plan).run();
}

class LoadRun {
  private readonly metrics = new RunMetrics();
  private readonly connections: BuyerConnections;
  private readonly deadline: Deadline;
  private readonly script: BuyerScript;
  private phase: Phase = 'connect';
  /** The release (performance.now()), 0 before it. */
  private releasedAt = 0;

  constructor(private readonly plan: BuyerPlan) {
    this.connections = new BuyerConnections(plan.gatewayUrl, this.metrics, plan.connection);
    this.deadline = new Deadline(() => this.connections.destroyAll());
    const gateway = new GatewayClient(this.connections, this.metrics, this.deadline, plan.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS);
    this.script = new BuyerScript(gateway, this.metrics, this.deadline, { retryAllReserved: plan.retryAllReserved ?? true, pollIntervalMs: plan.pollIntervalMs });
  }

  async run(): Promise<LoadResult> {
    const { plan, metrics } = this;
    const n = plan.buyers;
    const started = performance.now();
    const ticker = setInterval(() => this.tick(), SAMPLE_EVERY_MS);
    let connectMs = 0;
    let peak = 0;
    let peakSource: 'gateway' | 'client' = 'client';
    let clientOpenAtRelease = 0;
    let wallMs = 0;
    try {
      // Phase 1: connect and warm up every client.
      this.connections.create(n);
      await this.connections.warmUp(plan.connectConcurrency ?? DEFAULT_CONNECT_CONCURRENCY);
      connectMs = performance.now() - started;

      // Phase 2: the barrier. Every buyer computes its cart and waits on one promise.
      this.phase = 'barrier';
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const buyers: Promise<void>[] = new Array(n);
      for (let i = 0; i < n; i++) buyers[i] = this.buyer(i, gate);

      clientOpenAtRelease = this.connections.openCount;
      ({ peak, source: peakSource } = await this.samplePeak());

      this.releasedAt = performance.now();
      this.deadline.start(plan.deadlineMs ?? DEFAULT_DEADLINE_MS);
      this.phase = 'sale';
      release();

      // Phase 3: the sale.
      await Promise.all(buyers);
      this.phase = 'done';
      wallMs = performance.now() - started;
    } finally {
      clearInterval(ticker);
      metrics.sampleMemory();
      this.deadline.clear();
      if (this.releasedAt > 0) metrics.sampleTimeline(performance.now() - this.releasedAt);
      this.reportProgress();
      await this.connections.closeAll();
    }

    const allAnsweredAtMs = metrics.lastAnswerMs === null ? null : round3(metrics.lastAnswerMs);
    const soldOutAtMs = soldOutAt(metrics.confirmationTimes);
    return {
      mode: plan.floor ? 'floor' : 'sale',
      connection: plan.connection ?? 'per-buyer',
      buyers: n,
      answered: metrics.answered,
      outcomes: { ...metrics.outcomes },
      codes: { ...metrics.codes },
      confirmedOrders: metrics.confirmedOrders,
      retries: { ...metrics.retries },
      allReservedRetries: { ...metrics.allReservedRetries },
      http5xx: metrics.http5xx,
      droppedConnections: metrics.dropped,
      transportErrors: { ...metrics.transportErrors },
      peakOpenConnections: peak,
      peakOpenConnectionsSource: peakSource,
      clientOpenConnectionsAtRelease: clientOpenAtRelease,
      connectedBuyers: metrics.connected,
      warmupFailures: metrics.warmupFailures,
      ...metrics.latency.summaries(),
      timeline: metrics.timeline,
      soldOutAtMs: soldOutAtMs === null ? null : round3(soldOutAtMs),
      allAnsweredAtMs,
      wallMs: round3(wallMs),
      buyersPerSecond: allAnsweredAtMs ? round3(metrics.answered / (allAnsweredAtMs / 1000)) : 0,
      connectMs: round3(connectMs),
      clientPeakRssMb: Math.round(metrics.peakRss / 1024 / 1024),
      notes: metrics.notes,
    };
  }

  /** Buyer i: its cart before the release, its script after it, its final answer counted. */
  private async buyer(i: number, gate: Promise<void>): Promise<void> {
    const clientID = `${this.plan.clientPrefix}-${i}`;
    let cart: CartLine[] = [];
    try {
      if (!this.plan.floor) cart = this.plan.cartOf(i);
    } catch (err) {
      this.metrics.noteUnexpected(err);
    }
    await gate;
    const final = await this.script.run(i, clientID, this.plan.floor ? 'floor' : cart);
    this.metrics.finish(clientID, final, this.releasedAt, performance.now());
  }

  /** The gateway's open connections at the barrier (the highest of a few readings), else our own count. */
  private async samplePeak(): Promise<{ peak: number; source: 'gateway' | 'client' }> {
    const read = this.plan.openConnections;
    if (!read) return { peak: this.connections.openCount, source: 'client' };
    let peak = -1;
    let failure: unknown;
    for (let s = 0; s < BARRIER_SAMPLES; s++) {
      try {
        peak = Math.max(peak, await read());
      } catch (err) {
        failure = err;
      }
      if (s < BARRIER_SAMPLES - 1) await sleep(BARRIER_SAMPLE_GAP_MS);
    }
    if (peak >= 0) return { peak, source: 'gateway' };
    this.metrics.notes.push(`could not read the gateway's open connections (${String((failure as Error)?.message ?? failure)}); peak is our own count of connected clients`);
    return { peak: this.connections.openCount, source: 'client' };
  }

  private tick(): void {
    this.metrics.sampleMemory();
    if (this.phase === 'sale') this.metrics.sampleTimeline(performance.now() - this.releasedAt);
    this.reportProgress();
  }

  private reportProgress(): void {
    if (!this.plan.onProgress) return;
    try {
      this.plan.onProgress(this.metrics.progress(this.phase, this.plan.buyers, this.releasedAt > 0 ? performance.now() - this.releasedAt : 0));
    } catch {
      // a progress display must not break the run
    }
  }
}
