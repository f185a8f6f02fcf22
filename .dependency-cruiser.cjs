/**
 * The import rules CI holds the code to (`npm run deps`): imports run one way,
 * handlers/local -> service -> ports <- adapters, with the domain at the bottom, and no cycles.
 */
/** Every Lambda's folder (its thin handler and what only it uses). */
const HANDLERS = '^functions/(ingest|query|webhook|textract-complete|review|pages|console|sweep|aws)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle ties modules together so that neither can change or be tested alone.',
      from: { path: '^functions/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'The letter engine is pure TypeScript: no AWS SDK, no Node built-ins (I/O, clock, env), nothing above it.',
      from: { path: '^functions/domain/' },
      to: { pathNot: ['^functions/domain/', '^node_modules/zod/'] },
    },
    {
      name: 'service-uses-ports-not-adapters',
      severity: 'error',
      comment: 'The service layer speaks to outside systems through its ports; adapters implement them.',
      from: { path: '^functions/service/' },
      to: { path: ['^functions/adapters/', '^functions/local/', HANDLERS, '@aws-sdk'] },
    },
    {
      name: 'adapters-below-handlers',
      severity: 'error',
      comment: 'Adapters know nothing of the handlers or the local runtime that use them.',
      from: { path: '^functions/adapters/' },
      to: { path: ['^functions/local/', HANDLERS, '^functions/cli/'] },
    },
    {
      name: 'reader-below-service',
      severity: 'error',
      comment: 'Reading documents into text knows nothing of the service, the handlers or the local runtime.',
      from: { path: '^functions/reader/' },
      to: { path: ['^functions/service/', '^functions/local/', HANDLERS] },
    },
    {
      name: 'console-app-is-browser-code',
      comment: 'The review console runs in a browser and reaches the service over HTTP only: it may use the pure domain, the port types, preact and htm; never Node, an adapter or the service.',
      severity: 'error',
      from: { path: '^functions/console/app/' },
      to: { pathNot: ['^functions/console/app/', '^functions/domain/', '^functions/service/ports[.]ts$', '^functions/common/source-keys[.]ts$', '^node_modules/(preact|htm)/'] },
    },
    {
      name: 'no-test-code-in-functions',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
