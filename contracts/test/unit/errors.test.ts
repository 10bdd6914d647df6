import { ERROR_CODES, hasRetryAfter, isFinalCode } from '../../errors';

describe('the error catalog', () => {
  test('when a code can never succeed on a retry, then it is final; the rest are not', () => {
    expect(ERROR_CODES.filter((c) => !isFinalCode(c)).sort()).toEqual(['ALL_RESERVED', 'CHECKOUT_IN_PROGRESS', 'INTERNAL', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED']);
  });

  test('when an answer says when to try again, then it is ALL_RESERVED or SERVICE_UNAVAILABLE', () => {
    expect(ERROR_CODES.filter(hasRetryAfter).sort()).toEqual(['ALL_RESERVED', 'SERVICE_UNAVAILABLE']);
  });
});
