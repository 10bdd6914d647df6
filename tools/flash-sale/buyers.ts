/**
 * Drives the buyers of a flash sale for real, over HTTP, against a running
 * gateway: runBuyers(plan) connects one client per buyer, holds them all at a
 * barrier, releases them at once and measures the sale. The parts, each in
 * load/ and named for its job:
 *
 * - coordinator.ts  the phases of a run (connect, barrier, sale) and its result
 * - connections.ts  one undici connection per buyer, warmed up before the release
 * - gateway-client.ts  requests as a good client sends them: retried on 429 / 503
 *   after Retry-After (backoff.ts), transport failures once on a fresh connection
 * - buyer.ts        one buyer's script: add to cart, check out, poll after 202
 * - outcomes.ts     how a buyer reads a code, from the error catalog (contracts/errors.ts)
 * - metrics.ts, histograms.ts  counters, timeline, HDR latency histograms
 * - deadline.ts     the run's deadline: who is still waiting gives up
 *
 * Only a final outcome answers a buyer (200, 402, 409, 400, or a final order
 * state from polling); 202, 429 and 503 do not. Everything measured is a
 * counter or an HDR histogram: nothing scans the buyers while the sale runs.
 */
export { parseRetryAfter, retryDelayMs } from './load/backoff';
export { runBuyers } from './load/coordinator';
export { summarize } from './load/histograms';
export { soldOutAt } from './load/metrics';
export { OUTCOMES, type Outcome, outcomeOf } from './load/outcomes';
export { type BuyerPlan, type CartLine, type ConfirmedOrder, CONNECTION_MODES, type ConnectionMode, ENDPOINTS, type Endpoint, type LatencySummary, type LoadResult, type Phase, type Progress, type TimelinePoint } from './load/types';
