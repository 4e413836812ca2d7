/**
 * `lockhouse verify` as a library call: is DIR complete and intact for the
 * lock? Plans as collect does — for the selection DIR's manifest records,
 * with the flag families the caller gives replacing theirs (selection.ts) —
 * and takes the files for DIR from the same jobs (plan/jobs.ts), so the two
 * never disagree about what belongs there; built wheels, which the lock
 * cannot vouch for, are checked against the manifest DIR/lockhouse.json.
 * Every expected file is hashed (streamed, never through a symlink); then
 * every file in the directory that nothing explains is listed; a lock that
 * is not the one DIR was collected from is one more problem. Nothing is
 * written.
 */
import { dirname, resolve } from 'node:path';
import { byText } from '../../compare.js';
import type { ErrorCode, VerifyCode } from '../../errors.js';
import type { Algorithm } from '../../io/store/digest.js';
import { digestFile, hashFile } from '../../io/store/hash-file.js';
import { errnoCode, reason } from '../../io/store/store-error.js';
import { unsafeNameReason } from '../../io/wheelhouse/safe-paths.js';
import { runPool } from '../../io/run-pool.js';
import { expectedFromBase } from '../../output/delta.js';
import type { Manifest } from '../../output/manifest.js';
import { jobsOf, type Jobs } from '../../plan/jobs.js';
import type { Plan } from '../../plan/types.js';
import { planLock } from '../plan.js';
import type { TargetContext } from '../resolve-targets.js';
import { explainExtras, openVerifyDir, type DirEntryKind, type VerifyDir } from './dir.js';
import { requestToCheck, selectionDifferences, type SelectionUse } from './selection.js';
import type { AlteredFile, ExpectedFrom, LockChange, MissingFile, UnverifiableFile, VerifyEntry, VerifyRequest, VerifyResult } from './types.js';

export type * from './types.js';
export type { GivenFlags, SelectionDifference, SelectionFamily, SelectionUse, Unrecorded } from './selection.js';

/** A file DIR must hold, and how to tell it is the right one. */
interface Expectation extends VerifyEntry {
  readonly filename: string;
  readonly from: ExpectedFrom;
  /** null: the lock gives no hash and --allow-unhashed accepts that. */
  readonly hash: { readonly algorithm: string; readonly digest: string; readonly size: number | null } | null;
}

/** A file the lock names but whose hash policy refuses (no hash, or a weak one without the flag). */
interface Refused extends VerifyEntry {
  readonly filename: string;
  readonly code: ErrorCode;
  readonly reason: string;
}

const STRONG = new Set(['sha256', 'sha384', 'sha512']);

