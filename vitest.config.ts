import { defineConfig } from 'vitest/config';

// Two projects so that pure unit tests never pay for starting DynamoDB Local.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // Pure, but some import every handler (sst-config): on a loaded 2-core machine that alone
          // can pass vitest's 5 s default.
          testTimeout: 30_000,
          // Transformed like the tests, so it imports the same copy of graphql (ESM) as they do:
          // loaded natively it would get the CommonJS copy and refuse the tests' schema objects.
          server: { deps: { inline: ['@graphql-inspector/core'] } },
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 1 },
          globalSetup: ['tests/setup/dynamodb.global.ts'],
          setupFiles: ['tests/setup/table.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // DynamoDB Local is one JVM on a 2-core machine: a few files at a time keep it responsive.
          maxWorkers: 2,
        },
      },
      {
        // The console and the explorer in Debian's Chromium (tests/browser/chromium.ts), against
        // the API on DynamoDB Local like the integration tests.
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 2 },
          globalSetup: ['tests/setup/dynamodb.global.ts'],
          setupFiles: ['tests/setup/table.ts'],
          testTimeout: 90_000,
          hookTimeout: 240_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
