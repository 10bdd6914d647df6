import { AppError } from '../../../common/src/errors';
import { createSchemas } from '../../src/http/contract';
import { parseRequestPart } from '../../src/http/validate';

const schemas = createSchemas({ maxQuantityPerLine: 100 });

function messageFor(body: unknown): string {
  try {
    parseRequestPart(schemas.AddToCartRequest, body, 'request body');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_REQUEST');
    return (err as AppError).message;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
}

const valid = { clientID: 'c1', productID: 'p1', quantity: 1 };

describe('add-to-cart validation', () => {
  it('when the body is valid, then it parses and unknown fields are dropped', () => {
    expect(parseRequestPart(schemas.AddToCartRequest, { ...valid, extra: true }, 'request body')).toEqual(valid);
  });

  it.each([
    [{ productID: 'p1', quantity: 1 }, 'clientID is required'],
    [{ ...valid, clientID: '' }, 'clientID must be 1 to 100 characters'],
    [{ ...valid, clientID: 'x'.repeat(101) }, 'clientID must be 1 to 100 characters'],
    [{ ...valid, clientID: 42 }, 'clientID must be a string'],
    [{ ...valid, productID: null }, 'productID must be a string'],
    [{ ...valid, quantity: 0 }, 'quantity must be an integer from 1 to 100'],
    [{ ...valid, quantity: 101 }, 'quantity must be an integer from 1 to 100'],
    [{ ...valid, quantity: 1.5 }, 'quantity must be an integer from 1 to 100'],
    [{ ...valid, quantity: '2' }, 'quantity must be an integer from 1 to 100'],
    [{ clientID: 'c1', productID: 'p1' }, 'quantity is required'],
    [undefined, 'request body must be a JSON object'],
    [[1, 2], 'request body must be a JSON object'],
  ])('when the body is %j, then the message says "%s"', (body, expected) => {
    expect(messageFor(body)).toContain(expected);
  });

  it('when several fields are wrong, then each is named once', () => {
    expect(messageFor({ clientID: '', quantity: -1 })).toBe(
      'clientID must be 1 to 100 characters; productID is required; quantity must be an integer from 1 to 100',
    );
  });

  it('when the configured maximum is lower, then the message states it', () => {
    const small = createSchemas({ maxQuantityPerLine: 5 });
    expect(() => parseRequestPart(small.AddToCartRequest, { ...valid, quantity: 6 }, 'request body')).toThrow('quantity must be an integer from 1 to 5');
  });
});

describe('other request parts', () => {
  it('when the Idempotency-Key is empty or too long, then the header is named', () => {
    expect(() => parseRequestPart(schemas.IdempotencyHeaders, { 'Idempotency-Key': '' }, 'headers')).toThrow('Idempotency-Key must be 1 to 100 characters');
    expect(() => parseRequestPart(schemas.IdempotencyHeaders, { 'Idempotency-Key': 'k'.repeat(101) }, 'headers')).toThrow('Idempotency-Key must be 1 to 100 characters');
    expect(parseRequestPart(schemas.IdempotencyHeaders, { 'Idempotency-Key': undefined }, 'headers')).toEqual({});
  });

  it('when the order id is not a UUID, then orderID is named', () => {
    expect(() => parseRequestPart(schemas.OrderParams, { orderID: '123' }, 'path')).toThrow('orderID must be a UUID');
    expect(parseRequestPart(schemas.OrderParams, { orderID: '3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d' }, 'path').orderID).toBe('3f0b8f38-8f1e-4b8a-9d0e-6c7f0a1b2c3d');
  });

  it('when the orders query has no clientID, then clientID is named', () => {
    expect(() => parseRequestPart(schemas.OrdersQuery, {}, 'query')).toThrow('clientID is required');
  });

  it('when checking out without a clientID, then clientID is named', () => {
    expect(() => parseRequestPart(schemas.CheckoutRequest, { clientId: 'wrong-case' }, 'request body')).toThrow('clientID is required');
  });
});