export async function verify(request: VerifyRequest, context: TargetContext): Promise<VerifyResult> {
  const cwd = request.plan.lock.cwd;
  const dir = await openVerifyDir(resolve(cwd, request.output));
  const recorded = dir.manifest?.selection ? { selection: dir.manifest.selection, allPlatforms: dir.manifest.allPlatforms } : null;
  const planRequest = requestToCheck(request.plan, recorded, request.given);
  const planned = await planLock(planRequest, context);
  const sdistShipped = Boolean(planRequest.plan.sdist);
  const jobs = jobsOf(planned.graph, planned.plan, {
    lockDir: dirname(resolve(cwd, planned.lock.path)),
    sdistsInOutput: sdistShipped,
    allowUnhashed: request.allowUnhashed,
    allowWeakHashes: request.allowWeakHashes,
  });
  const { expected, refused, missing } = expectationsOf(jobs, planned.plan, dir.manifest, sdistShipped);

  const altered: AlteredFile[] = [];
  const unverifiable: UnverifiableFile[] = [];
  const checkedNames = new Set<string>();
  const outcomes = await runPool(expected, request.concurrency ?? 4, (expectation) => check(dir, expectation));
  expected.forEach((expectation, i) => {
    const outcome = outcomes[i]!;
    if (outcome.kind === 'missing') missing.push({ ...entryOf(expectation), target: null, code: outcome.code, reason: outcome.reason });
    else if (outcome.kind === 'altered') altered.push(outcome.altered);
    else if (outcome.kind === 'unhashed') {
      unverifiable.push({ ...entryOf(expectation), filename: expectation.filename, accepted: true, sha256: outcome.sha256, reason: 'the lock gives no hash for it (accepted by --allow-unhashed)' });
    }
    if (outcome.kind === 'verified' || outcome.kind === 'altered') checkedNames.add(expectation.filename);
  });
  for (const file of refused) {
    const present = dir.entries.get(file.filename);
    const notAFile = present === undefined ? null : absentReason(present, dir);
    if (notAFile) {
      missing.push({ ...entryOf(file), target: null, ...notAFile });
    } else if (present === 'file') {
      const sha256 = await hashFile(dir.pathOf(file.filename), 'sha256', { noFollow: true }).then((actual) => actual.sha256, () => '');
      unverifiable.push({ ...entryOf(file), filename: file.filename, accepted: false, sha256, reason: file.reason });
    } else {
      missing.push({ ...entryOf(file), target: null, code: file.code, reason: file.reason });
    }
  }

  const selection: SelectionUse = {
    source: recorded && request.given ? 'recorded' : 'flags',
    unrecorded: dir.manifest ? (recorded ? null : 'not-recorded') : 'no-manifest',
    given: Object.values(request.given ?? {}).flat(),
    differences: recorded
      ? selectionDifferences(
          { ...recorded, targets: dir.manifest!.targets.map((target) => target.id) },
          { selection: planned.selection, allPlatforms: planned.plan.allPlatforms, targets: planned.plan.targets.map((target) => target.id) },
        )
      : [],
    checked: planned.selection,
  };
  const expectedNames = new Set([...expected, ...refused].map((file) => file.filename));
  const extra = explainExtras(dir, expectedNames, selection.differences.map((difference) => difference.what));
  if (selection.differences.length) explainMissing(missing, dir.manifest!, selection.differences.map((difference) => difference.what));
  if (dir.manifest?.delta) explainFromBase(missing, dir.manifest);
  const lockChanged = lockChangeOf(dir.manifest, planned.lock, Boolean(request.allowChangedLock));
  const problems = missing.length + altered.length + extra.length + unverifiable.filter((file) => !file.accepted).length + (lockChanged && !lockChanged.accepted ? 1 : 0);
  return {
    planned,
    dir: dir.root,
    filesDir: dir.filesDir,
    layout: dir.layout,
    manifest: dir.manifest,
    selection,
    lockChanged,
    ok: problems === 0,
    problems,
    checked: checkedNames.size,
    missing: missing.sort(byFile),
    altered: altered.sort(byFile),
    extra: extra.sort(byFile),
    unverifiable: unverifiable.sort(byFile),
    warnings: [...dir.warnings],
  };
}

/**
 * A lock whose sha256 is not the one DIR was collected from: DIR may still
 * pass for it, but a CI job that verifies a cached or carried wheelhouse
 * expects a changed lock to fail. A problem unless --allow-changed-lock.
 */
function lockChangeOf(manifest: Manifest | null, lock: { readonly path: string; readonly sha256: string }, accepted: boolean): LockChange | null {
  if (!manifest || manifest.lock.sha256 === lock.sha256) return null;
  return { recorded: { path: manifest.lock.path, sha256: manifest.lock.sha256 }, path: lock.path, sha256: lock.sha256, accepted };
}

/** Files the selection checked needs but the recorded one did not collect: say so, since that is why they are not there. */
function explainMissing(missing: MissingFile[], manifest: Manifest, differences: readonly string[]): void {
  const collected = new Set(manifest.artifacts.map((artifact) => artifact.filename));
  missing.forEach((file, i) => {
    if (file.code === 'ABSENT' && file.filename !== null && !collected.has(file.filename)) {
      missing[i] = { ...file, reason: `${file.reason}: the recorded selection did not collect it (it differs in ${differences.join(', ')})` };
    }
  });
}

