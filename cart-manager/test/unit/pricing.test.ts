import { type PricedProduct, priceCart, unitPrice } from '../../src/domain/pricing';

const now = new Date('2026-11-21T12:00:00Z');
const product = (over: Partial<PricedProduct> = {}): PricedProduct => ({
  productId: 'X',
  priceCents: 1999,
  dealPriceCents: 999,
  dealStartsAt: new Date('2026-11-21T11:45:00Z'),
  dealEndsAt: new Date('2026-11-21T12:15:00Z'),
  dealOnly: false,
  ...over,
});

describe('unitPrice', () => {
  test('when checkout is inside the deal window, then the deal price is charged', () => {
    expect(unitPrice(product(), now)).toEqual({ ok: true, unitPriceCents: 999, deal: true });
  });
  test('when the window has closed (the end is exclusive), then the regular price is charged', () => {
    expect(unitPrice(product({ dealEndsAt: now }), now)).toEqual({ ok: true, unitPriceCents: 1999, deal: false });
  });
  test('when the product is deal-only and the window is not open, then DEAL_NOT_ACTIVE', () => {
    const result = unitPrice(product({ dealOnly: true, dealStartsAt: new Date('2026-11-21T13:00:00Z'), dealEndsAt: new Date('2026-11-21T14:00:00Z') }), now);
    expect(result).toMatchObject({ ok: false, code: 'DEAL_NOT_ACTIVE' });
  });
  test('when there is no deal, then the regular price is charged', () => {
    expect(unitPrice(product({ dealPriceCents: null, dealStartsAt: null, dealEndsAt: null }), now)).toMatchObject({ unitPriceCents: 1999 });
  });
});

describe('priceCart', () => {
  test('then the total is the sum of quantity x unit price, in cents', () => {
    const products = new Map([
      ['X', product()],
      ['Y', product({ productId: 'Y', priceCents: 250, dealPriceCents: null, dealStartsAt: null, dealEndsAt: null })],
    ]);
    expect(priceCart([{ productId: 'X', quantity: 2 }, { productId: 'Y', quantity: 3 }], products, now)).toEqual({
      ok: true,
      totalCents: 2 * 999 + 3 * 250,
      lines: [
        { productId: 'X', quantity: 2, unitPriceCents: 999 },
        { productId: 'Y', quantity: 3, unitPriceCents: 250 },
      ],
    });
  });
  test('when a product has disappeared, then PRODUCT_NOT_FOUND', () => {
    expect(priceCart([{ productId: 'gone', quantity: 1 }], new Map(), now)).toMatchObject({ ok: false, code: 'PRODUCT_NOT_FOUND' });
  });
});
