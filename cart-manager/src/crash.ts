import { type CrashPoint, crashPoint } from '../../common/src/crash';

/**
 * The cart manager's test-only crash points: common/src/crash.ts's, and
 * 'cart.mid-batch': a batch of two messages or more with its transaction half
 * written (its first multi-row write done, the next not yet; the database
 * rolls it back when the connection dies). That one is not in common's
 * CrashPoint list yet; crashPoint itself takes any name from CRASH_AT.
 */
export type CartCrashPoint = Extract<CrashPoint, `cart.${string}`> | 'cart.mid-batch';

export interface CrashConfig {
  CRASH_AT: string;
  CRASH_ONCE_FILE: string;
}

export function cartCrashPoint(point: CartCrashPoint, crash: CrashConfig): void {
  crashPoint(point as CrashPoint, crash);
}
