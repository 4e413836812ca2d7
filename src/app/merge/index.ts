/**
 * `lockhouse merge` as a library call: the fan-in of a CI matrix, where
 * each runner collected (and built) what its platform needs into a part,
 * and one job puts the parts together into one wheelhouse, verified
 * against the lock.
 *
 * 1. read the parts (parts.ts) and plan as collect would — for the
 *    selection they record, with their targets joined, the flags given
 *    overriding (agree.ts) — then check they belong together: this lock,
 *    one selection, targets the flags can name;
 * 2. choose, from the jobs of that plan, each file's part; refuse two
 *    different files under one name (choose.ts);
 * 3. stage every chosen file under a temporary name in DIR, hashing what
 *    will land against the lock and the part's manifest (stage.ts); one
 *    that does not pass refuses the merge, and nothing lands;
 * 4. land them, then write as collect writes: the emitted pylock and
 *    requirements, --clean, the manifest (every artifact with its `part`),
 *    the static index (collect/outputs.ts).
 *
 * Refusals (1–3) leave DIR as it was: a DIR this merge made is removed.
 * What no part provides for a target is recorded as collect records a
 * failure (MERGE_MISSING, with the target), and the exit code is 1.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ExitCode, LockhouseError } from '../../errors.js';
import { workDir } from '../../io/store/land.js';
import { refuseUnsafeClean } from '../../io/wheelhouse/clean.js';
import { STATE_DIR } from '../../io/wheelhouse/layout.js';
import { ensureOutputDir } from '../../io/wheelhouse/safe-paths.js';
import { openWheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import type { Log } from '../../model.js';
import type { ManifestPart, WrittenManifest } from '../../output/manifest.js';
import { jobsOf } from '../../plan/jobs.js';
import { checkEmitRequest, type EmitRequest } from '../collect/emit.js';
import { refuseUnsafeNames } from '../collect/names.js';
import { emitOrExplain, emitSbom, indexWheelhouse, tidyWheelhouse } from '../collect/outputs.js';
import { manifestOf, type Recorded } from '../collect/record.js';
import { planLock } from '../plan.js';
import type { TargetContext } from '../resolve-targets.js';
import { checkLock, checkSelections, checkTargets, mergedRequest } from './agree.js';
import { choose, type Choice, type Clash } from './choose.js';
import { readParts, type Part } from './parts.js';
import { landStaged, stagePicks, type Altered } from './stage.js';
import type { MergeRequest, MergeResult, SetAside } from './types.js';

export type { MergeRequest, MergeResult, SetAside } from './types.js';
export type { Unused } from './choose.js';

/** The manifest's `generator`: lockhouse and its version. */
const GENERATOR = 'lockhouse';

export async function merge(request: MergeRequest, context: TargetContext & { readonly version: string }, events: { readonly log: Log }): Promise<MergeResult> {
  const { log } = events;
  const cwd = request.plan.lock.cwd;
  const output = resolve(cwd, request.output);
  const parts = await readParts(request.parts, cwd, output);
  const given = request.given ?? {};

  // 1. The plan, and whether the parts belong together.
  const planned = await planLock(mergedRequest(request.plan, parts, given), context);
  for (const warning of planned.plan.warnings) log('warn', warning.target ? `${warning.message} (${warning.target})` : warning.message);
  checkLock(parts, planned.lock, await lineEndingTwins(resolve(cwd, planned.lock.path)));
  const givenFlags = Object.values(given).flat();
  checkSelections(parts, { selection: planned.selection, allPlatforms: planned.plan.allPlatforms, targets: [] }, givenFlags.length ? `part ${parts[0]!.name}'s with ${givenFlags.join(' ')}` : `part ${parts[0]!.name}'s`);
  if (!given.targets) checkTargets(parts, planned.plan.targets.map((target) => target.id));
  const emit: EmitRequest = { emitPylock: request.emitPylock ?? null, emitRequirements: request.emitRequirements ?? null, emitSbom: request.emitSbom ?? null };
  for (const warning of checkEmitRequest(emit, planned.plan.allPlatforms)) log('warn', warning);

  // 2. Each file's part.
  const sdistShipped = Boolean(planned.selection.sdist);
  const jobs = jobsOf(planned.graph, planned.plan, {
    lockDir: dirname(resolve(cwd, planned.lock.path)),
    sdistsInOutput: sdistShipped,
    allowUnhashed: request.allowUnhashed,
    allowWeakHashes: request.allowWeakHashes,
  });
  refuseUnsafeNames(planned.graph, jobs);
  const choice = choose(jobs, parts, { sdistShipped });
  if (choice.clashes.length) throw clashError(choice.clashes);
  if (request.clean) await refuseUnsafeClean({ dir: output, lock: resolve(cwd, planned.lock.path), projectDir: planned.projectDir });

  // 3. Staged and verified in DIR's own state folder; a refusal leaves DIR as it was.
  const made = await madeHere(output);
  const dirs = await ensureOutputDir(output);
  const work = await workDir(dirs.tmp);
  let landing = false;
  try {
    const { staged, altered } = await stagePicks(choice.picks, new Map(parts.map((part) => [part.name, part])), work.path, request.concurrency ?? 4);
    if (altered.length) throw alteredError(altered);

    // 4. Landed, then written as collect writes.
    landing = true;
    const wheelhouse = await openWheelhouse(output, request.layout ?? 'flat');
    const recorded: Recorded = { artifacts: await landStaged(staged, wheelhouse), failures: [...choice.failures] };
    const setAside = setAsideOf(choice);
    // A warning, not a detail: a build no lock hash checks is as trustworthy as the runner that made it, and a difference is worth a look.
    for (const entry of setAside) log('warn', `${entry.filename}: built by ${[entry.kept, ...entry.others].join(', ')} with different bytes (builds are rarely reproducible; compare them if that is unexpected); part ${entry.kept}'s is taken`);
    for (const entry of choice.unused) log('warn', `part ${entry.part}: ${entry.filename} is not needed for the merged targets and selection; left out`);
    const emitted = await emitOrExplain(emit, { cwd, dir: wheelhouse.dir, filesDir: wheelhouse.filesDir, lockPath: resolve(cwd, planned.lock.path), requiresPython: planned.graph.requiresPython, targets: planned.plan.targets }, recorded);
    await tidyWheelhouse(wheelhouse, emit, cwd, recorded, Boolean(request.clean), log);
    const manifest: WrittenManifest = {
      ...manifestOf({ generator: `${GENERATOR} ${context.version}`, lock: planned.lock, plan: planned.plan, selection: planned.selection, layout: wheelhouse.layout, recorded, emitted }),
      merged: { parts: partsRecord(parts, recorded) },
    };
    await wheelhouse.writeManifest(manifest);
    if (wheelhouse.layout === 'simple') await indexWheelhouse(wheelhouse, manifest, log);
    await emitSbom(emit, cwd, { manifest, graph: planned.graph, settings: planned.settings }, context, log);
    return {
      planned,
      manifest,
      manifestPath: wheelhouse.manifestPath,
      setAside,
      unused: choice.unused,
      exitCode: manifest.failures.length ? ExitCode.PARTIAL : ExitCode.OK,
    };
  } catch (error) {
    if (!landing) await undo(output, made);
    throw error;
  } finally {
    await work.remove();
  }
}

