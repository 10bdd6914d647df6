import { parseSeedArgs } from '../../src/cli/seed';

describe('seed arguments', () => {
  const now = new Date('2026-11-21T12:00:00Z');
  test('when a deal is given, then its window starts now and lasts the given minutes', () => {
    expect(parseSeedArgs(['--product', 'X', '--name', 'Deal', '--stock', '10', '--price', '1999', '--deal-price', '999', '--deal-minutes', '30'], now)).toEqual({
      productId: 'X',
      name: 'Deal',
      stock: 10,
      priceCents: 1999,
      dealPriceCents: 999,
      dealStartsAt: now,
      dealEndsAt: new Date('2026-11-21T12:30:00Z'),
    });
  });
  test('when the stock is negative or a deal price comes without minutes, then a message names the option', () => {
    expect(() => parseSeedArgs(['--product', 'X', '--stock=-1'], now)).toThrow(/--stock/);
    expect(() => parseSeedArgs(['--product', 'X', '--stock', '1', '--deal-price', '5'], now)).toThrow(/deal/);
  });

  test('when the product id breaks the id rule, then --product is named and nothing is seeded', () => {
    for (const product of ['X  ', ' X', 'X\u0007', '\ud800X']) {
      expect(() => parseSeedArgs(['--product', product, '--stock', '1', '--price', '1'], now)).toThrow(/--product/);
    }
  });
});