/** DIR is a delta folder (collect --since): a file it does not hold because its base does is missing here, and the reason says so. */
function explainFromBase(missing: MissingFile[], manifest: Manifest): void {
  const fromBase = new Set(expectedFromBase(manifest).map((artifact) => artifact.filename));
  missing.forEach((file, i) => {
    if (file.code === 'ABSENT' && file.filename !== null && fromBase.has(file.filename)) {
      missing[i] = { ...file, reason: `${file.reason}: the manifest is a delta's (--since), which does not carry it: the base's wheelhouse must hold it (a delta folder alone is incomplete; verify it once copied over the base)` };
    }
  });
}

/**
 * What DIR must hold: collect's files for DIR, with the lock's hash; for
 * every build, the wheels the manifest records for that package and
 * version, with the manifest's sha256. Plan errors and builds with nothing
 * built are missing from the start.
 */
function expectationsOf(
  jobs: Jobs,
  plan: Plan,
  manifest: Manifest | null,
  sdistShipped: boolean,
): { expected: Expectation[]; refused: Refused[]; missing: MissingFile[] } {
  const expected: Expectation[] = [];
  const refused: Refused[] = [];
  const missing: MissingFile[] = [];

  for (const job of jobs.files) {
    if (job.destination !== 'output') continue;
    const { item, rule } = job;
    const base = { package: item.package, version: item.version, filename: job.filename, from: 'lock' as const };
    if (rule.kind === 'strong') expected.push({ ...base, hash: { algorithm: rule.expected.algorithm, digest: rule.expected.digest.toLowerCase(), size: rule.expected.size } });
    else if (rule.kind === 'weak') expected.push({ ...base, hash: { algorithm: rule.algorithm, digest: rule.digest.toLowerCase(), size: rule.size } });
    else expected.push({ ...base, hash: null });
  }

  for (const failure of jobs.failures) {
    const entry = { package: failure.package, version: failure.version, filename: failure.filename };
    const item = plan.items.find((i) => i.filename !== null && i.filename === failure.filename && i.package === failure.package && i.version === failure.version);
    // A refused file that belongs in DIR is looked for (present: unverifiable);
    // one only there to be built cannot be built, so its wheel is missing.
    const inDir = item && !(item.kind === 'sdist' && item.build && !sdistShipped);
    if ((failure.code === 'HASH_MISSING' || failure.code === 'HASH_WEAK') && inDir && failure.filename !== null) {
      refused.push({ ...entry, filename: failure.filename, code: failure.code, reason: failure.reason });
    } else {
      missing.push({ ...entry, target: failure.target, code: failure.code, reason: failure.reason });
    }
  }

  const built = (manifest?.artifacts ?? []).filter((artifact) => artifact.kind === 'built-wheel');
  for (const job of jobs.builds) {
    const { item } = job;
    const wheels = built.filter((artifact) => artifact.package === item.package && artifact.version === item.version);
    const entry = { package: item.package, version: item.version, filename: null };
    const from = item.filename ?? (job.source.kind === 'vcs' ? `${job.source.url}#${job.source.commit}` : job.source.kind === 'directory' ? job.source.path : item.package);
    if (wheels.length === 0) {
      // With --sdist a target no build serves takes the sdist instead (as collect does), and the sdist is expected above.
      if (sdistShipped && item.kind === 'sdist') continue;
      const why = manifest ? 'the manifest records no wheel built' : 'there is no manifest (DIR/lockhouse.json) to say which wheel was built';
      missing.push({ ...entry, target: null, code: 'NOT_BUILT', reason: `${why} from ${from}` });
      continue;
    }
    for (const wheel of wheels) {
      expected.push({ package: item.package, version: item.version, filename: wheel.filename, from: 'manifest', hash: { algorithm: 'sha256', digest: wheel.sha256.toLowerCase(), size: wheel.size } });
    }
    const served = new Set(wheels.flatMap((wheel) => wheel.targets));
    if (sdistShipped && item.kind === 'sdist') continue;
    for (const target of item.targets.filter((id) => !served.has(id))) {
      missing.push({ ...entry, target, code: 'NOT_BUILT', reason: `no wheel built from ${from} serves ${target} (the manifest's: ${wheels.map((w) => w.filename).join(', ')})` });
    }
  }
  return { expected, refused, missing };
}

