import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { metricsRegistry } from '../../../src/metrics/metrics';
// Loading the modules that register feature metrics on import is not needed: all live in metrics.ts.

const root = path.resolve(__dirname, '../../..');
const rulesFile = path.join(root, 'deploy/prometheus/alerts.yml');
const rulesTest = path.join(root, 'deploy/prometheus/alerts.test.yml');
const dashboardFile = path.join(root, 'deploy/grafana/tsm-bridge.json');
const rules = readFileSync(rulesFile, 'utf8');
const operations = readFileSync(path.join(root, 'docs/operations.md'), 'utf8');

const havePromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
if (!havePromtool) console.warn('promtool not installed (Debian package "prometheus"; .ci/run installs it): promtool checks of deploy/prometheus skipped');

/** Each `- alert:` block of alerts.yml, as text. */
function alertBlocks(): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const part of rules.split(/\n(?=[ \t]*- alert: )/).slice(1)) blocks.set(/- alert: (\S+)/.exec(part)![1], part);
  return blocks;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  return new Set(markdown.split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => l.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

/** Names the service really exposes, with the series a histogram adds. */
async function exposedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await metricsRegistry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(m.name + s);
  }
  return names;
}

describe('deploy/: alert rules and dashboard', () => {
  (havePromtool ? it : it.skip)('promtool check rules passes', () => {
    expect(execFileSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' })).toMatch(/SUCCESS: \d+ rules found/);
  });

  (havePromtool ? it : it.skip)('promtool test rules fires each alert from recorded samples', () => {
    const r = spawnSync('promtool', ['test', 'rules', rulesTest], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('every alert has a severity, a summary and a runbook section that exists in docs/operations.md, and is fired by a test', () => {
    const blocks = alertBlocks();
    const tests = readFileSync(rulesTest, 'utf8');
    const sections = anchors(operations);
    expect([...blocks.keys()]).toEqual(expect.arrayContaining([
      'TsmDeadLetters', 'TsmLetterGivenUp', 'TsmBreakerOpen', 'TsmWatchNotRunning', 'TsmReceiptOverdue', 'TsmQueueBacklog', 'TsmNotReady',
    ]));
    for (const [name, block] of blocks) {
      expect([name, /severity: (warning|critical)\n/.test(block)]).toEqual([name, true]);
      expect([name, /summary: ".{20,}"/.test(block)]).toEqual([name, true]);
      const anchor = /runbook_url: docs\/operations\.md#(\S+)/.exec(block)?.[1];
      expect([name, anchor && sections.has(anchor)]).toEqual([name, true]);
      // A firing expectation: the alert name followed by a non-empty exp_alerts list.
      expect([name, new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels`).test(tests)]).toEqual([name, true]);
    }
  });

  it('the rules and the dashboard use only metrics the service exposes', async () => {
    const exposed = await exposedNames();
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const exprs = [rules, ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))].join('\n');
    const used = new Set(exprs.match(/\btsm_[a-z_]+/g));
    expect(used.size).toBeGreaterThan(8);
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('the dashboard has the panels operations asked for', () => {
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { uid: string; panels: Array<{ title: string }> };
    const titles = dashboard.panels.map((p) => p.title).join('\n');
    for (const t of [/Queues by state/, /Jobs per minute/, /Failures by class/, /Circuit breakers/, /letters by event/i, /Receipts/, /Meeting status per district/, /Nexus calls/]) {
      expect(titles).toMatch(t);
    }
    expect(new Set(dashboard.panels.map((p) => (p as { id?: number }).id)).size).toBe(dashboard.panels.length);
  });
});
