import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure, parallel, no network) and `integration` (real local stand-ins on
 * loopback: DynamoDB Local, aedes, the Stripe emulator, cognito-local, Chromium), run one file at
 * a time so the 2-core CI machine is not oversubscribed.
 */
export default defineConfig({
  test: {
    coverage: {
      provider: 'v8',
      include: ['functions/src/**/*.ts', 'contracts/**/*.ts', 'firmware-sim/src/**/*.ts', 'infra/local/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: {
        'functions/src/domain/**': { lines: 95 },
        'functions/src/use-cases/**': { lines: 95 },
      },
    },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/contract/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
