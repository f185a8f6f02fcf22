import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/aws: the service on emulated AWS, run by `npm run test:aws` (its own config).
    exclude: ['**/node_modules/**', 'test/aws/**'],
    testTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
  },
});
