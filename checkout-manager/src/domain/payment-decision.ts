import { createHash } from 'node:crypto';

/**
 * The mock payment's verdict for one order: a pure function of (seed, order id),
 * so a retried charge decides the same way and a test run is reproducible.
 */
export function isDeclined(seed: string, orderId: string, declineRate: number): boolean {
  if (declineRate <= 0) return false;
  if (declineRate >= 1) return true;
  const digest = createHash('sha256').update(`${seed}:${orderId}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000 < declineRate;
}
