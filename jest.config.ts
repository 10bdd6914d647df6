import type { Config } from 'jest';

// Unit tests are pure and fast. Integration tests start real processes against
// the real MariaDB and RabbitMQ, each file with its own database and queue
// prefix; they run one file at a time (2 cores, 151 MariaDB connections).
// Before the first of them, test/global-setup.ts waits (30 s at most) for
// MariaDB and RabbitMQ and says which one is missing and how to start it.
const tsJest = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] as [string, Record<string, unknown>] };

const config: Config = {
  maxWorkers: 1,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/**/test/unit/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/**/test/integration/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      slowTestThreshold: 60,
    },
  ],
  testTimeout: 120_000,
};

export default config;
