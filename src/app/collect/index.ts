/**
 * `lockhouse collect` as a library call (DESIGN.md "Pipeline", step 4):
 * plan, then put every file the plan names into DIR from the first source
 * that has it with the right bytes, then write the manifest. Artifacts that
 * fail are listed and the rest are still collected.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { ExitCode, isLockhouseError, type ErrorCode } from '../../errors.js';
import { redactUrl } from '../../io/http/redact.js';
import { MANIFEST_FILE, MANIFEST_VERSION, readManifest, type ManifestArtifact, type ManifestFailure, type WrittenManifest } from '../../output/manifest.js';
import { planLock, type PlanRequest, type PlanResult } from '../plan.js';
import type { TargetContext } from '../targets.js';
import { cleanOutput } from './clean.js';
import { openCollectIO, type IOOptions } from './io.js';
import { buildOne, type BuildOutcome } from './builds.js';
import { buildOptionsFor, openBuildIO, type BuildRequestOptions } from './build-io.js';
import { collectJobs, refuseUnsafeNames, type FileJob } from './jobs.js';
import { runPool } from './pool.js';
import { fetchOne, type Outcome, type Trusted } from './sources.js';
import { statsOf, type CollectStats } from './stats.js';
import { outputLayout, writeFileAtomic, type LayoutKind } from './output-dir.js';
import { writeSimpleIndex } from '../index-dir.js';
import { checkEmitRequest, emitOutputs, emitPaths, type EmitRequest } from './emit.js';

export interface CollectRequest extends IOOptions, BuildRequestOptions, Partial<EmitRequest> {
  readonly plan: PlanRequest;
  /** -o, --output DIR. */
  readonly output: string;
  /** --layout: flat (DIR, for --find-links; the default) or simple (DIR/files and a static index in DIR/simple). */
  readonly layout?: LayoutKind;
  readonly offline: boolean;
  readonly clean: boolean;
  readonly dryRun: boolean;
  readonly verify: boolean;
  readonly allowUnhashed: boolean;
  readonly allowWeakHashes: boolean;
  readonly concurrency: number;
}

