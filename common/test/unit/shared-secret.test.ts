import { secretCheck, secretMetadata } from '../../src/shared-secret';

describe('the inventory shared secret', () => {
  const secret = 'a-shared-secret-of-32-characters';

  test('when a secret is configured, then only a call carrying that secret passes', () => {
    const check = secretCheck(secret);
    expect(check(secretMetadata(secret))).toBe(true);
    expect(check(secretMetadata(undefined))).toBe(false);
    expect(check(secretMetadata(`${secret}x`))).toBe(false);
    expect(check(secretMetadata(secret.slice(1)))).toBe(false);
  });

  test('when no secret is configured, then every call passes and clients send none', () => {
    expect(secretCheck(undefined)(secretMetadata(undefined))).toBe(true);
    expect(secretMetadata(undefined).get('authorization')).toEqual([]);
  });
});
