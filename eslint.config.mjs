// Lint for the bugs the compiler cannot see, and for the import rules of the
// architecture (docs/architecture.md). The classic bug here is a forgotten
// `await` in a consumer or handler: the ack happens before the work is
// durable, or a rejection vanishes. Formatting is not linted.
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const SERVICES = ['api-gateway', 'cart-manager', 'checkout-manager', 'inventory-manager'];
const root = (dir) => `./${dir}`;

/**
 * Who may import whom. import-x resolves every import to a file, so a zone is
 * a real folder, however many `../` the import path has.
 */
const zones = [
  {
    target: root('contracts'),
    from: ['common', 'db', 'tools', 'test', ...SERVICES].map(root),
    message: 'contracts/ is pure: message schemas, the error catalog and the rules every service must agree on. It imports nothing of the project.',
  },
  {
    target: root('common'),
    from: ['db', 'tools', 'test', ...SERVICES].map(root),
    message: 'common/ is plumbing: it may import contracts/, never a service, db/, tools/ or tests.',
  },
  {
    target: root('db'),
    from: ['tools', 'test', ...SERVICES].map(root),
    message: 'db/ holds the schema and read-only views of it: it imports common/ and contracts/ only.',
  },
  ...SERVICES.map((service) => ({
    target: root(`${service}/src`),
    from: ['tools', 'test', ...SERVICES.filter((s) => s !== service)].map(root),
    message: `${service} talks to other services over RabbitMQ, gRPC or HTTP, never by import; what they share goes to common/ (plumbing) or contracts/.`,
  })),
  // Tools and tests drive a service from outside: its public surfaces (HTTP,
  // gRPC, queues), its config, and the entry points it exports for that
  // (start/stop in main.ts, the inventory manager's seed). A service's own
  // tests may of course import its own src.
  ...SERVICES.map((service) => ({
    target: ['tools', 'test', ...SERVICES.filter((s) => s !== service).map((s) => `${s}/test`)].map(root),
    from: root(`${service}/src`),
    except: ['./config.ts', './main.ts', ...(service === 'inventory-manager' ? ['./seed.ts', './bench.ts'] : [])],
    message: `Tools and tests use ${service}'s public surfaces, its config, or the start/stop and seed entry points it exports; not its internals.`,
  })),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'common/src/generated/**', 'coverage/**', '**/*.mjs', '**/*.js', 'jest.config.ts'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }],
    },
  },
);
