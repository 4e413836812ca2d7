/**
 * `lockhouse plan` as a library call: read the lock, resolve the targets,
 * select, plan. The thin I/O wrapper around the pure core.
 */
import type { LockGraph, ProjectSettings, Target } from '../model.js';
import type { ManifestSelection } from '../output/manifest.js';
import { plan as makePlan } from '../plan/index.js';
import type { Plan, PlanOptions } from '../plan/types.js';
import { select, type SelectionChoice } from '../select/index.js';
import type { SelectOptions } from '../select/options.js';
import { loadLock, type LoadedLock, type LockRequest } from './load-lock.js';
import { resolveTargets, type TargetContext, type TargetRequest } from './resolve-targets.js';
import { recordSelection } from './selection-record.js';

export interface PlanRequest {
  readonly lock: LockRequest;
  readonly targets: TargetRequest;
  readonly select: SelectOptions;
  readonly plan: PlanOptions;
}

export interface PlanResult {
  /** The lock; its warnings include what the selection assumed (no pyproject.toml beside a uv.lock). */
  readonly graph: LockGraph;
  readonly lock: { readonly path: string; readonly sha256: string };
  readonly settings: ProjectSettings;
  /** The project's folder: where pyproject.toml is (or was looked for), absolute. */
  readonly projectDir: string;
  readonly targets: readonly Target[];
  readonly plan: Plan;
  /** What the selection flags amounted to. */
  readonly choice: SelectionChoice;
  /** The selection as the manifest records it, for verify to replay. */
  readonly selection: ManifestSelection;
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
  const assumed = assumedDefaults(loaded, selection.choice, request.lock.project);
  return {
    graph: assumed ? { ...loaded.graph, warnings: [...loaded.graph.warnings, assumed] } : loaded.graph,
    lock: { path: loaded.path, sha256: loaded.sha256 },
    settings: loaded.settings,
    projectDir: loaded.projectDir,
    targets,
    plan: result,
    choice: selection.choice,
    selection: recordSelection(request, targets, selection.choice),
    timings: { parse: loaded.parseMs, targets: targetsMs, select: selectMs, plan: planMs },
  };
}

/**
 * A uv.lock copied without its pyproject.toml (`COPY uv.lock .`) does not
 * say which groups are the project's defaults; uv then takes `dev`. When
 * that guess decides what is collected (the lock defines groups and no flag
 * names them all), say so, and how to be explicit.
 */
function assumedDefaults(loaded: LoadedLock, choice: SelectionChoice, project: string | undefined): string | null {
  if (loaded.graph.format !== 'uv.lock' || loaded.pyproject !== null || choice.defaultGroups?.from !== 'uv-default' || choice.knownGroups.length === 0) return null;
  const where = project === undefined ? `beside ${loaded.path}` : `in ${project}`;
  const selected = choice.groups.length ? choice.groups.join(', ') : 'none';
  return (
    `no pyproject.toml ${where}: assuming uv's default groups (dev), so the groups collected are: ${selected} ` +
    `(the lock defines ${choice.knownGroups.join(', ')}); if the project sets [tool.uv] default-groups, pass --project DIR (the folder of its pyproject.toml), ` +
    'or name the groups: --no-default-groups, --group NAME'
  );
}
