// The layer rule (ARCHITECTURE.md): imports run one way, base ← domains ← surfaces ← entries, with no cycles.
// Run by `npm test` (pretest). Tests are outside the rule: they may reach into any layer.
const BASE = '^core/';
const DOMAINS = ['^templates/', '^scheduler/', '^relay/', '^embedded-app/state/', '^reports/'];
const DOMAIN_NAMES = ['templates', 'scheduler', 'relay', 'app-state', 'reports'];
const SURFACES = ['^api/', '^admin/', '^bot/', '^pages/', '^counter/', '^embedded-app/(?!state/)'];
const SURFACE_NAMES = ['api', 'admin', 'bot', 'pages', 'counter', 'embedded-app'];
// The entries compose: server.ts the running service, cli.ts the operator's commands, manifest/ the Teams app package
// (built from the bot's commands), bench/ the measurements.
const ENTRIES = '^(server|main|cli)\\.ts$|^(bench|manifest)/';
const TESTS = '(^test/|\\.test\\.ts$)';

const domainRules = DOMAINS.map((from, i) => ({
  name: `${DOMAIN_NAMES[i]}-imports-down`,
  comment: 'A domain imports only the base and the domains below it: templates ← scheduler ← relay ← embedded-app/state ← reports.',
  severity: 'error',
  from: { path: from, pathNot: TESTS },
  to: { path: [...DOMAINS.slice(i + 1), ...SURFACES, ENTRIES] },
}));

const surfaceRules = SURFACES.map((from, i) => ({
  name: `${SURFACE_NAMES[i]}-stays-in-its-surface`,
  comment: 'A surface never reaches into another surface, nor into the entries that compose them.',
  severity: 'error',
  from: { path: from, pathNot: TESTS },
  to: { path: [...SURFACES.filter((_, j) => j !== i), ENTRIES] },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'base-is-base',
      comment: 'The base (core/) imports nothing above it.',
      severity: 'error',
      from: { path: BASE, pathNot: TESTS },
      to: { path: [...DOMAINS, ...SURFACES, ENTRIES] },
    },
    ...domainRules,
    ...surfaceRules,
    {
      name: 'tests-stay-out',
      comment: 'Production code never imports a test or a test helper.',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { path: TESTS },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|var|test-results|specs)/|/client/dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    parser: 'swc',
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
