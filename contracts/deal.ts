/**
 * A product's deal window, as the gateway shows it and the cart manager prices
 * it: the two must agree on whether a deal is on at a given moment.
 */
export interface DealWindow {
  priceCents: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

/** A deal applies inside its window [startsAt, endsAt); without a price or a full window there is no deal. */
export function isDealActive(deal: DealWindow, now: Date): boolean {
  if (deal.priceCents === null || deal.startsAt === null || deal.endsAt === null) return false;
  const t = now.getTime();
  return deal.startsAt.getTime() <= t && t < deal.endsAt.getTime();
}
