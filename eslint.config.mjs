// Lint for the bugs the compiler cannot see, and for the architecture's import
// rules (docs/architecture.md). The classic bug here is a forgotten `await` in
// a consumer or handler: the ack happens before the work is durable, or a
// rejection vanishes. Formatting is not linted.
import tseslint from 'typescript-eslint';

const SERVICES = ['api-gateway', 'cart-manager', 'checkout-manager', 'inventory-manager'];

/** An import pattern group (gitignore-style, matched against the import path). */
const anyOf = (names, message) => ({ group: names.flatMap((n) => [`**/${n}`, `**/${n}/**`]), message });

/** What may import what: one block per part of the tree. */
const importRules = [
  {
    files: ['contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [anyOf(['common', 'db', 'tools', ...SERVICES], 'contracts/ is pure: schemas, the error catalog and the rules every service must agree on. It imports nothing of the project.')] }],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [anyOf(['db', 'tools', ...SERVICES], 'common/ is plumbing: it imports contracts/ at most, never a service, db/ or tools/.')] }],
    },
  },
  {
    files: ['db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [anyOf(['tools', ...SERVICES], 'db/ holds the schema and read-only views of it: it imports common/ and contracts/ only.')] }],
    },
  },
  ...SERVICES.map((service) => ({
    files: [`${service}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            anyOf(
              ['tools', ...SERVICES.filter((s) => s !== service)],
              `${service} talks to other services over RabbitMQ, gRPC or HTTP, never by import; shared code goes to common/ (plumbing) or contracts/.`,
            ),
          ],
        },
      ],
    },
  })),
  {
    // The tools and the system tests drive the services from outside: through
    // their public surfaces, their config, and the entry points they export
    // for it (start/stop, the inventory manager's seed).
    files: ['tools/**/*.ts', 'test/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...SERVICES.map((s) => `**/${s}/src/**`),
                ...SERVICES.flatMap((s) => [`!**/${s}/src/config`, `!**/${s}/src/main`]),
                '!**/inventory-manager/src/seed',
              ],
              message: "Tools and system tests use a service's public surfaces (HTTP, gRPC, queues), its config, or the start/stop and seed entry points it exports; not its internals.",
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'common/src/generated/**', 'coverage/**', '**/*.mjs', '**/*.js', 'jest.config.ts'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  ...importRules,
);