/** The sha256 of the lock with LF line endings and with CRLF: one lock, whichever way a runner's git checked it out. */
async function lineEndingTwins(path: string): Promise<Set<string>> {
  const text = (await readFile(path)).toString('latin1');
  const lf = text.replace(/\r\n/g, '\n');
  const sha256 = (value: string): string => createHash('sha256').update(Buffer.from(value, 'latin1')).digest('hex');
  return new Set([sha256(lf), sha256(lf.replace(/\n/g, '\r\n'))]);
}

/** What this merge makes that was not there before: DIR itself, or its state folder. */
async function madeHere(output: string): Promise<'dir' | 'state' | 'nothing'> {
  if (!(await lstat(output).catch(() => null))) return 'dir';
  return (await lstat(resolve(output, STATE_DIR)).catch(() => null)) ? 'nothing' : 'state';
}

/** A refused merge leaves no trace: what it made is removed (its staging folder goes in any case). */
async function undo(output: string, made: 'dir' | 'state' | 'nothing'): Promise<void> {
  if (made === 'dir') await rm(output, { recursive: true, force: true }).catch(() => undefined);
  if (made === 'state') await rm(resolve(output, STATE_DIR), { recursive: true, force: true }).catch(() => undefined);
}

function partsRecord(parts: readonly Part[], recorded: Recorded): ManifestPart[] {
  return parts.map((part) => ({
    name: part.name,
    generator: part.manifest.generator,
    targets: part.manifest.targets.map((target) => target.id),
    files: recorded.artifacts.filter((artifact) => artifact.part === part.name).length,
    left: part.manifest.partial?.left.length ?? 0,
  }));
}

function setAsideOf(choice: Choice): SetAside[] {
  return choice.picks
    .filter((pick) => pick.setAside.length > 0)
    .map((pick) => ({ filename: pick.filename, kept: pick.part, others: [...new Set(pick.setAside.map((other) => other.part))] }));
}

function clashError(clashes: readonly Clash[]): LockhouseError {
  const lines = clashes.map((clash) => `${clash.filename}: ${clash.reason}`);
  return new LockhouseError('MERGE_NAME_CLASH', `two different files under one name; a wheelhouse holds one file per name, so nothing is merged:\n  ${lines.join('\n  ')}`, {
    hint: 'merge the parts that disagree into separate wheelhouses, or collect them again from one lock and one selection',
  });
}

function alteredError(altered: readonly Altered[]): LockhouseError {
  const lines = altered.map((file) => `part ${file.part}: ${file.filename}: ${file.reason}`);
  return new LockhouseError('MERGE_PART_ALTERED', `${altered.length} file(s) in the parts are not what the lock and their manifests say; nothing is merged:\n  ${lines.join('\n  ')}`, {
    hint: 'a part was changed after lockhouse collect wrote it (or damaged on its way here): collect it again',
  });
}
