import { defineConfig } from 'vitest/config';

/**
 * Test files that touch the SQL store; the `postgres` project runs them again on a real
 * PostgreSQL (hub/src/testing/test-database.ts). Store tests written with describeEngines
 * (hub/src/testing/engines.ts) run both engines themselves and are not listed here. Run one engine with `--project anxin` (SQLite)
 * or `--project postgres`.
 */
const STORE_TESTS = [
  'hub/src/hub.test.ts',
  'hub/src/bulk/import.test.ts',
  'hub/src/bulk/import-chunks.test.ts',
  'hub/src/care/*.test.ts',
  'hub/src/engine/derived-alarms.test.ts',
  'hub/src/engine/engine.test.ts',
  'hub/src/escalation/escalation.test.ts',
  'hub/src/ingest/lanes.test.ts',
  'hub/src/ingest/liveness.test.ts',
  'hub/src/notify/notifier.test.ts',
  'hub/src/operations/operations-ingest.test.ts',
  'hub/src/operations/service-requests.test.ts',
  'hub/src/operations/welfare.test.ts',
  'hub/src/operations/worker-visits.test.ts',
  'test/gateway-control.test.ts',
  'test/low-battery-once.test.ts',
];

// Tests resolve workspace packages to their TypeScript sources (the `source` export condition),
// so unit tests need no build; tests that spawn real `anxin` processes use the built dist/.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every hub a test builds or starts checks its answers against its response schemas
    // (hub/src/http/response-check.ts): a schema narrower than an answer fails the test.
    // They also leave fastify's response serializers to compile on first use (http/server.ts): a
    // hub starts in ~0.6 s instead of ~1.6 s, and the suite starts hundreds.
    env: { ANXIN_CHECK_RESPONSES: '1', ANXIN_LAZY_SERIALIZERS: '1' },
    projects: [
      {
        extends: true,
        test: { name: 'anxin', include: ['*/src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: STORE_TESTS,
          env: { ANXIN_TEST_DATABASE: 'postgres' },
          globalSetup: ['hub/src/testing/postgres-global.ts'],
        },
      },
    ],
  },
});
