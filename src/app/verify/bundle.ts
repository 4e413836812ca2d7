/**
 * `lockhouse verify --bundle NAME.pyz [--lock FILE]`: is the bundle intact,
 * and (given the lock) complete for it?
 * - Every entry is read (streamed, hashed; names checked as the installer
 *   checks them: no absolute paths, no `..`, no backslashes, regular files
 *   only) and compared with SHA256SUMS: listed entries that are missing,
 *   entries whose bytes differ, entries nothing lists.
 * - The bundled manifest's artifacts must be the `wheels/` entries, with the
 *   manifest's sha256 and size.
 * - With a lock, the bundle's files and manifest are unpacked into a
 *   temporary folder and checked by the directory verify (index.ts), which
 *   replays the selection the bundle's manifest records (its targets,
 *   groups, extras …), overridden by the flags given.
 * Nothing is written beside the bundle; the temporary folder is removed.
 * The bundle is read through the one zip reader (src/io/zip/zip-reader.ts),
 * with the bounds every zip gets: a zip it refuses (too many entries, a
 * local header at odds with the central directory, an entry that inflates
 * past its declared size) is BUNDLE_UNREADABLE.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LockhouseError } from '../../errors.js';
import { isZipError } from '../../io/zip/zip-error.js';
import { withZip, ZIP_LIMITS, type ZipEntry } from '../../io/zip/zip-reader.js';
import { readManifest, MANIFEST_FILE, type Manifest } from '../../output/manifest.js';
import { SUMS_FILE, WHEELS_DIR } from '../../output/bundle-contents.js';
import type { TargetContext } from '../resolve-targets.js';
import { verify, type VerifyRequest, type VerifyResult } from './index.js';
import type { Verdict } from './types.js';

export interface BundleProblem {
  readonly entry: string;
  readonly reason: string;
  readonly expected?: string;
  readonly actual?: string;
}

export interface BundleVerifyResult extends Verdict<BundleProblem, BundleProblem, BundleProblem> {
  /** The bundle, absolute. */
  readonly bundle: string;
  /** Entries read and hashed. */
  readonly entries: number;
  readonly manifest: Manifest | null;
  /** The lock check (with --lock), or null. */
  readonly lock: VerifyResult | null;
}

export interface BundleVerifyRequest {
  readonly bundle: string;
  readonly cwd: string;
  /** With --lock: the directory verify's request (its output is replaced by the unpacked bundle). */
  readonly lock: Omit<VerifyRequest, 'output'> | null;
}

/** SHA256SUMS and the manifest are kept in memory up to the zip reader's bound for in-memory reads. */
const MAX_TEXT = ZIP_LIMITS.maxReadBytes;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

interface EntryInfo {
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
  readonly text: Buffer | null;
}

