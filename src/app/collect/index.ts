/**
 * `lockhouse collect` as a library call (DESIGN.md "Pipeline", step 4):
 * plan, turn the plan into jobs, open the wheelhouse, open the sources, run
 * the jobs (every file from the first source that has it with the right
 * bytes; builds beside the downloads), record what happened, write the
 * outputs and the manifest. Artifacts that fail are listed and the rest are
 * still collected.
 */
import { dirname, resolve } from 'node:path';
import { ExitCode } from '../../errors.js';
import type { Log } from '../../model.js';
import { scrubDeep, scrubSecrets } from '../../secrets.js';
import type { WrittenManifest } from '../../output/manifest.js';
import { jobsOf, type Jobs } from '../../plan/jobs.js';
import { manifestWithoutSecrets } from '../../io/wheelhouse/manifest-file.js';
import { openWheelhouse, type Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import { planLock, type PlanResult } from '../plan.js';
import type { TargetContext } from '../resolve-targets.js';
import { checkEmitRequest, type EmitRequest } from './emit.js';
import { mirrorsOf, openCollectIO, type OpenIO } from './io.js';
import { localFilesRule } from './local-files.js';
import { refuseUnsafeNames } from './names.js';
import { refuseUnsafeClean } from '../../io/wheelhouse/clean.js';
import { emitOrExplain, emitSbom, indexWheelhouse, tidyWheelhouse } from './outputs.js';
import { manifestOf, recordRun, type Recorded } from './record.js';
import { runJobs, type RunResult } from './run.js';
import { partialsWanted } from './sources.js';
import { statsOf } from './stats.js';
import type { CollectEvents, CollectRequest, CollectResult } from './types.js';
import { workersFor } from './workers.js';

export type { CollectEvents, CollectRequest, CollectResult, Log };

/** The manifest's `generator`: lockhouse and its version. */
const GENERATOR = 'lockhouse';

export async function collect(request: CollectRequest, context: TargetContext & { readonly version: string }, given: CollectEvents): Promise<CollectResult> {
  const started = performance.now();
  // The caller's log is a sink like stderr: what reaches it is scrubbed of secrets (src/secrets.ts).
  const events = scrubbedEvents(given);
  const planned = await planLock(request.plan, context);
  if (request.dryRun) return { planned, manifest: null, manifestPath: null, stats: null, exitCode: planned.plan.errors.length ? ExitCode.PARTIAL : ExitCode.OK, interrupted: false };
  const emit = emitRequestOf(request, planned, events.log);

  const jobs = jobsFor(request, planned);
  // A --mirror that matches nothing stops the run here too, before DIR is touched.
  const mirrors = mirrorsOf(request, planned.settings, jobs, request.buildIsolation, events.log);
  const plannedMs = performance.now() - started;
  const output = resolve(request.plan.lock.cwd, request.output);
  if (request.clean) await refuseUnsafeClean({ dir: output, lock: resolve(request.plan.lock.cwd, planned.lock.path), projectDir: planned.projectDir });
  const wheelhouse = await openWheelhouse(output, request.layout ?? 'flat');
  const io = await openCollectIO(request, mirrors, planned.settings, wheelhouse, context.env, events.log);
  const runStarted = performance.now();
  const fileCount = announce(jobs, events);
  let ran: RunResult;
  try {
    ran = await runJobs(jobs, workersFor(request, planned, wheelhouse, io, context.env, events));
  } finally {
    await io.close();
  }
  const runMs = performance.now() - runStarted;

  const recorded = recordRun(jobs, ran);
  // Interrupted: record what is in place (a re-run trusts it) and stop; nothing is emitted, cleaned or indexed.
  const interrupted = request.signal?.aborted === true;
  // A run that went to its end needs no partial download but those of the files it could not get.
  if (!interrupted) await prunePartials(io, ran, events.log);
  const emitted = interrupted ? [] : await emitOrExplain(emitUnlessLeft(emit, recorded, events.log), emitContextOf(request, planned, wheelhouse), recorded);
  if (!interrupted) await tidyWheelhouse(wheelhouse, emit, request.plan.lock.cwd, recorded, request.clean, events.log);
  // Without secrets here, not only in the file: the bundle and a library caller get this very manifest.
  const manifest = manifestWithoutSecrets(
    manifestOf({
      generator: `${GENERATOR} ${context.version}`,
      lock: planned.lock,
      plan: planned.plan,
      selection: planned.selection,
      layout: wheelhouse.layout,
      recorded,
      emitted,
      partial: Boolean(request.leaveToOtherRunners),
    }),
  );
  await wheelhouse.writeManifest(manifest);
  if (wheelhouse.layout === 'simple' && !interrupted) await indexWheelhouse(wheelhouse, manifest, events.log);
  if (!interrupted) await emitSbom(emit, request.plan.lock.cwd, { manifest, graph: planned.graph, settings: planned.settings }, context, events.log);

  const stats = statsOf(ran, fileCount, performance.now() - started, io.requests());
  events.log('debug', 'collect stages', { planMs: Math.round(plannedMs), fetchMs: Math.round(runMs), totalMs: Math.round(stats.elapsedMs), swept: wheelhouse.swept.length });
  return { planned, manifest, manifestPath: wheelhouse.manifestPath, stats, exitCode: interrupted ? ExitCode.INTERRUPTED : exitCodeOf(manifest), interrupted };
}

async function prunePartials(io: OpenIO, ran: RunResult, log: Log): Promise<void> {
  try {
    for (const path of (await io.partials?.prune(partialsWanted(ran.files))) ?? []) log('debug', `removed a partial download no longer needed: ${path}`);
  } catch (error) {
    log('warn', `cannot remove partial downloads no longer needed: ${(error as Error).message}`);
  }
}

/** The caller's events with its log scrubbed; every other hook is the caller's own, called on it (a new hook needs nothing here). */
function scrubbedEvents(given: CollectEvents): CollectEvents {
  const log: CollectEvents['log'] = (level, message, fields) => given.log(level, scrubSecrets(message), fields && scrubDeep(fields));
  return new Proxy(given, {
    get(target, property) {
      if (property === 'log') return log;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The emit request, checked before anything is fetched; the plan's warnings, said. */
function emitRequestOf(request: CollectRequest, planned: PlanResult, log: Log): EmitRequest {
  for (const warning of planned.plan.warnings) log('warn', warning.target ? `${warning.message} (${warning.target})` : warning.message);
  const emit: EmitRequest = { emitPylock: request.emitPylock ?? null, emitRequirements: request.emitRequirements ?? null, emitSbom: request.emitSbom ?? null };
  for (const warning of checkEmitRequest(emit, planned.plan.allPlatforms)) log('warn', warning);
  return emit;
}

/** The plan's jobs; a file name DIR cannot take stops the run here, before DIR is touched. */
function jobsFor(request: CollectRequest, planned: PlanResult): Jobs {
  const lockDir = dirname(resolve(request.plan.lock.cwd, planned.lock.path));
  const jobs = jobsOf(planned.graph, planned.plan, {
    lockDir,
    localFiles: localFilesRule(lockDir, planned.projectDir, request.allowOutsidePaths ?? false),
    sdistsInOutput: Boolean(request.plan.plan.sdist),
    allowUnhashed: request.allowUnhashed,
    allowWeakHashes: request.allowWeakHashes,
  });
  refuseUnsafeNames(planned.graph, jobs);
  return jobs;
}

/** What the progress display counts: the files for DIR (with the bytes the lock gives) and the builds; returns their number. */
function announce(jobs: Jobs, events: CollectEvents): number {
  const forDir = jobs.files.filter((job) => job.destination === 'output');
  events.onStart?.(forDir.length + jobs.builds.length, forDir.reduce((sum, job) => sum + (job.item.size ?? 0), 0), forDir.filter((job) => job.item.size === null).length);
  return forDir.length + jobs.builds.length;
}

/**
 * A part that leaves builds to other runners lacks their wheels: a lock
 * emitted from it would install an incomplete environment. `lockhouse
 * merge` emits from the whole; here the request is dropped, and said.
 */
function emitUnlessLeft(emit: EmitRequest, recorded: Recorded, log: Log): EmitRequest {
  const left = recorded.left?.length ?? 0;
  if (left === 0 || (!emit.emitPylock && !emit.emitRequirements)) return emit;
  log('warn', `--emit-pylock and --emit-requirements are not written by a part that leaves ${left} build(s) to other runners: lockhouse merge --emit-pylock/--emit-requirements writes them from the whole`);
  return { emitPylock: null, emitRequirements: null };
}

function emitContextOf(request: CollectRequest, planned: PlanResult, wheelhouse: Wheelhouse): Parameters<typeof emitOrExplain>[1] {
  return {
    cwd: request.plan.lock.cwd,
    dir: wheelhouse.dir,
    filesDir: wheelhouse.filesDir,
    lockPath: resolve(request.plan.lock.cwd, planned.lock.path),
    requiresPython: planned.graph.requiresPython,
    targets: planned.plan.targets,
  };
}

function exitCodeOf(manifest: WrittenManifest): number {
  if (manifest.failures.some((failure) => failure.code === 'INTEGRITY_MISMATCH')) return ExitCode.INTEGRITY;
  return manifest.failures.length ? ExitCode.PARTIAL : ExitCode.OK;
}