export type Log = (level: 'debug' | 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

export interface CollectEvents {
  readonly log: Log;
  /** Files to do and the bytes the lock says they weigh (sizes may be missing). */
  onStart?(files: number, bytes: number): void;
  onBytes?(bytes: number): void;
  /** A file or a build is done (job and outcome are null for builds). */
  onFile?(job: FileJob | null, outcome: Outcome | null): void;
}

export interface CollectResult {
  readonly planned: PlanResult;
  /** Null for --dry-run. */
  readonly manifest: WrittenManifest | null;
  readonly manifestPath: string | null;
  readonly stats: CollectStats | null;
  readonly exitCode: number;
}

export const GENERATOR = 'lockhouse';

export async function collect(request: CollectRequest, context: TargetContext & { readonly version: string }, events: CollectEvents): Promise<CollectResult> {
  const started = performance.now();
  const planned = await planLock(request.plan, context);
  const { plan, graph } = planned;
  if (request.dryRun) {
    return { planned, manifest: null, manifestPath: null, stats: null, exitCode: plan.errors.length ? ExitCode.PARTIAL : ExitCode.OK };
  }

  const plannedMs = performance.now() - started;
  for (const warning of plan.warnings) events.log('warn', warning.target ? `${warning.message} (${warning.target})` : warning.message);
  const emitRequest: EmitRequest = { emitPylock: request.emitPylock ?? null, emitRequirements: request.emitRequirements ?? null };
  for (const warning of checkEmitRequest(emitRequest, plan.allPlatforms)) events.log('warn', warning);
  const cwd = request.plan.lock.cwd;
  const lockPath = resolve(cwd, planned.lock.path);
  // Before DIR is touched: a file name DIR cannot take stops the run here.
  const jobs = collectJobs(graph, plan, {
    lockDir: dirname(lockPath),
    sdistsInOutput: Boolean(request.plan.plan.sdist),
    allowUnhashed: request.allowUnhashed,
    allowWeakHashes: request.allowWeakHashes,
  });
  refuseUnsafeNames(graph, jobs);
  const layout = await outputLayout(resolve(cwd, request.output), request.layout ?? 'flat');
  const previous = readManifest(await readFile(layout.manifest, 'utf8').catch(() => ''));
  const trusted = new Map<string, Trusted>((previous?.artifacts ?? []).map((entry) => [entry.filename, entry]));
  const io = await openCollectIO(request, planned.settings, layout, context.env, events.log);
  /** The file jobs that ran, and their outcomes, in the same order. */
  const fetchedJobs: FileJob[] = [];
  const outcomes: Outcome[] = [];
  const built: BuildOutcome[] = [];
  const fetchStarted = performance.now();
  try {
    const forDir = jobs.files.filter((job) => job.destination === 'output');
    events.onStart?.(forDir.length + jobs.builds.length, forDir.reduce((sum, job) => sum + (job.item.size ?? 0), 0));
    const sourceOptions = {
      offline: request.offline,
      verify: request.verify,
      trusted,
      log: events.log,
      ...(events.onBytes ? { onBytes: events.onBytes } : {}),
    };
    const finalPathOf = (job: FileJob): string | null =>
      job.destination === 'output' ? layout.pathFor(job.filename) : io.cache ? null : layout.statePath('sdists', job.filename);
    const fetchFile = async (job: FileJob): Promise<Outcome> => {
      const outcome = await fetchOne(job, finalPathOf(job), io, sourceOptions).catch((error: unknown): Outcome => unexpected(error));
      if (job.destination === 'output') events.onFile?.(job, outcome);
      return outcome;
    };
    // Files for DIR are fetched by the pool; an sdist needed only to be built
    // is fetched when (and if) its build needs it: a re-run that reuses the
    // wheels it built last time never touches their sdists.
    const pooled = new Map(forDir.map((job) => [job, deferred<Outcome>()]));
    const onDemand = new Map<FileJob, Promise<Outcome>>();
    const outcomeOf = (job: FileJob): Promise<Outcome> => {
      const waiting = pooled.get(job);
      if (waiting) return waiting.promise;
      let pending = onDemand.get(job);
      if (!pending) onDemand.set(job, (pending = fetchFile(job)));
      return pending;
    };
    const sdistPath = async (job: FileJob): Promise<string | null> => {
      const outcome = await outcomeOf(job);
      if (!outcome.ok) return null;
      return finalPathOf(job) ?? io.cacheEntryPath(outcome.actual.sha256);
    };
    const buildIO = openBuildIO(request, layout, context.env, events.log);
    const buildOptions = buildOptionsFor(request, planned, previous);
    const [fileOutcomes, buildOutcomes] = await Promise.all([
      // Twice as many files in hand as connections: while one file's bytes
      // are being verified and renamed, the next request already waits on its
      // connection, so no connection idles on local disk work. The HTTP layer
      // still opens at most --concurrency connections per origin.
      runPool([...pooled.keys()], request.concurrency * 2, async (job) => {
        const outcome = await fetchFile(job);
        pooled.get(job)!.resolve(outcome);
        return outcome;
      }),
      // Builds run beside the downloads, each waiting for its own source.
      runPool(jobs.builds, request.buildJobs, async (job) => {
        const source = job.source;
        const path = async (): Promise<string | null> => (source.kind === 'sdist' ? sdistPath(source.file) : null);
        const outcome = await buildOne(job, path, io, buildIO, buildOptions, sourceOptions).catch(
          (error: unknown): BuildOutcome => ({ artifacts: [], failures: [{ ...unexpectedFailure(error), package: job.item.package, version: job.item.version, filename: job.item.filename, target: null }] }),
        );
        events.onFile?.(null, null);
        return outcome;
      }),
    ]);
    fetchedJobs.push(...pooled.keys(), ...onDemand.keys());
    outcomes.push(...fileOutcomes, ...(await Promise.all(onDemand.values())));
    built.push(...buildOutcomes);
  } finally {
    await io.close();
  }
  const fetchMs = performance.now() - fetchStarted;

  const artifacts: ManifestArtifact[] = built.flatMap((outcome) => outcome.artifacts);
  const failures: ManifestFailure[] = [...jobs.failures, ...built.flatMap((outcome) => outcome.failures)];
  fetchedJobs.forEach((job, i) => {
    const outcome = outcomes[i]!;
    const { item } = job;
    if (!outcome.ok) {
      failures.push({ package: item.package, version: item.version, filename: job.filename, target: null, ...outcome.failure });
    } else if (job.destination === 'output') {
      artifacts.push({
        package: item.package,
        version: item.version,
        filename: job.filename,
        kind: item.kind === 'sdist' ? 'sdist' : 'wheel',
        origin: outcome.origin,
        url: item.url === null ? null : redactUrl(item.url),
        sha256: outcome.actual.sha256,
        size: outcome.actual.size,
        mtimeMs: outcome.mtimeMs,
        targets: [...item.targets],
      });
    }
  });

  // Emitted files inside DIR are recorded in the manifest (verify and
  // --clean leave them be); outside it, they are the user's.
  const insideDir = (path: string): string | null => {
    const rel = relative(layout.dir, path);
    return rel && !rel.startsWith('..') && !rel.includes(':') ? rel.split(sep).join('/') : null;
  };
  const emitted = emitPaths(emitRequest, cwd).flatMap((path) => insideDir(path) ?? []);
  if (failures.length === 0) {
    await emitOutputs(
      emitRequest,
      { cwd, dir: layout.dir, filesDir: layout.filesDir, lockPath, requiresPython: graph.requiresPython, targets: plan.targets },
      artifacts,
    );
  } else if (emitRequest.emitPylock || emitRequest.emitRequirements) {
    const flags = [emitRequest.emitPylock ? `--emit-pylock ${emitRequest.emitPylock}` : null, emitRequest.emitRequirements ? `--emit-requirements ${emitRequest.emitRequirements}` : null].filter(Boolean);
    failures.push({
      code: 'EMIT_INCOMPLETE',
      package: null,
      version: null,
      filename: null,
      target: null,
      url: null,
      reason: `${flags.join(' and ')} not written: ${failures.length} artifact(s) failed, and a lock without them would install an incomplete environment`,
    });
  }

  if (request.clean) {
    const emittedHere = emitPaths(emitRequest, cwd).filter((path) => dirname(path) === layout.filesDir).map((path) => basename(path));
    const keep = new Set([...artifacts.map((artifact) => artifact.filename), ...emittedHere]);
    const removed = await cleanOutput(layout, keep);
    if (removed.length) events.log('info', `--clean removed ${removed.length} file(s) this collection does not contain`, { removed });
  }

  const manifest: WrittenManifest = {
    manifestVersion: MANIFEST_VERSION,
    generator: `${GENERATOR} ${context.version}`,
    lock: { path: planned.lock.path, format: plan.format, sha256: planned.lock.sha256 },
    allPlatforms: plan.allPlatforms,
    ...(layout.kind === 'simple' ? { layout: 'simple' as const } : {}),
    targets: plan.targets.map((target) => ({ id: target.id, pythonPlatform: target.pythonPlatform, pythonVersion: target.pythonVersion })),
    artifacts: artifacts.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0)),
    skipped: plan.skipped.map((skip) => ({ package: skip.package, version: skip.version, reason: skip.reason })),
    failures,
    ...(emitted.length ? { emitted: emitted.sort() } : {}),
  };
  await writeFileAtomic(layout, layout.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  if (layout.kind === 'simple') {
    // The static index of what DIR/files holds now, from the hashes just verified.
    const known = new Map(manifest.artifacts.map((artifact) => [artifact.filename, { sha256: artifact.sha256, size: artifact.size, mtimeMs: artifact.mtimeMs }]));
    const index = await writeSimpleIndex({ dir: layout.dir, filesDir: layout.filesDir, known, log: events.log });
    events.log('info', `static index: ${index.projects} project(s), ${index.files} file(s) under ${layout.dir}/simple`);
  }

  const stats = statsOf(fetchedJobs, outcomes, built, performance.now() - started, io.requests());
  events.log('debug', 'collect stages', {
    planMs: Math.round(plannedMs),
    fetchMs: Math.round(fetchMs),
    totalMs: Math.round(stats.elapsedMs),
    swept: layout.swept.length,
  });
  const integrity = failures.some((failure) => failure.code === 'INTEGRITY_MISMATCH');
  const exitCode = integrity ? ExitCode.INTEGRITY : failures.length ? ExitCode.PARTIAL : ExitCode.OK;
  return { planned, manifest, manifestPath: layout.manifest, stats, exitCode };
}

function unexpectedFailure(error: unknown): { code: ErrorCode; url: string | null; reason: string } {
  // A LockhouseError keeps its code (MIRROR_MISSING, a mirror's FETCH_* …); any other error is a bug.
  return { code: isLockhouseError(error) ? error.code : 'INTERNAL', url: null, reason: (error as Error).message };
}

function unexpected(error: unknown): Outcome {
  return { ok: false, failure: unexpectedFailure(error) };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

export { MANIFEST_FILE };