export async function verifyBundle(request: BundleVerifyRequest, context: TargetContext): Promise<BundleVerifyResult> {
  const path = resolve(request.cwd, request.bundle);
  const missing: BundleProblem[] = [];
  const altered: BundleProblem[] = [];
  const extra: BundleProblem[] = [];
  const entries = new Map<string, EntryInfo>();
  await forEachEntry(path, async (entry, open) => {
    const unsafe = unsafeEntry(entry);
    if (unsafe) {
      extra.push({ entry: entry.name, reason: unsafe });
      return;
    }
    if (entry.name.endsWith('/')) return;
    const keep = entry.name === SUMS_FILE || entry.name === MANIFEST_FILE;
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await open()) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      size += buffer.length;
      if (keep && size <= MAX_TEXT) chunks.push(buffer);
    }
    if (entries.has(entry.name)) extra.push({ entry: entry.name, reason: 'the bundle holds two entries of this name' });
    entries.set(entry.name, { name: entry.name, sha256: hash.digest('hex'), size, text: keep ? Buffer.concat(chunks) : null });
  });

  const sums = entries.get(SUMS_FILE);
  const listed = new Map<string, string>();
  if (!sums) missing.push({ entry: SUMS_FILE, reason: 'the bundle has no SHA256SUMS: nothing vouches for its entries' });
  else {
    for (const line of sums.text!.toString('utf8').split('\n')) {
      const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (match) listed.set(match[2]!, match[1]!);
      else if (line.trim()) altered.push({ entry: SUMS_FILE, reason: `a line that is not "<sha256>  <name>": ${JSON.stringify(line.slice(0, 120))}` });
    }
  }
  for (const [name, digest] of listed) {
    const entry = entries.get(name);
    if (!entry) missing.push({ entry: name, reason: 'listed in SHA256SUMS, not in the bundle' });
    else if (entry.sha256 !== digest) altered.push({ entry: name, reason: 'its sha256 differs from SHA256SUMS', expected: digest, actual: entry.sha256 });
  }
  for (const name of entries.keys()) {
    if (name !== SUMS_FILE && sums && !listed.has(name)) extra.push({ entry: name, reason: 'not listed in SHA256SUMS' });
  }

  const manifestEntry = entries.get(MANIFEST_FILE);
  const manifest = manifestEntry ? readManifest(manifestEntry.text!.toString('utf8')) : null;
  if (!manifest) missing.push({ entry: MANIFEST_FILE, reason: manifestEntry ? 'not a manifest this lockhouse reads' : 'the bundle has no manifest' });
  else {
    const inManifest = new Set<string>();
    for (const artifact of manifest.artifacts) {
      const name = `${WHEELS_DIR}/${artifact.filename}`;
      inManifest.add(name);
      const entry = entries.get(name);
      if (!entry) missing.push({ entry: name, reason: `${artifact.package} ${artifact.version ?? ''}: in the manifest, not in the bundle`.replace(' :', ':') });
      else if (entry.sha256 !== artifact.sha256 || entry.size !== artifact.size) {
        if (!altered.some((problem) => problem.entry === name)) altered.push({ entry: name, reason: "its sha256 differs from the manifest's", expected: artifact.sha256, actual: entry.sha256 });
      }
    }
    for (const name of entries.keys()) {
      if (name.startsWith(`${WHEELS_DIR}/`) && !inManifest.has(name) && !extra.some((problem) => problem.entry === name)) {
        extra.push({ entry: name, reason: 'a file the manifest does not list' });
      }
    }
  }

  let lock: VerifyResult | null = null;
  if (request.lock && manifest) {
    const work = await mkdtemp(join(tmpdir(), 'lockhouse-verify-bundle-'));
    try {
      await forEachEntry(path, async (entry, open) => {
        if (unsafeEntry(entry) || !entry.name.startsWith(`${WHEELS_DIR}/`) || entry.name.slice(WHEELS_DIR.length + 1).includes('/')) return;
        await pipeline(await open(), createWriteStream(join(work, entry.name.slice(WHEELS_DIR.length + 1)), { flags: 'wx' }));
      });
      await writeFile(join(work, MANIFEST_FILE), manifestEntry!.text!);
      // The bundle's manifest, unpacked beside its files, gives the selection to check against (verify/selection.ts).
      lock = await verify({ ...request.lock, plan: manifest.selection ? request.lock.plan : withBundleTargets(request.lock.plan, manifest), output: work }, context);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const problems = missing.length + altered.length + extra.length + (lock ? lock.problems : 0);
  return { bundle: path, ok: problems === 0, problems, entries: entries.size, missing, altered, extra, manifest, lock };
}

/** A bundle whose manifest records no selection (an older lockhouse made it): its own targets, unless target flags are given. */
function withBundleTargets(plan: VerifyRequest['plan'], manifest: Manifest): VerifyRequest['plan'] {
  const targets = plan.targets;
  if (targets.pythonPlatforms.length + targets.pythonVersions.length + targets.platforms.length > 0) return plan;
  return {
    ...plan,
    targets: {
      ...targets,
      pythonPlatforms: [...new Set(manifest.targets.map((target) => target.pythonPlatform))],
      pythonVersions: [...new Set(manifest.targets.map((target) => target.pythonVersion))],
    },
  };
}

/** Why an entry may not be unpacked, or null. The installer applies the same rules. */
function unsafeEntry(entry: ZipEntry): string | null {
  const name = entry.name;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  if (name.includes('\\')) return 'a backslash in the name';
  if (name.split('/').includes('..')) return 'a ".." component';
  const type = entry.mode & S_IFMT;
  if (type !== 0 && type !== S_IFREG && !(name.endsWith('/') && type === 0o040000)) return 'not a regular file (a symbolic link or a device)';
  return null;
}

type Opener = () => Promise<NodeJS.ReadableStream>;

/**
 * Every entry of the bundle, in order, one at a time, through the one zip
 * reader with its bounds (src/io/zip/zip-reader.ts); a symlink at the
 * bundle's path is followed, as the user named it.
 */
async function forEachEntry(path: string, visit: (entry: ZipEntry, open: Opener) => Promise<void>): Promise<void> {
  try {
    await withZip(path, { noFollow: false }, async (zip) => {
      for await (const entry of zip.entries()) await visit(entry, () => zip.stream(entry));
    });
  } catch (error) {
    if (isZipError(error) && error.failure === 'unopenable' && (error.cause as { code?: string } | undefined)?.code === 'ENOENT') {
      throw new LockhouseError('OUTPUT_NOT_FOUND', `there is no bundle at ${path}`);
    }
    throw error instanceof LockhouseError ? error : unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): LockhouseError {
  // yauzl's or the system's own words where they failed, as before the bundle was read through the one zip reader.
  const why = isZipError(error) ? error.detail : (error as Error).message;
  return new LockhouseError('BUNDLE_UNREADABLE', `the bundle ${path} cannot be read as a zip: ${why}`, {
    hint: 'it is damaged or not a bundle: make it again with lockhouse bundle',
    cause: error,
  });
}
