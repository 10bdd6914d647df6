import { z } from 'zod';
import { ADD_TO_CART_NAMESPACE, addToCartRequestIdFor, ORDER_ID_NAMESPACE, orderIdFor, randomUuid, uuidV5 } from '../../src/domain/ids';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const isUuid = (value: string) => z.uuid().safeParse(value).success;

describe('uuidV5', () => {
  it('when given the RFC test vector, then it matches the published UUID', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'www.example.com')
    expect(uuidV5('www.example.com', DNS_NAMESPACE)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('when given a namespace that is not a UUID, then it throws', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/namespace/);
  });

  it('when deriving our namespaces, then they are distinct valid UUIDs', () => {
    expect(isUuid(ORDER_ID_NAMESPACE)).toBe(true);
    expect(isUuid(ADD_TO_CART_NAMESPACE)).toBe(true);
    expect(ORDER_ID_NAMESPACE).not.toBe(ADD_TO_CART_NAMESPACE);
  });
});

describe('randomUuid', () => {
  it('when drawn past one refill of its entropy, then every id is a distinct RFC 9562 version 4 UUID', () => {
    // 256 ids per refill: 1,000 draws cross three refills.
    const ids = Array.from({ length: 1000 }, () => randomUuid());
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('orderIdFor', () => {
  it('when the same client retries with the same Idempotency-Key, then the order id is the same', () => {
    const first = orderIdFor('client-1', 'key-1');
    expect(orderIdFor('client-1', 'key-1')).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first).toBe(uuidV5('client-1\nkey-1', ORDER_ID_NAMESPACE));
  });

  it('when the key or the client differs, then the order id differs', () => {
    const ids = new Set([orderIdFor('client-1', 'key-1'), orderIdFor('client-1', 'key-2'), orderIdFor('client-2', 'key-1')]);
    expect(ids.size).toBe(3);
  });

  it('when no key is given, then every call gets a fresh random v4 id', () => {
    const a = orderIdFor('client-1', undefined);
    const b = orderIdFor('client-1', undefined);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    expect(isUuid(a)).toBe(true);
  });
});

describe('addToCartRequestIdFor', () => {
  const line = { clientID: 'client-1', productID: 'tv', quantity: 2 };

  it('when the same line is retried with the same key, then the request id is the same', () => {
    expect(addToCartRequestIdFor(line, 'k')).toBe(addToCartRequestIdFor({ ...line }, 'k'));
  });

  it('when the key is reused for another line, then it is another request', () => {
    expect(addToCartRequestIdFor({ ...line, quantity: 3 }, 'k')).not.toBe(addToCartRequestIdFor(line, 'k'));
    expect(addToCartRequestIdFor({ ...line, productID: 'radio' }, 'k')).not.toBe(addToCartRequestIdFor(line, 'k'));
  });

  it('when the same key is used for an add-to-cart and a checkout, then the ids never collide', () => {
    expect(addToCartRequestIdFor(line, 'k')).not.toBe(orderIdFor('client-1', 'k'));
  });

  it('when no key is given, then every call is a new request', () => {
    expect(addToCartRequestIdFor(line, undefined)).not.toBe(addToCartRequestIdFor(line, undefined));
  });
});
