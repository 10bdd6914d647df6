import { ERROR_CODES, hasRetryAfter, isFinalCode } from '../../../../contracts/errors';
import { mayComeBack, OUTCOMES, outcomeOf } from '../../../flash-sale/load/outcomes';

describe('how a buyer reads the error catalog', () => {
  test('when a buyer ends with any code of the catalog, then it counts as one outcome, never confirmed or unanswered', () => {
    for (const code of ERROR_CODES) {
      const outcome = outcomeOf(0, code);
      expect({ code, known: OUTCOMES.includes(outcome) }).toEqual({ code, known: true });
      expect(['confirmed', 'unanswered']).not.toContain(outcome);
    }
  });

  test('when the catalog marks a code final, then the buyer never tries again', () => {
    for (const code of ERROR_CODES.filter(isFinalCode)) expect({ code, retried: mayComeBack(code) }).toEqual({ code, retried: false });
  });

  test('when out of stock, then only the code the catalog marks not final and answered with Retry-After (ALL_RESERVED) may come back', () => {
    expect(ERROR_CODES.filter(mayComeBack)).toEqual(['ALL_RESERVED']);
    for (const code of ERROR_CODES.filter(mayComeBack)) expect(hasRetryAfter(code)).toBe(true);
    expect(ERROR_CODES.filter((code) => outcomeOf(409, code) === 'sold_out' && isFinalCode(code)).sort()).toEqual(['INSUFFICIENT_STOCK', 'SOLD_OUT']);
  });

  test('when a code is not in the catalog, then the HTTP status decides', () => {
    expect(mayComeBack('SOMETHING_NEW')).toBe(false);
    expect(mayComeBack('')).toBe(false);
    expect(outcomeOf(418, 'SOMETHING_NEW')).toBe('refused');
    expect(outcomeOf(0, 'SOMETHING_NEW')).toBe('refused');
    expect(outcomeOf(502, '')).toBe('error');
    expect(outcomeOf(0, '')).toBe('error');
    expect(outcomeOf(302, '')).toBe('error');
  });

  test('when the status says more than the code, then 200 is confirmed, 402 declined, a 5xx refusal an error', () => {
    expect(outcomeOf(200, 'SOLD_OUT')).toBe('confirmed');
    expect(outcomeOf(402, '')).toBe('declined');
    expect(outcomeOf(500, 'EMPTY_CART')).toBe('error');
    expect(outcomeOf(503, 'SOLD_OUT')).toBe('sold_out');
  });
});
