import { defineConfig } from 'vitest/config';

/** Files that drive Debian's Chromium (the console, its login, a hostile page's attacks). */
const BROWSER = [
  'test/integration/console.test.ts',
  'test/integration/console-pages.test.ts',
  'test/integration/console-login.test.ts',
  'test/integration/console-search.test.ts',
  'test/integration/attacks.test.ts',
];
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
    // `npm test` (and CI) measure coverage of the domain and the service and hold them to these
    // floors, set a little under what the suite reached when they were set (unit + integration:
    // domain 97/91/99/98, service 85/77/84/87 for statements/branches/functions/lines).
    coverage: {
      provider: 'v8',
      include: ['functions/domain/**', 'functions/service/**'],
      reporter: ['text-summary'],
      thresholds: {
        'functions/domain/**': { statements: 95, branches: 88, functions: 96, lines: 96 },
        'functions/service/**': { statements: 82, branches: 72, functions: 80, lines: 84 },
      },
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: ['**/node_modules/**', ...OCR] } },
      { extends: true, test: { name: 'ocr', include: OCR } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: ['**/node_modules/**', ...BROWSER] } },
      { extends: true, test: { name: 'browser', include: BROWSER } },
    ],
  },
});
