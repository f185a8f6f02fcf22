/**
 * The import rules CI holds the code to (`npm run deps`): imports run one way,
 * handlers/local -> service -> ports <- adapters, with the domain at the bottom, and no cycles.
 * The layer rules are `reachable`: they hold at any depth, not only for a module's own imports.
 */
/** Every Lambda's folder (its thin handler and what only it uses). */
const HANDLERS = '^functions/(ingest|query|webhook|textract-complete|review|pages|console|sweep|email|aws)/';

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
      name: 'service-never-reaches-adapters',
      severity: 'error',
      comment:
        'The service speaks to outside systems through its ports, at any depth: nothing it imports, or anything that imports, may lead to an adapter, the reader (behind the DocumentReading port), the local runtime, a handler or the AWS SDK.',
      from: { path: '^functions/service/' },
      to: { reachable: true, path: ['^functions/adapters/', '^functions/reader/', '^functions/local/', HANDLERS, '^functions/cli/', '@aws-sdk'] },
    },
    {
      name: 'adapters-reach-only-ports',
      severity: 'error',
      comment:
        'Adapters implement ports: of the service they may reach only the port types (service/ports.ts, service/webhooks/ports.ts), never its rules, and never the reader, the local runtime or a handler. Rules both stores keep (counters, deadlines, review) live in the domain.',
      from: { path: '^functions/adapters/' },
      to: {
        reachable: true,
        path: ['^functions/service/', '^functions/reader/', '^functions/local/', HANDLERS, '^functions/cli/'],
        pathNot: ['^functions/service/(webhooks/)?ports[.]ts$'],
      },
    },
    {
      name: 'reader-below-service',
      severity: 'error',
      comment: 'Reading documents into text knows nothing of the service, the handlers or the local runtime, at any depth.',
      from: { path: '^functions/reader/' },
      to: { reachable: true, path: ['^functions/service/', '^functions/local/', HANDLERS, '^functions/cli/'] },
    },
    {
      name: 'common-is-shared-ground',
      severity: 'error',
      comment: 'common/ is what every layer may use (errors, limits, cursors, config): it reaches nothing above the domain.',
      from: { path: '^functions/common/' },
      to: { reachable: true, path: ['^functions/(service|adapters|reader|local|cli|intake)/', HANDLERS] },
    },
    {
      name: 'intake-is-an-edge',
      severity: 'error',
      comment:
        "intake/ turns what arrives by another channel (a raw email) into inbox objects, for the local listener and the email Lambda alike: it may use common, the reader's sniffing (so an attachment is told by the same rule the reader reads it by) and the AWS SDK; never the service, an adapter, the rest of the reader, the local runtime, a handler or the CLI.",
      from: { path: '^functions/intake/' },
      to: {
        reachable: true,
        path: ['^functions/(service|adapters|local|cli)/', HANDLERS, '^functions/reader/'],
        pathNot: ['^functions/reader/(sniff|errors)[.]ts$'],
      },
    },
    {
      name: 'ports-are-types-and-contracts',
      severity: 'error',
      comment: 'A port module names what adapters implement: it imports only the domain, common and other ports.',
      from: { path: '^functions/service/(webhooks/)?ports[.]ts$' },
      to: { reachable: true, path: '^functions/', pathNot: ['^functions/domain/', '^functions/common/', '^functions/service/(webhooks/)?ports[.]ts$'] },
    },
    {
      name: 'console-app-is-browser-code',
      comment:
        'The review console runs in a browser and reaches the service over HTTP only: it may use the pure domain, the port types, preact and htm; never Node, an adapter or the service.',
      severity: 'error',
      from: { path: '^functions/console/app/' },
      to: {
        pathNot: [
          '^functions/console/app/',
          '^functions/domain/',
          '^functions/service/ports[.]ts$',
          '^functions/common/source-keys[.]ts$',
          '^node_modules/(preact|htm)/',
        ],
      },
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
