import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { JOB_HANDLER_METADATA } from './job-handler.decorator';
import type { JobHandlerFn } from './job-context';
import { JOB_NAMES, JOB_TYPES, JobName } from './job-types';

export class JobRegistryError extends Error {}

/** Pure check, separated for tests: every job name has exactly one handler and every handler a known name. */
export function validateHandlers(found: Array<{ name: string; owner: string }>, known: readonly string[] = JOB_NAMES): void {
  const byName = new Map<string, string[]>();
  for (const f of found) byName.set(f.name, [...(byName.get(f.name) ?? []), f.owner]);
  const unknown = [...byName.keys()].filter((n) => !known.includes(n));
  if (unknown.length) throw new JobRegistryError(`Job handlers for unknown job types: ${unknown.join(', ')}`);
  const dup = [...byName.entries()].filter(([, owners]) => owners.length > 1);
  if (dup.length)
    throw new JobRegistryError(`Job types with more than one handler: ${dup.map(([n, o]) => `${n} (${o.join(', ')})`).join('; ')}`);
  const missing = known.filter((n) => !byName.has(n));
  if (missing.length) throw new JobRegistryError(`Job types without a handler: ${missing.join(', ')}`);
}

/** Finds @JobHandler methods on all providers at boot and refuses to start on a gap or a clash. */
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly handlers = new Map<JobName, JobHandlerFn>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const found: Array<{ name: JobName; owner: string; fn: JobHandlerFn }> = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const proto = Object.getPrototypeOf(instance);
      if (!proto) continue;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const name = this.reflector.get<JobName | undefined>(JOB_HANDLER_METADATA, proto[method]);
        if (!name) continue;
        const fn = (instance[method] as JobHandlerFn).bind(instance);
        found.push({ name, owner: `${proto.constructor.name}.${method}`, fn });
      }
    }
    validateHandlers(found);
    for (const f of found) this.handlers.set(f.name, f.fn);
  }

  handler(name: string): JobHandlerFn {
    const fn = this.handlers.get(name as JobName);
    if (!fn) throw new JobRegistryError(`No handler for job type ${name}`);
    return fn;
  }

  queueOf(name: JobName) {
    return JOB_TYPES[name].queue;
  }
}
