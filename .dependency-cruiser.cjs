/**
 * The direction of imports (docs/architecture.md), checked by `npm run lint:deps` from `npm test`.
 *
 *   composition roots (main, app/core modules, features, cli, demo, sandbox start-up) → anything
 *   src/workflows → adapters, queues, domain, kernel, schemas
 *   adapters/<system> → kernel, domain types, schemas, other adapters' ports (never workflows or queues)
 *   queues → kernel (never workflows or adapters)
 *   schemas → kernel, domain constants
 *   src/domain → src/domain, src/common
 *   kernel (src/common, config, logging, metrics, infra, ledger, audit) → never workflows, adapters, queues
 *
 * test/unit/architecture/dependency-rules.spec.ts proves that an upward import fails these rules.
 */

/** Files that wire the application together and so may import any layer. */
const COMPOSITION_ROOTS = [
  '^src/main\\.ts$',
  '^src/app\\.module\\.ts$',
  '^src/core\\.module\\.ts$',
  '^src/features\\.ts$',
  '^src/cli\\.ts$',
  '^src/cli/',
  '^src/demo/',
  '^src/infra/sandboxes\\.ts$',
  '^src/infra/sandbox-seed-plan\\.ts$',
];

const WORKFLOWS = '^src/workflows/';
const ADAPTERS = '^adapters/';
const QUEUES = '^queues/';
/** The shared kernel: plumbing every layer may use (the Redis ledger and the audit log included). */
const KERNEL = '^src/(common|config|logging|metrics|infra|ledger|audit)/';
/** Our own code: an import to anything else (node_modules, node: built-ins) is not a layer question. */
const OWN_CODE = '^(src|adapters|queues|schemas)/';

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Import cycles make the load order (and Nest provider resolution) depend on which file is read first.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'adapters-not-to-workflows-or-queues',
    severity: 'error',
    comment: 'An adapter talks to one external system; the lifecycle around it (ledger, jobs, retries) is a workflow.',
    from: { path: ADAPTERS },
    to: { path: [WORKFLOWS, QUEUES] },
  },
  {
    name: 'queues-not-to-workflows-or-adapters',
    severity: 'error',
    comment: 'queues/ holds job contracts, the gateway, registry, worker host and policies; workflows import it, not the reverse.',
    from: { path: QUEUES },
    to: { path: [WORKFLOWS, ADAPTERS] },
  },
  {
    name: 'adapters-only-downward',
    severity: 'error',
    comment: 'An adapter may import adapters/, the kernel, src/domain (the types it maps to) and schemas/ — nothing else of ours.',
    from: { path: ADAPTERS },
    to: { path: OWN_CODE, pathNot: [ADAPTERS, KERNEL, '^src/domain/', '^schemas/'] },
  },
  {
    name: 'queues-only-kernel',
    severity: 'error',
    comment: 'queues/ imports only itself and the kernel.',
    from: { path: QUEUES },
    to: { path: OWN_CODE, pathNot: [QUEUES, KERNEL] },
  },
  {
    name: 'schemas-only-kernel-and-domain',
    severity: 'error',
    comment: 'schemas/ describes data: it may import the kernel and domain constants, nothing that does work.',
    from: { path: '^schemas/' },
    to: { path: OWN_CODE, pathNot: ['^schemas/', KERNEL, '^src/domain/'] },
  },
  {
    name: 'domain-only-domain-and-common',
    severity: 'error',
    comment: 'src/domain holds pure rules: it may import only itself and src/common.',
    from: { path: '^src/domain/' },
    to: { path: OWN_CODE, pathNot: '^src/(domain|common)/' },
  },
  {
    name: 'kernel-not-upward',
    severity: 'error',
    comment: 'The shared kernel sits at the bottom: it must not import workflows, adapters or queues.',
    from: { path: KERNEL, pathNot: COMPOSITION_ROOTS },
    to: { path: [WORKFLOWS, ADAPTERS, QUEUES] },
  },
];

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
