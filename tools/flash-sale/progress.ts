/**
 * The progress bar of a flash-sale run (cli-progress): one bar of answered / total
 * buyers, with the confirmed, out-of-stock, declined and pending counts beside it.
 * Before the release it shows the connection warm-up instead. Disabled (no TTY, or
 * --no-progress): prints nothing.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { Progress } from './buyers';

export interface ProgressDisplay {
  update(p: Progress): void;
  stop(): void;
}

const FORMAT =
  '{phase} |{bar}| {value}/{total} answered | confirmed {confirmed} | out-of-stock {soldOut} | declined {declined} | pending {pending} | in flight {inFlight} | {elapsed}';

function phaseLabel(p: Progress): string {
  switch (p.phase) {
    case 'connect':
      return `connecting ${p.connected}/${p.total}`;
    case 'barrier':
      return 'barrier';
    case 'sale':
      return 'sale';
    case 'done':
      return 'done';
  }
}

/** The payload shown beside the bar (exported for tests). */
export function progressPayload(p: Progress): Record<string, string | number> {
  return {
    phase: phaseLabel(p).padEnd(10),
    confirmed: p.confirmed,
    soldOut: p.soldOut,
    declined: p.declined,
    pending: p.pending,
    inFlight: p.inFlight,
    elapsed: `${(p.elapsedMs / 1000).toFixed(1)} s`,
  };
}

export function createProgress(total: number, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!enabled || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      format: FORMAT,
      stream,
      hideCursor: true,
      barsize: 30,
      fps: 10,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(p: Progress) {
      if (stopped) return;
      const payload = progressPayload(p);
      if (!started) {
        bar.start(total, p.answered, payload);
        started = true;
      } else {
        bar.update(p.answered, payload);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}
