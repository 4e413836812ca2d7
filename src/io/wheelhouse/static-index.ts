/**
 * The static index of a wheelhouse (`lockhouse index DIR`, `collect --layout
 * simple`): list the wheels and sdists, hash them (or take the manifest's
 * word for files it vouches for: trust.ts), extract each wheel's METADATA
 * beside it as `<wheel>.metadata` (PEP 658), and write the index that
 * src/output/simple-index.ts renders under DIR/simple/.
 *
 * - Only regular files are listed, and symlinks are never followed: a
 *   checked-in or unpacked wheelhouse may carry links pointing anywhere.
 * - Nothing is written outside DIR or through a symlink: DIR/simple and its
 *   project folders must be real directories (a link there is refused), and
 *   every file goes through a temporary file in DIR/.lockhouse/tmp (DIR's
 *   filesystem, swept of a killed run's leftovers) and one rename, which
 *   replaces a link at the final name rather than following it.
 * - A document whose bytes are already right is left alone (same bytes, same
 *   mtime), so a re-run over an unchanged wheelhouse writes nothing and a
 *   sync to a static host sends nothing.
 * - What the index no longer lists goes: project pages of projects no longer
 *   present, `.metadata` files of wheels no longer present.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LockhouseError, isLockhouseError } from '../../errors.js';
import type { Log } from '../../model.js';
import { projectOf, renderSimpleIndex, type IndexFile } from '../../output/simple-index.js';
import { readWheelMetadata } from '../wheel/wheel-metadata.js';
import { runPool } from '../run-pool.js';
import { hashFile, openRegularFile } from '../store/hash-file.js';
import { landBytes } from '../store/land.js';
import { errnoCode, reason, storeError } from '../store/store-error.js';
import { sweepLeftovers } from '../store/sweep.js';
import { SIMPLE_DIR } from './layout.js';
import { ensureOutputDir, ensureRealDir } from './safe-paths.js';
import { isUnchanged, type Recorded } from './trust.js';
import { byText } from '../../compare.js';
import { scrubSecrets } from '../../secrets.js';

export type IndexLog = Log;

/** What the caller already knows of a file (the manifest's record): trusted by the re-run rule (trust.ts). */
export interface KnownFile extends Recorded {
  readonly sha256: string;
}

export interface IndexDirRequest {
  /** The wheelhouse; the index goes to DIR/simple. */
  readonly dir: string;
  /** Where the files are: DIR/files (the simple layout) or DIR itself (a flat wheelhouse). */
  readonly filesDir: string;
  /** By file name. */
  readonly known?: ReadonlyMap<string, KnownFile>;
  readonly log: IndexLog;
  /** Files hashed and read at once (default 4). */
  readonly concurrency?: number;
}

export interface IndexDirSummary {
  /** DIR, absolute. */
  readonly dir: string;
  /** The files' folder relative to DIR, POSIX ('' for DIR itself). */
  readonly filesDir: string;
  /** The files' URL from a project page. */
  readonly filesUrl: string;
  readonly projects: number;
  readonly files: number;
  /** Wheels listed with PEP 658 metadata. */
  readonly metadata: number;
  /** Files hashed in this run (the others were vouched for by `known`). */
  readonly hashed: number;
  /** Files (relative to DIR, POSIX) whose bytes this run wrote; unchanged ones are left alone. */
  readonly written: readonly string[];
  /** Stale pages and metadata files removed (relative to DIR, POSIX). */
  readonly removed: readonly string[];
  /** Files in the folder that are not listed, and wheels listed without metadata, with the reason. */
  readonly warnings: ReadonlyArray<{ readonly file: string; readonly code: 'INDEX_SKIPPED_FILE' | 'INDEX_NO_METADATA'; readonly reason: string }>;
}

/** The distribution files an index lists; the legacy sdist extensions are left to --find-links. */
const LISTED = /\.(whl|tar\.gz|zip)$/;
const METADATA_SUFFIX = '.metadata';
const PAGES = ['index.html', 'index.json'] as const;

