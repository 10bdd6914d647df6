import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadGatewayConfig } from '../../api-gateway/src/config';
import { loadCartConfig } from '../../cart-manager/src/config';
import { loadCheckoutConfig } from '../../checkout-manager/src/config';
import { loadInventoryConfig } from '../../inventory-manager/src/config';

const ROOT = path.join(__dirname, '..', '..');

describe('bind addresses: closed outside containers, open in the image', () => {
  test('when no address is configured, then every listener of every service binds 127.0.0.1', () => {
    expect(loadGatewayConfig({}).HOST).toBe('127.0.0.1');
    expect(loadInventoryConfig({}).GRPC_HOST).toBe('127.0.0.1');
    expect(loadInventoryConfig({}).OPS_HOST).toBe('127.0.0.1');
    expect(loadCartConfig({}).OPS_HOST).toBe('127.0.0.1');
    expect(loadCheckoutConfig({}).OPS_HOST).toBe('127.0.0.1');
  });

  test('when the image runs a service, then it sets every bind address to 0.0.0.0', () => {
    const env = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('ENV '))
      .flatMap((line) => line.slice(4).trim().split(/\s+/));
    for (const name of ['HOST', 'OPS_HOST', 'GRPC_HOST']) expect(env).toContain(`${name}=0.0.0.0`);
  });
});
