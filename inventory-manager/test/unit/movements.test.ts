import { type MovementKind, counterDeltas } from '../../src/domain/movements';

describe('stock movements', () => {
  test.each([
    ['restock', { available: 3, reserved: 0, sold: 0 }],
    ['reserve', { available: -3, reserved: 3, sold: 0 }],
    ['commit', { available: 0, reserved: -3, sold: 3 }],
    ['release', { available: 3, reserved: -3, sold: 0 }],
    ['expire', { available: 3, reserved: -3, sold: 0 }],
  ] as [MovementKind, object][])('when 3 units move by %s, then the counters move by %j', (kind, deltas) => {
    expect(counterDeltas(kind, 3)).toEqual(deltas);
  });

  test('when units move between counters (anything but a restock), then available + reserved + sold is unchanged', () => {
    for (const kind of ['reserve', 'commit', 'release', 'expire'] as const) {
      const d = counterDeltas(kind, 7);
      expect(d.available + d.reserved + d.sold).toBe(0);
    }
  });
});
