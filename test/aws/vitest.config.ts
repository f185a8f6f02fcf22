import { defineConfig } from 'vitest/config';

/**
 * `npm run test:aws`: the synthesized service end to end on emulated AWS (moto), apart from
 * `npm test` (whose config leaves test/aws out). One file, one fork, steps in order.
 */
export default defineConfig({
  test: {
    include: ['test/aws/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
