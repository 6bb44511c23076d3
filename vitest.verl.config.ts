import { defineConfig } from 'vitest/config';

// `npm run test:verl`: VeRL's own code in the loop (test/verl/*.verl.ts), opt-in, never part of
// `npm test` (whose include is test/**/*.test.ts). One file at a time: every test runs torchrun
// processes that keep both cores busy. The hooks save, stage and load a release's critics, minutes
// on a busy machine: the limits catch a hang, never slowness.
export default defineConfig({
  test: {
    include: ['test/verl/**/*.verl.ts'],
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/setupScratch.ts'],
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 1_200_000,
  },
});
