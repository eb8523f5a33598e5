import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['services/*/src/**/*.test.ts', 'web/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // The API serves web/dist: built once before the tests, from the sources as they are.
    globalSetup: ['test/support/buildWeb.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share one Redis and one CPU pair: run files one at a time.
    fileParallelism: false,
  },
});
