import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm test` runs `npm run lint:deps` (dependency-cruiser with .dependency-cruiser.cjs). This proves the rules
 * bite: a small tree with the same top-level layout is cruised with the project's own rules, once clean and once
 * with deliberately added upward imports and a cycle. The fixture lives in a temporary folder, so nothing is
 * ever written into the real source tree.
 */
const repo = path.join(__dirname, '..', '..', '..');
const depcruise = path.join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

const cruise = (files: Record<string, string>) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tsm-depcruise-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    const rules = JSON.stringify(path.join(repo, '.dependency-cruiser.cjs'));
    writeFileSync(
      path.join(root, 'rules.cjs'),
      `module.exports = { forbidden: require(${rules}).forbidden, options: { tsPreCompilationDeps: true } };\n`,
    );
    const roots = ['src', 'adapters', 'queues', 'schemas'].filter((d) => Object.keys(files).some((f) => f.startsWith(`${d}/`)));
    return spawnSync(process.execPath, [depcruise, ...roots, '--config', 'rules.cjs', '--output-type', 'err'], {
      cwd: root,
      encoding: 'utf8',
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};

/** A tree that follows the direction: workflow → adapter, queues, domain; adapter → kernel, domain. */
const clean: Record<string, string> = {
  'src/common/errors.ts': 'export class AppError extends Error {}\n',
  'src/domain/rules.ts': "import { AppError } from '../common/errors';\nexport const rule = () => AppError;\n",
  'adapters/nexus/nexus.client.ts': "import { rule } from '../../src/domain/rules';\nexport const client = rule;\n",
  'queues/jobs/agenda.jobs.ts': 'export interface AgendaJob { meetingId: string }\n',
  'queues/queue.gateway.ts': "import type { AgendaJob } from './jobs/agenda.jobs';\nexport const enqueue = (j: AgendaJob) => j;\n",
  'src/workflows/agenda/agenda.collect.ts':
    "import { client } from '../../../adapters/nexus/nexus.client';\nimport { enqueue } from '../../../queues/queue.gateway';\nexport const collect = () => [client, enqueue];\n",
  'src/main.ts': "import { collect } from './workflows/agenda/agenda.collect';\ncollect();\n",
};

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it('pass on a tree that imports only downwards', () => {
    const r = cruise(clean);
    expect([r.status, r.stderr]).toEqual([0, '']);
  }, 60_000);

  it('fail on upward imports and cycles, naming each rule', () => {
    const r = cruise({
      ...clean,
      // an adapter reaching into a workflow and into queues/
      'adapters/nexus/nexus.upward.ts':
        "import { collect } from '../../src/workflows/agenda/agenda.collect';\nimport { enqueue } from '../../queues/queue.gateway';\nexport const up = [collect, enqueue];\n",
      // queues/ reaching into an adapter
      'queues/jobs/nexus.jobs.ts': "import { client } from '../../adapters/nexus/nexus.client';\nexport const c = client;\n",
      // an adapter reaching into an HTTP edge
      'src/admin/admin.controller.ts': 'export const controller = 1;\n',
      'adapters/nexus/nexus.edge.ts': "import { controller } from '../../src/admin/admin.controller';\nexport const e = controller;\n",
      // schemas/ reaching into a workflow
      'schemas/agenda.schema.ts': "import { collect } from '../src/workflows/agenda/agenda.collect';\nexport const s = collect;\n",
      // the domain reaching into an adapter
      'src/domain/impure.ts': "import { client } from '../../adapters/nexus/nexus.client';\nexport const i = client;\n",
      // the kernel reaching into queues/
      'src/common/upward.ts': "import { enqueue } from '../../queues/queue.gateway';\nexport const u = enqueue;\n",
      // a cycle
      'src/common/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'src/common/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    });
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(
      /adapters-not-to-workflows-or-queues: adapters\/nexus\/nexus\.upward\.ts → src\/workflows\/agenda\/agenda\.collect\.ts/,
    );
    expect(out).toMatch(/adapters-not-to-workflows-or-queues: adapters\/nexus\/nexus\.upward\.ts → queues\/queue\.gateway\.ts/);
    expect(out).toMatch(/queues-not-to-workflows-or-adapters: queues\/jobs\/nexus\.jobs\.ts → adapters\/nexus\/nexus\.client\.ts/);
    expect(out).toMatch(/queues-only-kernel: queues\/jobs\/nexus\.jobs\.ts → adapters\/nexus\/nexus\.client\.ts/);
    expect(out).toMatch(/adapters-only-downward: adapters\/nexus\/nexus\.edge\.ts → src\/admin\/admin\.controller\.ts/);
    expect(out).toMatch(/schemas-only-kernel-and-domain: schemas\/agenda\.schema\.ts → src\/workflows\/agenda\/agenda\.collect\.ts/);
    expect(out).toMatch(/domain-only-domain-and-common: src\/domain\/impure\.ts → adapters\/nexus\/nexus\.client\.ts/);
    expect(out).toMatch(/kernel-not-upward: src\/common\/upward\.ts → queues\/queue\.gateway\.ts/);
    expect(out).toMatch(/no-circular: src\/common\/a\.ts/);
  }, 60_000);
});
