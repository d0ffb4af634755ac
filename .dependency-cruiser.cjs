/**
 * The dependency rule (hexagonal): the domain imports nothing outside itself; ports only the
 * domain; use-cases only domain and ports; adapters are imported only by the composition root.
 * Paths match anywhere in the tree so the rule's self-check can run it on a fixture.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'functions/src/domain imports nothing outside itself (no packages, no node builtins).',
      severity: 'error',
      from: { path: '(^|/)functions/src/domain/' },
      to: { pathNot: '(^|/)functions/src/domain/' },
    },
    {
      name: 'ports-speak-domain',
      comment: 'ports import only the domain and other ports.',
      severity: 'error',
      from: { path: '(^|/)functions/src/ports/' },
      to: { pathNot: '(^|/)functions/src/(domain|ports)/' },
    },
    {
      name: 'use-cases-only-domain-and-ports',
      comment: 'use-cases import only domain, ports and other use-cases.',
      severity: 'error',
      from: { path: '(^|/)functions/src/use-cases/' },
      to: { pathNot: '(^|/)functions/src/(domain|ports|use-cases)/' },
    },
    {
      name: 'presenters-only-domain',
      comment: 'presenters shape domain objects for an API; they import only the domain.',
      severity: 'error',
      from: { path: '(^|/)functions/src/presenters/' },
      to: { pathNot: '(^|/)functions/src/(domain|presenters)/' },
    },
    {
      name: 'adapters-only-from-composition-root',
      comment: 'only the composition root (and adapters themselves) import adapters.',
      severity: 'error',
      from: { path: '(^|/)functions/src/', pathNot: '(^|/)functions/src/(adapters|composition)/' },
      to: { path: '(^|/)functions/src/adapters/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
