import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SURFACES, type ServiceName } from '../../tools/lib/services';
import type { z } from 'zod';
import { gatewayEnv } from '../../api-gateway/src/config';
import { cartEnv } from '../../cart-manager/src/config';
import { checkoutEnv } from '../../checkout-manager/src/config';
import { inventoryEnv } from '../../inventory-manager/src/config';

/**
 * No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked statically:
 * the services exist, every long-running one has a health check, every command starts a file the
 * build produces, start order waits on health, workers scale, and the Dockerfile runs scripts
 * that exist.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const APP_SERVICES = ['api-gateway', 'cart-manager', 'checkout-manager', 'inventory-manager'] as const;
const WORKERS = ['cart-manager', 'checkout-manager'] as const;
const ENV_SCHEMAS: Record<(typeof APP_SERVICES)[number], z.ZodObject<z.ZodRawShape>> = {
  'api-gateway': gatewayEnv,
  'cart-manager': cartEnv,
  'checkout-manager': checkoutEnv,
  'inventory-manager': inventoryEnv,
};

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  container_name?: string;
  healthcheck?: Healthcheck;
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target?: number; published?: string | number })[];
  restart?: string;
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
}

function readCompose(): ComposeFile {
  // Compose accepts YAML merge keys (<<: *anchor); YAML 1.2 parsers need them switched on.
  return parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
}

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function commandOf(service: Service): string[] {
  const command = service.command;
  if (command === undefined) return [];
  return Array.isArray(command) ? command : command.split(/\s+/);
}

function dependenciesOf(service: Service): Record<string, { condition?: string }> {
  const deps = service.depends_on ?? {};
  return Array.isArray(deps) ? Object.fromEntries(deps.map((d) => [d, {}])) : deps;
}

/** One-shot services (migrate, seed) run to completion; they have no health to report. */
function isOneShot(service: Service): boolean {
  return service.restart === 'no';
}

