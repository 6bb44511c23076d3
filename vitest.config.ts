import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    // Most tests wait on child processes (the built CLI, python3, git), so two test files at a
    // time keep both cores of the 2-core machines here busy (vitest's default would be one).
    // No test measures time: a busy machine makes the suite slower, never red.
    maxWorkers: 2,
    // Tests spawn python3, git and the built CLI; generous limits, for slow and busy machines.
    // The slowest tests take ~20 s alone and took 70 s+ with the machine's two cores shared by
    // several test runs at once (load average ~20): a limit is there to end a hang, not to time.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
