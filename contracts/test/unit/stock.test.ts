import { refusalFor } from '../../stock';


describe('refusalFor', () => {
  test('when enough units are available, then nothing is refused', () => {
    expect(refusalFor({ available: 3, reserved: 0, sold: 0 }, 3)).toBeNull();
  });
  test('when nothing is available or held, then the answer is the final SOLD_OUT', () => {
    expect(refusalFor({ available: 0, reserved: 0, sold: 10 }, 1)).toBe('SOLD_OUT');
  });
  test('when units are held by pending payments that could cover the request, then ALL_RESERVED (never a final no)', () => {
    expect(refusalFor({ available: 0, reserved: 2, sold: 8 }, 1)).toBe('ALL_RESERVED');
    expect(refusalFor({ available: 1, reserved: 1, sold: 8 }, 2)).toBe('ALL_RESERVED');
  });
  test('when even every held unit coming back cannot cover the request, then INSUFFICIENT_STOCK', () => {
    expect(refusalFor({ available: 1, reserved: 1, sold: 0 }, 5)).toBe('INSUFFICIENT_STOCK');
  });
});

