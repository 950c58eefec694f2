import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Budgets that hold at several times a test's normal duration on a loaded machine (issue 10 item 11).
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // expect.poll gives up after 1 s by default: a page or a queue is often slower than that on a loaded machine.
    expect: { poll: { timeout: 60_000 } },
    // Both databases and child processes run in the tests: two files at a time fit two cores.
    maxWorkers: 2,
  },
});
