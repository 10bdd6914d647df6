import { isDealActive } from '../../deal';

const at = (iso: string) => new Date(iso);
const deal = { priceCents: 999, startsAt: at('2025-01-01T10:00:00Z'), endsAt: at('2025-01-01T10:30:00Z') };

describe('isDealActive', () => {
  it.each([
    ['before the window', '2025-01-01T09:59:59.999Z', false],
    ['at the start', '2025-01-01T10:00:00Z', true],
    ['inside', '2025-01-01T10:15:00Z', true],
    ['at the end (exclusive)', '2025-01-01T10:30:00Z', false],
  ])('when %s, then active is %s', (_label, now, expected) => {
    expect(isDealActive(deal, at(now))).toBe(expected);
  });

  it('when there is no deal price or no full window, then there is no deal', () => {
    const now = at('2025-01-01T10:15:00Z');
    expect(isDealActive({ ...deal, priceCents: null }, now)).toBe(false);
    expect(isDealActive({ ...deal, startsAt: null }, now)).toBe(false);
    expect(isDealActive({ ...deal, endsAt: null }, now)).toBe(false);
  });
});
