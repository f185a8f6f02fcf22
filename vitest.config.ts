import { defineConfig } from 'vitest/config';

/** Files that drive Debian's Chromium (the console, its login, a hostile page's attacks). */
const BROWSER = ['test/integration/console.test.ts', 'test/integration/console-login.test.ts', 'test/integration/attacks.test.ts'];
/** Files that run the OCR engine on rendered scans: minutes of CPU. */
const OCR = ['test/unit/reader/ocr.test.ts'];

/**
 * The suite in projects, each runnable alone (`npm run test:unit`, `test:integration`,
 * `test:browser`, `test:ocr`); `npm test` runs them all. `unit` needs nothing running;
 * `integration` and `browser` start what they need (DynamoDB Local, the local S3 endpoint, the
 * service, Chromium) and stop it. test/aws, the service on emulated AWS, is `npm run test:aws`
 * (its own config).
 */
export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', 'test/aws/**'],
    testTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: ['**/node_modules/**', ...OCR] } },
      { extends: true, test: { name: 'ocr', include: OCR } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: ['**/node_modules/**', ...BROWSER] } },
      { extends: true, test: { name: 'browser', include: BROWSER } },
    ],
  },
});
