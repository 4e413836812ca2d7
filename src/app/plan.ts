/**
 * `lockhouse plan` as a library call: read the lock, resolve the targets,
 * select, plan. The thin I/O wrapper around the pure core.
 */
import type { LockGraph, ProjectSettings, Target } from '../model.js';
import { plan as makePlan } from '../plan/index.js';
import type { Plan, PlanOptions } from '../plan/types.js';
import { select } from '../select/index.js';
import type { SelectOptions } from '../select/options.js';
import { loadLock, type LockRequest } from './load-lock.js';
import { resolveTargets, type TargetContext, type TargetRequest } from './resolve-targets.js';

export interface PlanRequest {
  readonly lock: LockRequest;
  readonly targets: TargetRequest;
  readonly select: SelectOptions;
  readonly plan: PlanOptions;
}

export interface PlanResult {
  readonly graph: LockGraph;
  readonly lock: { readonly path: string; readonly sha256: string };
  readonly settings: ProjectSettings;
  readonly targets: readonly Target[];
  readonly plan: Plan;
  /** Milliseconds per stage, for -v and benchmarks. */
  readonly timings: { readonly parse: number; readonly targets: number; readonly select: number; readonly plan: number };
}

export async function planLock(request: PlanRequest, context: TargetContext): Promise<PlanResult> {
  const loaded = await loadLock(request.lock);
  let started = performance.now();
  const targets = await resolveTargets(request.targets, context);
  const targetsMs = performance.now() - started;
  started = performance.now();
  const selection = select(loaded.graph, targets, request.select, loaded.settings);
  const selectMs = performance.now() - started;
  started = performance.now();
  const result = makePlan(loaded.graph, selection, request.plan);
  const planMs = performance.now() - started;
  return {
    graph: loaded.graph,
    lock: { path: loaded.path, sha256: loaded.sha256 },
    settings: loaded.settings,
    targets,
    plan: result,
    timings: { parse: loaded.parseMs, targets: targetsMs, select: selectMs, plan: planMs },
  };
}
