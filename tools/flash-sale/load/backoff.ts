/**
 * When to try again: Retry-After as the gateway sends it (429, 503, 202 and
 * ALL_RESERVED), and the exponential backoff with jitter above it for a
 * request refused again and again.
 */

/** Retry-After values above this are read as this (seconds). */
export const MAX_RETRY_AFTER_S = 30;

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
