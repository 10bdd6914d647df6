import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { GATEWAY_NODE_ARGS, SURFACES } from '../../tools/lib/services';

const ROOT = path.join(__dirname, '..', '..');

describe('node options of the services: one list, the same wherever a service is started', () => {
  test('when the test harness, setup.sh and docker-compose.yml start the gateway, then they pass the same node options', () => {
    expect(SURFACES['api-gateway'].nodeArgs).toEqual(GATEWAY_NODE_ARGS);
    const setup = readFileSync(path.join(ROOT, 'setup.sh'), 'utf8');
    const line = /node_args_of\(\) \{ case "\$1" in api-gateway\) printf '%s' '([^']*)' ;; esac; \}/.exec(setup);
    expect(line?.[1]?.split(' ')).toEqual([...GATEWAY_NODE_ARGS]);
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { command?: string[] }> };
    expect(compose.services['api-gateway']!.command).toEqual(['node', ...GATEWAY_NODE_ARGS, 'dist/api-gateway/src/main.js']);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    expect(JSON.parse(cmd![1]!)).toEqual(['node', ...GATEWAY_NODE_ARGS, 'dist/api-gateway/src/main.js']);
  });

  test('when a worker is started, then it runs with no extra node options in all three places', () => {
    for (const name of ['inventory-manager', 'cart-manager', 'checkout-manager'] as const) expect(SURFACES[name].nodeArgs).toEqual([]);
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { command?: string[] }> };
    for (const name of ['inventory-manager', 'cart-manager', 'checkout-manager']) expect(compose.services[name]!.command).toEqual(['node', `dist/${name}/src/main.js`]);
  });
});
