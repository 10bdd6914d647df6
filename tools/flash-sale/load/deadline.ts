/**
 * The run's deadline: once it passes, every buyer still waiting gives up (its
 * sleep throws DeadlineReached, and onExpire destroys the connections, which
 * fails every request in flight).
 *
 * Not an AbortSignal shared by all requests: EventTarget.addEventListener scans
 * every listener already registered, so 10,000 requests in flight made each new
 * one O(n): a fifth of the client's CPU.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The buyer ran out of time (the deadline passed): unanswered. */
export class DeadlineReached extends Error {}

export class Deadline {
  private at = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private passed = false;

  constructor(private readonly onExpire: () => void = () => undefined) {}

  get expired(): boolean {
    return this.passed;
  }

  /** Starts the clock: the deadline is ms from now. */
  start(ms: number): void {
    this.at = performance.now() + ms;
    this.timer = setTimeout(() => {
      this.passed = true;
      this.onExpire();
    }, ms);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Throws DeadlineReached once the deadline has passed. */
  check(): void {
    if (this.passed) throw new DeadlineReached();
  }

  /** Wait ms, or throw DeadlineReached if the deadline comes first. */
  async wait(ms: number): Promise<void> {
    const left = this.at - performance.now();
    if (ms >= left) {
      if (left > 0) await sleep(left);
      throw new DeadlineReached();
    }
    if (ms > 0) await sleep(ms);
  }
}
