import type { Logger } from './logger';

/**
 * Run `tick` every `intervalMs`, never two at once (a slow tick skips the next
 * beats instead of piling up). A failed tick is logged and retried at the next
 * beat. The returned stop() cancels the timer and waits for a tick in progress;
 * `isStopped` lets a long tick end early.
 */
export function runPeriodically(
  intervalMs: number,
  tick: (isStopped: () => boolean) => Promise<void>,
  log: Logger,
  what: string,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  let stopped = false;
  const isStopped = () => stopped;
  const timer = setInterval(() => {
    if (running) return;
    running = tick(isStopped)
      .catch((err: unknown) => log.warn({ err }, `${what} failed, will retry`))
      .finally(() => (running = null));
  }, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