export async function writeSimpleIndex(request: IndexDirRequest): Promise<IndexDirSummary> {
  const dir = await existingDir(request.dir);
  const filesDir = await filesFolder(dir, request.filesDir);
  const filesRel = relative(dir, filesDir).split(sep).join('/');
  const filesUrl = `../../${filesRel === '' ? '' : `${filesRel.split('/').map(encodeURIComponent).join('/')}/`}`;
  const { tmp } = await ensureOutputDir(dir);
  await sweepLeftovers(tmp);
  const show = (path: string): string => relative(dir, path).split(sep).join('/');

  const warnings: Array<IndexDirSummary['warnings'][number]> = [];
  const warn = (file: string, code: 'INDEX_SKIPPED_FILE' | 'INDEX_NO_METADATA', why: string): void => {
    warnings.push({ file, code, reason: why });
    request.log('warn', `${file}: ${why}`, { code });
  };

  const names = await listFiles(filesDir, (name, why) => warn(name, 'INDEX_SKIPPED_FILE', why));
  const written: string[] = [];
  const dropped: string[] = [];
  let hashed = 0;
  const listed = await runPool(names, request.concurrency ?? 4, async (name): Promise<IndexFile | null> => {
    const path = join(filesDir, name);
    const stats = await lstat(path).catch(() => null);
    if (!stats?.isFile()) {
      warn(name, 'INDEX_SKIPPED_FILE', 'it vanished or stopped being a regular file while the index was made');
      return null;
    }
    const known = request.known?.get(name);
    const trusted = known !== undefined && isUnchanged(known, stats);
    let sha256 = known?.sha256 ?? '';
    let size = stats.size;
    if (!trusted) {
      try {
        ({ sha256, size } = await hashFile(path, 'sha256', { noFollow: true }));
      } catch (error) {
        // Swapped for a link (ELOOP), removed, or made a FIFO since it was listed.
        if (!['ELOOP', 'ENOENT', 'ENOTREG'].includes(errnoCode(error) ?? '')) throw error;
        warn(name, 'INDEX_SKIPPED_FILE', `it vanished or stopped being a regular file while the index was made (${reason(error)})`);
        return null;
      }
      hashed++;
    }
    const file = { filename: name, sha256, size, requiresPython: null, metadataSha256: null };
    if (!name.endsWith('.whl')) return file;

    const metadataPath = join(filesDir, `${name}${METADATA_SUFFIX}`);
    try {
      const metadata = await readWheelMetadata(path, { noFollow: true });
      if (await writeIfChanged(tmp, metadataPath, metadata.bytes)) written.push(show(metadataPath));
      return { ...file, requiresPython: metadata.requiresPython, metadataSha256: createHash('sha256').update(metadata.bytes).digest('hex') };
    } catch (error) {
      if (!isLockhouseError(error) || error.code !== 'INDEX_NO_METADATA') throw error;
      warn(name, 'INDEX_NO_METADATA', `listed without PEP 658 metadata: ${error.message}`);
      // A .metadata left from an earlier wheel of this name would now lie.
      if (await removeFile(metadataPath)) dropped.push(metadataPath);
      return file;
    }
  });
  const files = listed.filter((file): file is IndexFile => file !== null);

  const index = renderSimpleIndex(files, { filesUrl });
  const simpleDir = join(dir, SIMPLE_DIR);
  await ensureRealDir(simpleDir);
  for (const project of index.projects) await ensureRealDir(join(simpleDir, project.name));
  for (const document of index.documents) {
    const path = join(dir, ...document.path.split('/'));
    // Scrubbed as every page lockhouse writes is (src/secrets.ts); a wheel's METADATA is copied as it is (its hash is on the page).
    if (await writeIfChanged(tmp, path, Buffer.from(scrubSecrets(document.content), 'utf8'))) written.push(document.path);
  }

  const removed = [
    ...dropped,
    ...(await removeStalePages(simpleDir, new Set(index.projects.map((project) => project.name)), request.log)),
    ...(await removeStaleMetadata(filesDir, new Set(files.filter((file) => file.metadataSha256 !== null).map((file) => file.filename)))),
  ].map(show);

  for (const path of removed) request.log('debug', `removed ${path}`);
  return {
    dir,
    filesDir: filesRel,
    filesUrl,
    projects: index.projects.length,
    files: files.length,
    metadata: files.filter((file) => file.metadataSha256 !== null).length,
    hashed,
    written: written.sort(),
    removed: removed.sort(),
    warnings: warnings.sort(byText((warning) => warning.file)),
  };
}

/** DIR, absolute, which must exist and be a directory (DIR itself may be a symlink: the user named it). */
async function existingDir(dir: string): Promise<string> {
  const root = resolve(dir);
  const stats = await stat(root).catch((error: unknown) => {
    throw new LockhouseError('USAGE', `${root} cannot be indexed: ${reason(error)}`, { cause: error, hint: 'pass the wheelhouse directory (lockhouse collect -o DIR)' });
  });
  if (!stats.isDirectory()) throw new LockhouseError('USAGE', `${root} is not a directory`, { hint: 'pass the wheelhouse directory (lockhouse collect -o DIR)' });
  return root;
}

