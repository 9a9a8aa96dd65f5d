/**
 * The import graph's rules (`pnpm lint` runs them). An event walks one road through the stage
 * folders of server/domain; a stage may import the stages before it on that road, never one after
 * it, and the layers below the domain (the schema, the database and queue clients, the process's
 * settings) never import it. Tests, benchmarks and scripts stand outside and may import anything.
 */

// server/domain's stages, lowest first: each may import those before it. The files at
// server/domain's root are the shared vocabulary below every stage.
const stages = [
  'audit',
  'tenants',
  'notices',
  'delivery',
  'events',
  'subscriptions',
  'replay',
  'lifecycle',
  'upkeep',
  'insights',
];

const outside = '(\\.test\\.ts$|^tests/|^e2e/|^bench/|^scripts/)';
const stage = (name) => `^server/domain/${name}/`;

const stageRules = stages.slice(0, -1).map((name, rank) => ({
  name: `stage-${name}-imports-down`,
  comment: `${name} may import only the stages before it on the road: ${stages.slice(0, rank).join(', ') || '(none)'}`,
  severity: 'error',
  from: { path: stage(name), pathNot: outside },
  to: { path: stages.slice(rank + 1).map(stage) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules import each other in one direction: no circle, not even through types.',
      severity: 'error',
      from: { pathNot: outside },
      to: { circular: true },
    },
    ...stageRules,
    {
      name: 'domain-root-imports-no-stage',
      comment: "server/domain's root files are the vocabulary every stage shares: they import no stage.",
      severity: 'error',
      from: { path: '^server/domain/[^/]+$', pathNot: outside },
      to: { path: stages.map(stage) },
    },
    {
      name: 'schema-is-the-bottom',
      comment: 'drizzle/schema is the lowest layer: it imports nothing of the application.',
      severity: 'error',
      from: { path: '^drizzle/' },
      to: { path: '^(server|worker|app)/' },
    },
    {
      name: 'infrastructure-below-domain',
      comment: 'The database and queue clients and the process settings sit below the domain.',
      severity: 'error',
      from: {
        path: '^server/(db|queue)/|^server/(env|log|json|metrics|tracing|tracing-context|tracing-spans|batch)\\.ts$',
        pathNot: outside,
      },
      to: { path: '^server/(domain|api|auth|dev)/|^server/(runtime|settings|migrate|web)\\.ts$|^worker/|^app/' },
    },
    {
      name: 'domain-below-doors',
      comment: 'The domain is shared by web and worker: it imports neither, nor how they are wired.',
      severity: 'error',
      from: { path: '^server/domain/', pathNot: outside },
      to: { path: '^server/(api|auth|dev)/|^server/(runtime|settings|migrate|web)\\.ts$|^worker/|^app/' },
    },
    {
      name: 'web-and-worker-apart',
      comment: 'The web doors and the worker are two processes over one domain: neither imports the other.',
      severity: 'error',
      from: { path: '^(server/api|server/auth|app)/', pathNot: outside },
      to: { path: '^worker/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.next|\\.data|drizzle/migrations)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
