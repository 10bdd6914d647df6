import { StockLevels, STALE_AFTER_MS } from '../../src/stock-levels/view';

const level = (version: number, available: number, reserved = 0, sold = 0) => ({ productID: 'X', available, reserved, sold, version });

describe('StockLevels: the newest pushed level wins, a stale or untrusted one refuses nothing', () => {
  let now = 1_000_000;
  const clock = () => now;

  test('when an older level arrives after a newer one, then it is ignored', () => {
    const levels = new StockLevels(STALE_AFTER_MS, clock);
    levels.trust();
    expect(levels.apply(level(7, 0, 0, 10))).toBe(true);
    expect(levels.apply(level(6, 3, 0, 7))).toBe(false);
    expect(levels.known('X')).toMatchObject({ version: 7, available: 0 });
    expect(levels.refusal('X', 1)).toEqual({ code: 'SOLD_OUT', message: 'product X is sold out' });
    expect(levels.stats).toEqual({ applied: 1, ignored: 1 });
  });

  test('when a newer level gives units back, then nothing is refused', () => {
    const levels = new StockLevels(STALE_AFTER_MS, clock);
    levels.trust();
    levels.apply(level(1, 0, 2, 8));
    expect(levels.refusal('X', 1)?.code).toBe('ALL_RESERVED');
    levels.apply(level(2, 1, 1, 8));
    expect(levels.refusal('X', 1)).toBeNull();
    expect(levels.refusal('X', 2)?.code).toBe('ALL_RESERVED');
  });

  test('when a product was not heard of for 5 s, then it is unknown; the same version heard again keeps it current', () => {
    const levels = new StockLevels(STALE_AFTER_MS, clock);
    levels.trust();
    levels.apply(level(3, 0, 0, 10));
    now += STALE_AFTER_MS - 1;
    levels.apply(level(3, 0, 0, 10)); // a heartbeat
    now += STALE_AFTER_MS - 1;
    expect(levels.refusal('X', 1)?.code).toBe('SOLD_OUT');
    now += 2;
    expect(levels.known('X')).toBeUndefined();
    expect(levels.refusal('X', 1)).toBeNull();
  });

  test('when the view is not trusted (before a snapshot, after a lost connection), then nothing is known', () => {
    const levels = new StockLevels(STALE_AFTER_MS, clock);
    levels.apply(level(1, 0, 0, 10));
    expect(levels.refusal('X', 1)).toBeNull();
    levels.trust();
    expect(levels.refusal('X', 1)?.code).toBe('SOLD_OUT');
    levels.distrust();
    expect(levels.known('X')).toBeUndefined();
  });
});