type Outcome =
  | { readonly kind: 'verified' }
  | { readonly kind: 'altered'; readonly altered: AlteredFile }
  | { readonly kind: 'unhashed'; readonly sha256: string }
  | { readonly kind: 'missing'; readonly code: VerifyCode; readonly reason: string };

async function check(dir: VerifyDir, expectation: Expectation): Promise<Outcome> {
  const unsafe = unsafeNameReason(expectation.filename);
  if (unsafe !== null) return { kind: 'missing', code: 'UNSAFE_NAME', reason: `the lock names it, but it is not a plain file name: ${unsafe}` };
  const kind = dir.entries.get(expectation.filename);
  const absent = absentReason(kind, dir);
  if (absent) return { kind: 'missing', ...absent };
  const path = dir.pathOf(expectation.filename);
  try {
    const { hash } = expectation;
    if (hash === null) return { kind: 'unhashed', sha256: (await hashFile(path, 'sha256', { noFollow: true })).sha256 };
    const strong = STRONG.has(hash.algorithm);
    const actual = await hashFile(path, strong ? (hash.algorithm as Algorithm) : 'sha256', { noFollow: true });
    const digest = hash.algorithm === 'sha256' ? actual.sha256 : strong ? actual.digest : await digestFile(path, hash.algorithm, { noFollow: true });
    if (digest === hash.digest) return { kind: 'verified' };
    return {
      kind: 'altered',
      altered: {
        ...entryOf(expectation),
        filename: expectation.filename,
        from: expectation.from,
        algorithm: hash.algorithm,
        expected: hash.digest,
        actual: digest,
        sha256: actual.sha256,
        expectedSize: hash.size,
        size: actual.size,
      },
    };
  } catch (error) {
    // The directory changed between the listing and the read.
    const code = errnoCode(error);
    if (code === 'ENOENT') return { kind: 'missing', code: 'ABSENT', reason: `not in ${dir.filesDir}` };
    if (code === 'ELOOP') return { kind: 'missing', code: 'SYMLINK', reason: 'a symbolic link is in its place (lockhouse never follows links in DIR)' };
    if (code === 'ENOTREG') return { kind: 'missing', code: 'NOT_REGULAR', reason: 'something other than a regular file is in its place' };
    return { kind: 'missing', code: 'UNREADABLE', reason: `cannot be read: ${reason(error)}` };
  }
}

function absentReason(kind: DirEntryKind | undefined, dir: VerifyDir): { code: VerifyCode; reason: string } | null {
  switch (kind) {
    case 'file':
      return null;
    case undefined:
      return { code: 'ABSENT', reason: `not in ${dir.filesDir}` };
    case 'symlink':
      return { code: 'SYMLINK', reason: 'a symbolic link is in its place (lockhouse never follows links in DIR)' };
    default:
      return { code: 'NOT_REGULAR', reason: `a ${kind === 'directory' ? 'directory' : 'special file'} is in its place` };
  }
}

function entryOf(entry: VerifyEntry): VerifyEntry {
  return { package: entry.package, version: entry.version, filename: entry.filename };
}

const byFile = byText((entry: VerifyEntry) => `${entry.filename ?? ''}\u0000${entry.package ?? ''}\u0000${entry.version ?? ''}`);
