/**
 * Moving the chosen files from the parts into DIR, verified: each is linked
 * (or copied, where a link cannot be made) under a temporary name in DIR's
 * own state folder, and what is under that name is hashed — the very bytes
 * that will land — against the lock's hash (files of the lock) and the
 * part's manifest (every file: its sha256 and size). Only when every file
 * passes does anything land, each with one rename; a file that does not
 * pass is named, and nothing lands.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile, digestFile } from '../../io/store/hash-file.js';
import { landFile, linkOrCopy } from '../../io/store/land.js';
import { reason } from '../../io/store/store-error.js';
import { unsafeNameReason } from '../../io/wheelhouse/safe-paths.js';
import type { Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import { runPool } from '../../io/run-pool.js';
import type { ManifestArtifact } from '../../output/manifest.js';
import type { Pick } from './choose.js';
import type { Part } from './parts.js';

const STRONG = new Set(['sha256', 'sha384', 'sha512']);

/** A file under its temporary name, verified. */
export interface Staged {
  readonly pick: Pick;
  readonly path: string;
}

/** A part's file that is not what it must be. */
export interface Altered {
  readonly part: string;
  readonly filename: string;
  readonly reason: string;
}

export async function stagePicks(picks: readonly Pick[], parts: ReadonlyMap<string, Part>, stagingDir: string, concurrency: number): Promise<{ staged: Staged[]; altered: Altered[] }> {
  const outcomes = await runPool(picks, concurrency, async (pick): Promise<Staged | Altered> => {
    const part = parts.get(pick.part)!;
    const altered = (why: string): Altered => ({ part: pick.part, filename: pick.filename, reason: why });
    // Names from a part's manifest are not the lock's: checked before one is joined to a path.
    const unsafe = unsafeNameReason(pick.filename);
    if (unsafe !== null) return altered(`its manifest names a file that is not a plain file name: ${unsafe}`);
    const source = join(part.filesDir, pick.filename);
    const stats = await lstat(source).catch(() => null);
    if (!stats) return altered(`its manifest lists it, but it is not in ${part.filesDir}`);
    if (stats.isSymbolicLink()) return altered('a symbolic link is in its place (never followed)');
    if (!stats.isFile()) return altered('something other than a regular file is in its place');
    const path = join(stagingDir, pick.filename);
    try {
      await linkOrCopy(source, path);
      const problem = await check(path, pick);
      return problem === null ? { pick, path } : altered(problem);
    } catch (error) {
      return altered(`cannot be read: ${reason(error)}`);
    }
  });
  return {
    staged: outcomes.filter((outcome): outcome is Staged => 'path' in outcome),
    altered: outcomes.filter((outcome): outcome is Altered => 'reason' in outcome),
  };
}

/** Why the staged bytes are not the file the lock and the part's manifest describe, or null. */
async function check(path: string, pick: Pick): Promise<string | null> {
  const lockHash = pick.lockHash;
  const strong = lockHash !== null && STRONG.has(lockHash.algorithm);
  const actual = await hashFile(path, strong ? (lockHash.algorithm as 'sha256' | 'sha384' | 'sha512') : 'sha256', { noFollow: true });
  if (lockHash !== null) {
    const digest = lockHash.algorithm === 'sha256' ? actual.sha256 : strong ? actual.digest : await digestFile(path, lockHash.algorithm, { noFollow: true });
    if (digest !== lockHash.digest) return `the lock says ${lockHash.algorithm} ${lockHash.digest}, the file hashes to ${digest}`;
  }
  const recorded = pick.artifact;
  if (actual.sha256 !== recorded.sha256.toLowerCase()) return `the part's manifest says sha256 ${recorded.sha256}, the file hashes to ${actual.sha256}`;
  if (actual.size !== recorded.size) return `the part's manifest says ${recorded.size} bytes, the file has ${actual.size}`;
  return null;
}

/** Land every staged file in DIR (one rename each); returns their manifest records, with the part each came from. */
export async function landStaged(staged: readonly Staged[], wheelhouse: Wheelhouse): Promise<ManifestArtifact[]> {
  const artifacts: ManifestArtifact[] = [];
  for (const { pick, path } of staged) {
    const final = wheelhouse.pathFor(pick.filename);
    await landFile(path, final);
    const stats = await lstat(final);
    artifacts.push({ ...pick.artifact, origin: 'part', part: pick.part, targets: [...pick.targets], mtimeMs: stats.mtimeMs });
  }
  return artifacts;
}