/** The files' folder: DIR or a real directory inside it, reached through no symlink. */
async function filesFolder(dir: string, filesDir: string): Promise<string> {
  const folder = resolve(dir, filesDir);
  const rel = relative(dir, folder);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new LockhouseError('USAGE', `the files' folder ${folder} is not inside ${dir}`, { hint: 'the index links to files in DIR or below it' });
  }
  let at = dir;
  for (const part of rel === '' ? [] : rel.split(sep)) {
    at = join(at, part);
    const stats = await lstat(at).catch(() => null);
    if (stats?.isSymbolicLink()) {
      throw storeError('OUTPUT_UNSAFE_PATH', `${at} is a symbolic link; lockhouse index neither follows nor writes through links in DIR`, {
        hint: `make ${at} a real directory`,
      });
    }
    if (!stats?.isDirectory()) throw new LockhouseError('USAGE', `${at} is not a directory`, { hint: 'pass the folder that holds the wheels' });
  }
  return folder;
}

/** The wheels and sdists in `folder`, sorted: regular files only; links and names no installer would read are reported and left out. */
async function listFiles(folder: string, skip: (name: string, why: string) => void): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new LockhouseError('USAGE', `cannot list ${folder}: ${reason(error)}`, { cause: error });
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || !LISTED.test(entry.name)) continue;
    if (entry.isSymbolicLink()) {
      skip(entry.name, 'it is a symbolic link; the index lists regular files only, and never follows links');
      continue;
    }
    if (!entry.isFile()) {
      skip(entry.name, 'it is not a regular file');
      continue;
    }
    const project = projectOf(entry.name);
    if ('reason' in project) {
      skip(entry.name, project.reason);
      continue;
    }
    names.push(entry.name);
  }
  return names.sort();
}

/** Write `bytes` at `path` through a temporary file and one rename, unless a regular file with those bytes is there. Says whether it wrote. */
async function writeIfChanged(tmp: string, path: string, bytes: Buffer): Promise<boolean> {
  if (await holds(path, bytes)) return false;
  await landBytes(path, bytes, { tempDir: tmp });
  return true;
}

/** Is there a regular file (not a link) at `path` with exactly these bytes? */
async function holds(path: string, bytes: Buffer): Promise<boolean> {
  let opened;
  try {
    opened = await openRegularFile(path, { noFollow: true });
  } catch {
    return false;
  }
  const { handle, size } = opened;
  try {
    if (size !== bytes.length) return false;
    const current = Buffer.alloc(size);
    const { bytesRead } = await handle.read(current, 0, size, 0);
    return bytesRead === size && current.equals(bytes);
  } finally {
    await handle.close();
  }
}

/** unlink (which never follows a link); absent is fine. Says whether it removed. */
async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw storeError('OUTPUT_NOT_WRITABLE', `cannot remove ${path}: ${reason(error)}`, { cause: error });
  }
}

/**
 * Pages of projects no longer present: only what this command writes there
 * (index.html, index.json) is removed, then the folder if that left it
 * empty. Links and anything else in DIR/simple are not lockhouse's and stay.
 */
async function removeStalePages(simpleDir: string, projects: ReadonlySet<string>, log: IndexLog): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(simpleDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || projects.has(entry.name) || entry.name.startsWith('.')) continue;
    const folder = join(simpleDir, entry.name);
    for (const page of PAGES) if (await removeFile(join(folder, page))) removed.push(join(folder, page));
    try {
      await rmdir(folder);
      removed.push(folder);
    } catch (error) {
      if (errnoCode(error) === 'ENOTEMPTY' || errnoCode(error) === 'EEXIST') log('warn', `${folder} is no longer a project of the index, but holds other files: left in place`);
      else if (errnoCode(error) !== 'ENOENT') throw storeError('OUTPUT_NOT_WRITABLE', `cannot remove ${folder}: ${reason(error)}`, { cause: error });
    }
  }
  return removed;
}

/** `<wheel>.metadata` files whose wheel is gone (or is listed without metadata now). */
async function removeStaleMetadata(filesDir: string, withMetadata: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(filesDir, { withFileTypes: true })) {
    if (!entry.name.endsWith(`.whl${METADATA_SUFFIX}`) || entry.isDirectory()) continue;
    const wheel = entry.name.slice(0, -METADATA_SUFFIX.length);
    if (withMetadata.has(wheel)) continue;
    const path = join(filesDir, entry.name);
    if (await removeFile(path)) removed.push(path);
  }
  return removed;
}
