import { defineConfig } from 'vitest/config';
import path from 'node:path';

/**
 * End-to-end: one real server started the way users start it (`node scripts/start.mjs`: build,
 * migrate, seed demo data, serve), shared by every e2e file; HTTP and Chromium tests run against it.
 */
export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    pool: 'forks',
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
