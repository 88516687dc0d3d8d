import { defineConfig } from 'vitest/config';

// Imports of the package by its own name (`twitch-realtime`, `twitch-realtime/emulator`, ...) resolve to the sources
// through the `twitch-realtime:source` condition of the `exports` map, as in tsconfig.json: tests never run a stale
// dist/.
const conditions = ['twitch-realtime:source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    // Type tests (*.test-d.ts) are compiled by test/types.test.ts.
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/no-warnings.ts'],
    // 5 s: a test that needs more says why, next to its own timeout (child processes, soak, demo, compiler runs).
    // A slow test is seen instead of hidden under a generous global bound.
    testTimeout: 5_000,
    hookTimeout: 5_000,
  },
});
