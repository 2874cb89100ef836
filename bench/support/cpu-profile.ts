import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Hotspot {
  name: string;
  /** Share of all samples spent in this function itself (or in this group, for groups). */
  selfPercent: number;
  /** Share of samples with this function (or group) anywhere on the stack. */
  totalPercent: number;
}

export interface ProfileSummary {
  file: string;
  seconds: number;
  /** Functions by self time. */
  functions: Hotspot[];
  /** Self time by where the code lives: our folders, each dependency, node internals, GC, idle. */
  groups: Hotspot[];
}

/** Self and inclusive time per function and per code location group, from a V8 CPU profile. */
export function summariseProfile(file: string, projectRoot: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfFn = new Map<string, number>();
  const totalFn = new Map<string, number>();
  const selfGroup = new Map<string, number>();
  const totalGroup = new Map<string, number>();
  let all = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    all += dt;
    const leaf = byId.get(p.samples[i]);
    if (!leaf) continue;
    add(selfFn, label(leaf, projectRoot), dt);
    add(selfGroup, group(leaf, projectRoot), dt);
    const seenFn = new Set<string>();
    const seenGroup = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
      seenFn.add(label(n, projectRoot));
      seenGroup.add(group(n, projectRoot));
    }
    for (const k of seenFn) add(totalFn, k, dt);
    for (const k of seenGroup) add(totalGroup, k, dt);
  }
  const rank = (self: Map<string, number>, total: Map<string, number>) =>
    [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, t]) => ({ name, selfPercent: pct(t, all), totalPercent: pct(total.get(name) ?? t, all) }));
  return { file, seconds: Math.round(all / 1e4) / 100, functions: rank(selfFn, totalFn), groups: rank(selfGroup, totalGroup) };
}

function add(m: Map<string, number>, k: string, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

function pct(part: number, all: number): number {
  return all ? Math.round((part / all) * 1000) / 10 : 0;
}

function relative(url: string, root: string): string {
  const file = url.replace(/^file:\/\//, '');
  return file.startsWith(root) ? path.relative(root, file) : file;
}

function label(n: ProfileNode, root: string): string {
  const f = n.callFrame;
  if (!f.url) return `(${f.functionName || 'anonymous'})`;
  return `${f.functionName || '(anonymous)'} ${relative(f.url, root)}:${f.lineNumber + 1}`;
}

/** dist/src/… → "ours: src/ledger", node_modules/x → "dep: x", node:… → "node internals". */
function group(n: ProfileNode, root: string): string {
  const f = n.callFrame;
  if (!f.url) return `(${f.functionName || 'native'})`;
  if (f.url.startsWith('node:')) return 'node internals';
  const rel = relative(f.url, root);
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
  if (dep) return `dep: ${dep[1]}`;
  const parts = rel.replace(/^dist\//, '').split('/');
  return `ours: ${parts.slice(0, parts.length > 2 ? 2 : 1).join('/')}`;
}

export interface MainThreadComparison {
  /** CPU time the main thread was busy (not idle) per note. */
  pipelineBusyMsPerNote: number;
  bareBusyMsPerNote: number;
  /** Busy time per note by code location group, the largest difference (pipeline − bare) first. */
  groups: Array<{ name: string; pipelineMs: number; bareMs: number; differenceMs: number }>;
}

/**
 * The worker's and the bare script's main threads over their timed runs, side by side: what the
 * pipeline's main thread does per note that the bare script's does not (both runs are bound by
 * their main thread at no latency, so this is where the throughput ratio comes from).
 */
export function compareMainThreads(
  pipelineFile: string,
  bareFile: string,
  notes: number,
  projectRoot: string,
  top = 25,
): MainThreadComparison {
  const busy = (file: string) => {
    const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const groups = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < p.samples.length; i++) {
      const leaf = byId.get(p.samples[i]);
      if (!leaf || leaf.callFrame.functionName === '(idle)') continue;
      const dt = p.timeDeltas[i] ?? 0;
      total += dt;
      add(groups, group(leaf, projectRoot), dt);
    }
    return { total, groups };
  };
  const perNote = (us: number) => Math.round((us / 1000 / Math.max(1, notes)) * 1000) / 1000;
  const a = busy(pipelineFile);
  const b = busy(bareFile);
  const names = new Set([...a.groups.keys(), ...b.groups.keys()]);
  const groups = [...names]
    .map((name) => {
      const pipelineMs = perNote(a.groups.get(name) ?? 0);
      const bareMs = perNote(b.groups.get(name) ?? 0);
      return { name, pipelineMs, bareMs, differenceMs: Math.round((pipelineMs - bareMs) * 1000) / 1000 };
    })
    .sort((x, y) => y.differenceMs - x.differenceMs)
    .slice(0, top);
  return { pipelineBusyMsPerNote: perNote(a.total), bareBusyMsPerNote: perNote(b.total), groups };
}
