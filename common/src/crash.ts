/**
 * Test-only crash points. With CRASH_AT=<point>[,<point>...] a process kills
 * itself (SIGKILL: no cleanup, no flush, like a power cut) when it reaches that
 * point, so tests can prove every step converges after redelivery. With
 * CRASH_ONCE_FILE set, the crash happens only if that file does not exist yet
 * (the file is created just before dying), so the restarted process goes on.
 */
import { existsSync, writeFileSync } from 'node:fs';

export type CrashPoint =
  | 'cart.mid-batch' // a batch of 2+ messages half written (its first multi-row write done): the database rolls it back
  | 'cart.after-order-commit' // order committed, checkout job not yet published
  | 'checkout.after-reserve' // stock reserved, payment not yet charged
  | 'checkout.after-charge' // payment charged, reservation not yet committed
  | 'checkout.after-commit'; // reservation committed, order/reply not yet written

/** The two settings every service with crash points reads (commonEnv). */
export interface CrashConfig {
  CRASH_AT: string;
  CRASH_ONCE_FILE: string;
}

export function crashPoint(point: CrashPoint, crash: CrashConfig): void {
  const crashAt = crash.CRASH_AT;
  const onceFile = crash.CRASH_ONCE_FILE;
  if (!crashAt) return;
  if (!crashAt.split(',').includes(point)) return;
  if (onceFile) {
    const marker = `${onceFile}.${point}`;
    if (existsSync(marker)) return;
    writeFileSync(marker, String(process.pid));
  }
  process.kill(process.pid, 'SIGKILL');
}
