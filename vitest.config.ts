import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // clipanion 3.2.1 has no "exports" map: Vite would pick its .mjs build,
    // whose directory imports Node's ESM loader refuses. Node itself loads
    // the CommonJS build (its "main"); tests load the same one.
    alias: { clipanion: require.resolve('clipanion') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // onTestFinished removes a test's folder (venvs, wheelhouses): on a busy
    // machine that can take more than the default 10 s.
    hookTimeout: 60_000,
    pool: 'forks',
    // One worker per core, not vitest's default of one fewer: most test files wait on processes they
    // start (pip, servers, lockhouse itself), so on a 2-core machine a second worker halves the wall time.
    maxWorkers: '100%',
  },
});
