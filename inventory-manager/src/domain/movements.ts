/**
 * How each stock movement moves a product's counters (docs/design.md, "Product
 * counters"). Counters move only together with a reservation transition (or a
 * restock) and one stock_movements row per line, so replaying the ledger with
 * this table gives the counters back.
 */
import type { StockCounters } from '../../../contracts/stock';

export type MovementKind = 'restock' | 'reserve' | 'commit' | 'release' | 'expire';

/** Per unit moved. */
const PER_UNIT: Readonly<Record<MovementKind, StockCounters>> = {
  restock: { available: 1, reserved: 0, sold: 0 },
  reserve: { available: -1, reserved: 1, sold: 0 },
  commit: { available: 0, reserved: -1, sold: 1 },
  release: { available: 1, reserved: -1, sold: 0 },
  expire: { available: 1, reserved: -1, sold: 0 },
};

/** The change of each counter when `quantity` units move this way. */
export function counterDeltas(kind: MovementKind, quantity: number): StockCounters {
  const unit = PER_UNIT[kind];
  return { available: unit.available * quantity, reserved: unit.reserved * quantity, sold: unit.sold * quantity };
}
