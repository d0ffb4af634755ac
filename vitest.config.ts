import { defineConfig } from 'vitest/config';

// Node 20 is this project's local runtime; the AWS SDK's notice about Node 22 is noise in test output.
const QUIET_ENV = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

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
          env: QUIET_ENV,
          // Property suites run 1,000+ cases each: generous on a loaded 2-core CI machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/contract/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          env: QUIET_ENV,
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
