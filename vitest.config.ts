import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    // Tests spawn python3, git and the built CLI; the machines here have 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