/** The TypeScript source a `node dist/....js` command runs, e.g. dist/x/src/main.js -> x/src/main.ts. */
function sourceOf(script: string): string {
  expect(script).toMatch(/^dist\/.+\.js$/);
  return script.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

function publishedPorts(service: Service): string[] {
  return (service.ports ?? []).map((p) => (typeof p === 'object' ? `${p.published ?? ''}:${p.target ?? ''}` : String(p)));
}

describe('docker-compose.yml (static checks: no Docker engine here)', () => {
  const compose = readCompose();
  const services = compose.services;

  test('when read, then it defines the four services, MariaDB 10.11, RabbitMQ with management, and the migrate one-shot', () => {
    for (const name of [...APP_SERVICES, 'mariadb', 'rabbitmq', 'migrate']) expect(Object.keys(services)).toContain(name);
    expect(services.mariadb!.image).toMatch(/^mariadb:10\.11(\.\d+)?$/);
    expect(services.rabbitmq!.image).toMatch(/^rabbitmq:3\.\d+(\.\d+)?-management/);
  });

  test('when a service runs for long, then it has a health check', () => {
    const longRunning = Object.entries(services).filter(([, s]) => !isOneShot(s));
    expect(longRunning.map(([name]) => name).sort()).toEqual([...APP_SERVICES, 'mariadb', 'rabbitmq'].sort());
    for (const [name, service] of longRunning) {
      const test = service.healthcheck?.test;
      expect({ name, disabled: service.healthcheck?.disable ?? false }).toEqual({ name, disabled: false });
      expect({ name, test: Array.isArray(test) ? test.length > 1 : typeof test === 'string' && test.length > 0 }).toEqual({ name, test: true });
    }
    expect(services.mariadb!.healthcheck!.test).toEqual(['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized']);
    expect(services.rabbitmq!.healthcheck!.test).toEqual(['CMD', 'rabbitmq-diagnostics', '-q', 'ping']);
    expect((services['api-gateway']!.healthcheck!.test as string[]).join(' ')).toContain('/healthz');
    expect((services['inventory-manager']!.healthcheck!.test as string[]).join(' ')).toContain('9100');
  });

  test.each(APP_SERVICES)('when %s starts, then it runs node on the compiled main.js of its own TypeScript source', (name) => {
    const command = commandOf(services[name]!);
    // With the node options the test harness gives it (tools/lib/services.ts; test/unit/node-args.test.ts).
    expect(command).toEqual(['node', ...SURFACES[name as ServiceName].nodeArgs, `dist/${name}/src/main.js`]);
    expect(fs.existsSync(path.join(ROOT, sourceOf(command[command.length - 1]!)))).toBe(true);
    expect(services[name]!.build ?? services[name]!.image).toBeDefined();
  });

  test('when a one-shot runs, then its command is a compiled script whose source exists', () => {
    const oneShots = Object.entries(services).filter(([, s]) => isOneShot(s));
    expect(oneShots.map(([name]) => name)).toContain('migrate');
    expect(commandOf(services.migrate!)).toEqual(['node', 'dist/db/migrate.js']);
    for (const [name, service] of oneShots) {
      const command = commandOf(service);
      expect({ name, runner: command[0] }).toEqual({ name, runner: 'node' });
      expect({ name, exists: fs.existsSync(path.join(ROOT, sourceOf(command[1]!))) }).toEqual({ name, exists: true });
    }
  });

  test('when a service depends on another, then it waits for it to be healthy (or, for a one-shot, to complete)', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, spec] of Object.entries(dependenciesOf(service))) {
        const target = services[dep];
        expect({ name, dep, exists: target !== undefined }).toEqual({ name, dep, exists: true });
        const expected = isOneShot(target!) ? 'service_completed_successfully' : 'service_healthy';
        expect({ name, dep, condition: spec.condition }).toEqual({ name, dep, condition: expected });
      }
    }
    for (const name of APP_SERVICES) {
      const deps = dependenciesOf(services[name]!);
      expect({ name, mariadb: deps.mariadb?.condition }).toEqual({ name, mariadb: 'service_healthy' });
      expect({ name, migrate: deps.migrate?.condition }).toEqual({ name, migrate: 'service_completed_successfully' });
    }
    for (const name of ['api-gateway', ...WORKERS]) {
      expect({ name, rabbitmq: dependenciesOf(services[name]!).rabbitmq?.condition }).toEqual({ name, rabbitmq: 'service_healthy' });
    }
    expect(dependenciesOf(services['checkout-manager']!)['inventory-manager']?.condition).toBe('service_healthy');
    expect(dependenciesOf(services.migrate!).mariadb?.condition).toBe('service_healthy');
  });

  test('when the dependencies are followed, then they form no cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, trail: string[]): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`depends_on cycle: ${[...trail, name].join(' -> ')}`);
      visiting.add(name);
      for (const dep of Object.keys(dependenciesOf(services[name] ?? {}))) visit(dep, [...trail, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  test('when workers are scaled (--scale checkout-manager=4), then nothing pins them to one container', () => {
    for (const name of WORKERS) {
      expect({ name, container_name: services[name]!.container_name }).toEqual({ name, container_name: undefined });
      expect({ name, ports: services[name]!.ports ?? [] }).toEqual({ name, ports: [] });
    }
    for (const name of APP_SERVICES) expect(services[name]!.container_name).toBeUndefined();
  });

  test('when the services start, then they find MariaDB, RabbitMQ and the inventory manager by their compose names', () => {
    for (const name of [...APP_SERVICES, 'migrate']) {
      const env = environmentOf(services[name]!);
      expect({ name, DB_HOST: env.DB_HOST }).toEqual({ name, DB_HOST: 'mariadb' });
    }
    for (const name of ['api-gateway', ...WORKERS]) {
      expect(new URL(environmentOf(services[name]!).AMQP_URL ?? 'amqp://missing').hostname).toBe('rabbitmq');
    }
    expect(environmentOf(services['checkout-manager']!).INVENTORY_ADDR).toBe('inventory-manager:9100');
    expect(environmentOf(services['inventory-manager']!).GRPC_PORT ?? '9100').toBe('9100');
  });

  test.each(APP_SERVICES)('when %s gets its environment, then every variable is one its config reads', (name) => {
    const known = Object.keys(ENV_SCHEMAS[name].shape);
    for (const key of Object.keys(environmentOf(services[name]!))) {
      expect({ name, key, known: known.includes(key) }).toEqual({ name, key, known: true });
    }
  });

  test('when published, then the gateway answers on 5003 and RabbitMQ management on 15672', () => {
    expect(publishedPorts(services['api-gateway']!).some((p) => /(^|:)5003$/.test(p))).toBe(true);
    expect(publishedPorts(services.rabbitmq!).some((p) => /(^|:)15672$/.test(p))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

  test('when built, then every npm script it runs exists in package.json', () => {
    const runs = instructions.filter((l) => l.startsWith('RUN '));
    const used = runs.flatMap((l) => [...l.matchAll(/npm run(?:-script)?\s+(?:--\S+\s+)*([\w:.-]+)/g)].map((m) => m[1]!));
    expect(used).toContain('build');
    for (const script of used) expect({ script, exists: scripts.includes(script) }).toEqual({ script, exists: true });
    expect(runs.join('\n')).toMatch(/npm ci/);
    expect(runs.join('\n')).toMatch(/npm prune --omit=dev/);
  });

  test('when it runs, then it is the Node major package.json requires, as the non-root user node, stopped by SIGTERM, with what the services load at run time', () => {
    const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const major = /^>=(\d+)$/.exec(engines)?.[1];
    expect({ engines, major }).toEqual({ engines: `>=${major}`, major: expect.stringMatching(/^\d+$/) });
    const from = instructions.filter((l) => l.startsWith('FROM '));
    expect(from.length).toBeGreaterThanOrEqual(2);
    for (const line of from) expect(line).toMatch(new RegExp(`^FROM node:${major}[-.\\w]*`));
    expect(instructions).toContain('USER node');
    expect(instructions).toContain('STOPSIGNAL SIGTERM');
    const copies = instructions.filter((l) => l.startsWith('COPY --from=')).join('\n');
    for (const needed of ['dist', 'protos', 'db/migrations', 'node_modules', 'package.json']) expect(copies).toContain(needed);
  });

  test('when the build context is sent, then node_modules, dist and local state stay out', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git', '.run']) expect(ignored).toContain(entry);
  });
});
