import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/setupParsers.ts', 'test/setupScratch.ts'],
    // Most tests wait on child processes (the built CLI, python3, git), so two test files at a
    // time keep both cores of the 2-core machines here busy (vitest's default would be one).
    // No test measures time: a busy machine makes the suite slower, never red.
    maxWorkers: 2,
    // Tests spawn python3, git and the built CLI; generous limits, for slow and busy machines: a
    // limit catches a hang, never slowness. With a load average of 19 on 2 cores, tests that take
    // ~30 s alone took 64-85 s (atomic.test's write failing at every position, trainerYaml.test's
    // every combination), over the 60 s this was.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
