import { defineConfig } from 'vitest/config';

// Tests resolve workspace packages to their TypeScript sources (the `source` export condition),
// so unit tests need no build; tests that spawn real `anxin` processes use the built dist/.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
