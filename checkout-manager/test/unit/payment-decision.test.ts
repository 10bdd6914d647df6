import { randomUUID } from 'node:crypto';
import { isDeclined } from '../../src/domain/payment-decision';

describe('isDeclined', () => {
  test('when the same seed and order id are asked twice, then the verdict is the same (a retried charge agrees)', () => {
    const id = randomUUID();
    expect(isDeclined('s', id, 0.5)).toBe(isDeclined('s', id, 0.5));
  });
  test('when the rate is 0 or 1, then nothing or everything is declined', () => {
    expect(isDeclined('s', randomUUID(), 0)).toBe(false);
    expect(isDeclined('s', randomUUID(), 1)).toBe(true);
  });
  test('when 10,000 orders are charged at rate 0.3, then about 30% are declined', () => {
    const declined = Array.from({ length: 10_000 }, () => isDeclined('seed', randomUUID(), 0.3)).filter(Boolean).length;
    expect(declined).toBeGreaterThan(2_700);
    expect(declined).toBeLessThan(3_300);
  });
});
