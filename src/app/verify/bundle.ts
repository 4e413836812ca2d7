/**
 * `lockhouse verify --bundle NAME.pyz [--lock FILE]`: would the bundle's own
 * installer accept it, is it what lockhouse writes, and (given the lock) is
 * it complete for the lock? docs/verify.md says what each check can and
 * cannot vouch for.
 *
 * 1. At least as strict as the installer (bundle/__main__.py), entry by
 *    entry, through the one zip reader with the names decoded and judged as
 *    zipfile and the installer judge them (src/io/zip): names that could
 *    leave the folder or mean two things, links, devices, directory entries
 *    with data, encrypted entries, two entries of one name, data whose
 *    CRC-32 or sha256 is not what the zip and SHA256SUMS say, SHA256SUMS
 *    read as the installer reads it. A zip after a prefix (a `#!` line) is
 *    read as zipfile reads it.
 * 2. The manifest's artifacts are the `wheels/` entries, with its sha256
 *    and size — for a delta (the manifest's `delta`, bundle --since), the
 *    artifacts it carries are, and no other: the rest it expects from its
 *    base, which its installer checks on the far side.
 * 3. Everything but the wheels — the installer `__main__.py`, `bundle.json`,
 *    the manifest, `pylock.toml`, `requirements.txt`, `SHA256SUMS` — must be
 *    byte for byte what this lockhouse writes for the bundle's manifest and
 *    targets (output/bundle-contents.ts): SHA256SUMS vouches for nothing
 *    against someone who rewrites it too, but a replaced installer or a
 *    requirements file that sends pip to the network cannot be what
 *    lockhouse writes. A bundle written by another lockhouse version has
 *    another installer: those entries are then unverifiable, not passed.
 *    The SBOM (`sbom.cdx.json`, with `bundle --emit-sbom`) is the one
 *    entry that cannot be made again from the bundle (it takes the lock):
 *    it is checked by SHA256SUMS, and must list the manifest's files with
 *    their sha256 (bundle-sbom.ts).
 * 4. With a lock, the bundle's wheels are unpacked into a work folder and
 *    checked by the directory verify (verify/index.ts), which replays the
 *    selection the bundle's manifest records (its targets, groups, extras
 *    …), overridden by the flags given; a manifest of an older lockhouse
 *    records none, and then the bundle's own targets are used. What is unpacked
 *    is bounded before anything is written: the entries' declared sizes
 *    (which they cannot inflate past) may add up to at most twice the
 *    bundle's size, and at least 32 MiB — lockhouse stores wheels, so its
 *    bundles' wheels take less than the file. A bundle over it (a zip bomb
 *    that declares its true size) is not unpacked: its lock check is
 *    unverifiable. The work folder is removed, and a killed run's is swept
 *    by the next (store/land.ts workDir). For a delta, the files it expects
 *    from its base are not in it: the lock check lists them apart
 *    (`fromBase`), not as missing.
 * Nothing is written beside the bundle.
 */
import { createHash } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LockhouseError } from '../../errors.js';
import { workDir, type WorkDir } from '../../io/store/land.js';
import { isZipError } from '../../io/zip/zip-error.js';
import { openZip, ZIP_LIMITS, type ZipArchive, type ZipEntry } from '../../io/zip/zip-reader.js';
import { readManifest, MANIFEST_FILE, type Manifest } from '../../output/manifest.js';
import { SBOM_FILE, SUMS_FILE, WHEELS_DIR } from '../../output/bundle-contents.js';
import { carriedArtifacts, deltaProblem, expectedFromBase } from '../../output/delta.js';
import { INSTALLER_URL } from '../bundle.js';
import type { TargetContext } from '../resolve-targets.js';
import { version as thisVersion } from '../version.js';
import { entryKind, MAX_EXTRACT_VERSION, parseSums, pylockRequiresPython, readBundleTargets, renderBundle, targetsProblem } from './bundle-rules.js';
import { sbomProblem } from './bundle-sbom.js';
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
  /** Who wrote it, as its manifest says ("lockhouse 0.1.0"), or null. */
  readonly generator: string | null;
  /** Entries this lockhouse cannot vouch for either way (another version's installer and emitted files), and a lock check that could not run. Each is a problem. */
  readonly unverifiable: readonly BundleProblem[];
  readonly manifest: Manifest | null;
  /** The lock check (with --lock), or null. */
  readonly lock: VerifyResult | null;
  /** A delta (bundle --since): how many files it carries of those its manifest lists, and the files the lock check found missing because they are expected from its base (not problems); null for a full bundle. */
  readonly delta: { readonly carries: number; readonly files: number; readonly since: string; readonly fromBase: readonly string[] } | null;
}

export interface BundleVerifyRequest {
  readonly bundle: string;
  readonly cwd: string;
  /** With --lock: the directory verify's request (its output is replaced by the unpacked bundle). */
  readonly lock: Omit<VerifyRequest, 'output'> | null;
}

/** What verify needs besides targets: the lockhouse version the bundle is compared with (default: this one's). */
export interface BundleVerifyContext extends TargetContext {
  readonly version?: string;
}

/** The entries read into memory (the installer reads the same ones whole, up to the same bound; the SBOM is read for its own check). */
const KEPT = new Set([SUMS_FILE, MANIFEST_FILE, 'bundle.json', 'pylock.toml', SBOM_FILE]);
const MAX_TEXT = ZIP_LIMITS.maxReadBytes;
/** At least this much may be unpacked for the lock check, whatever the bundle's size. */
const MIN_UNPACK_BOUND = 32 * 1024 * 1024;

/** The most the wheels of a bundle of `size` bytes may inflate to for the lock check. */
export function unpackBound(size: number): number {
  return Math.max(2 * size, MIN_UNPACK_BOUND);
}

interface EntryInfo {
  readonly sha256: string;
  readonly size: number;
  readonly text: Buffer | null;
}

export async function verifyBundle(request: BundleVerifyRequest, context: BundleVerifyContext): Promise<BundleVerifyResult> {
  const path = resolve(request.cwd, request.bundle);
  const missing: BundleProblem[] = [];
  const altered: BundleProblem[] = [];
  const extra: BundleProblem[] = [];
  const unverifiable: BundleProblem[] = [];
  const entries = new Map<string, EntryInfo>();
  /** Every name in the bundle, refused ones included: a name SHA256SUMS lists that is here but refused is not also missing. */
  const seen = new Set<string>();

  const zip = await openBundle(path);
  let work: WorkDir | null = null;
  try {
    // Every record first (no data read): what is refused, what is read, and whether the wheels fit the unpack bound.
    const listed: ZipEntry[] = [];
    await walk(path, async () => {
      for await (const entry of zip.entries()) {
        const refused = refusal(entry);
        if (refused !== null) {
          extra.push({ entry: entry.name, reason: `the installer refuses it: ${refused}` });
          seen.add(entry.name);
        } else if (seen.has(entry.name)) extra.push({ entry: entry.name, reason: 'the bundle holds two entries of this name (the installer refuses it)' });
        else {
          seen.add(entry.name);
          if (!entry.name.endsWith('/')) listed.push(entry);
        }
      }
    });
    const wheels = listed.filter(isWheelEntry);
    const declared = wheels.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
    if (request.lock) {
      if (declared <= unpackBound(zip.size)) work = await workDir(tmpdir(), 'lockhouse-verify-bundle');
      else {
        unverifiable.push({
          entry: `${WHEELS_DIR}/`,
          reason: `its files declare ${declared} bytes, more than the ${unpackBound(zip.size)} a bundle of ${zip.size} bytes may unpack to: not unpacked, so not checked against the lock (a zip bomb, or no bundle lockhouse wrote)`,
        });
      }
    }
    // Then every entry's data, once: hashed, kept when small and read whole, unpacked when it is a wheel and there is a lock check.
    await walk(path, async () => {
      for (const entry of listed) {
        const target = work && isWheelEntry(entry) ? join(work.path, entry.name.slice(WHEELS_DIR.length + 1)) : null;
        try {
          entries.set(entry.name, await readEntry(zip, entry, target));
        } catch (error) {
          if (!isZipError(error) || error.entry === null) throw error;
          altered.push({ entry: entry.name, reason: `it cannot be read: ${error.detail}` });
        }
      }
    });
  } catch (error) {
    await work?.remove();
    throw error;
  } finally {
    zip.close();
  }

  try {
    // SHA256SUMS, as the installer reads it.
    const sums = entries.get(SUMS_FILE);
    const parsed = sums ? parseSums(sums.text ?? Buffer.alloc(0)) : null;
    if (!sums) missing.push({ entry: SUMS_FILE, reason: 'the bundle has no SHA256SUMS: nothing vouches for its entries' });
    else if (sums.text === null) altered.push({ entry: SUMS_FILE, reason: `larger than ${MAX_TEXT} bytes: not a list of checksums` });
    for (const problem of parsed?.problems ?? []) altered.push({ entry: SUMS_FILE, reason: problem });
    const listedSums = parsed?.listed ?? new Map<string, string>();
    for (const [name, digest] of listedSums) {
      const entry = entries.get(name);
      if (!entry) {
        if (!seen.has(name)) missing.push({ entry: name, reason: 'listed in SHA256SUMS, not in the bundle' });
      } else if (entry.sha256 !== digest) altered.push({ entry: name, reason: 'its sha256 differs from SHA256SUMS', expected: digest, actual: entry.sha256 });
    }
    for (const name of entries.keys()) {
      if (name !== SUMS_FILE && sums && !listedSums.has(name)) extra.push({ entry: name, reason: 'not listed in SHA256SUMS' });
    }

    // The manifest's artifacts are the wheels/ entries.
    const manifestEntry = entries.get(MANIFEST_FILE);
    const manifest = manifestEntry?.text ? readManifest(manifestEntry.text.toString('utf8')) : null;
    if (!manifest) missing.push({ entry: MANIFEST_FILE, reason: manifestEntry ? 'not a manifest this lockhouse reads' : 'the bundle has no manifest' });
    else {
      const inManifest = new Set<string>();
      const why = deltaProblem(manifest);
      if (why) altered.push({ entry: MANIFEST_FILE, reason: `not a manifest lockhouse writes: ${why}` });
      const fromBase = new Set(expectedFromBase(manifest).map((artifact) => `${WHEELS_DIR}/${artifact.filename}`));
      for (const artifact of carriedArtifacts(manifest)) {
        const name = `${WHEELS_DIR}/${artifact.filename}`;
        inManifest.add(name);
        const entry = entries.get(name);
        if (!entry) {
          if (!seen.has(name)) missing.push({ entry: name, reason: `${artifact.package} ${artifact.version ?? ''}: in the manifest, not in the bundle`.replace(' :', ':') });
        } else if (entry.sha256 !== artifact.sha256 || entry.size !== artifact.size) {
          if (!altered.some((problem) => problem.entry === name)) altered.push({ entry: name, reason: "its sha256 differs from the manifest's", expected: artifact.sha256, actual: entry.sha256 });
        }
      }
      for (const name of entries.keys()) {
        if (name.startsWith(`${WHEELS_DIR}/`) && !inManifest.has(name) && !extra.some((problem) => problem.entry === name)) {
          extra.push({ entry: name, reason: fromBase.has(name) ? 'its delta expects it from the base, so does not carry it' : 'a file the manifest does not list' });
        }
      }
    }

    // Everything but the wheels: what this lockhouse writes.
    const ours = `lockhouse ${context.version ?? thisVersion}`;
    const generator = manifest?.generator ?? null;
    const notOurs = (entry: string, why: string): void => {
      if (generator === ours) altered.push({ entry, reason: `${why}: not what ${ours} writes for this bundle` });
      else unverifiable.push({ entry, reason: `${why}, and the bundle was written by ${generator ?? 'an unknown lockhouse'}: ${ours} cannot vouch for it (verify it with that version, or make the bundle again)` });
    };
    const installer = await readFile(INSTALLER_URL);
    const written = entries.get('__main__.py');
    if (!written) missing.push({ entry: '__main__.py', reason: 'the bundle has no installer' });
    else if (written.sha256 !== sha256(installer)) notOurs('__main__.py', 'the installer is not this lockhouse\'s');
    const bundleJson = entries.get('bundle.json');
    const targets = bundleJson?.text ? readBundleTargets(bundleJson.text) : { refused: bundleJson ? 'it is too large' : 'the bundle has none' };
    if ('refused' in targets) {
      if (bundleJson) altered.push({ entry: 'bundle.json', reason: `not a bundle.json lockhouse writes: ${targets.refused}` });
      else missing.push({ entry: 'bundle.json', reason: 'the bundle has no bundle.json: the installer cannot tell which interpreters it is for' });
    } else if (manifest) {
      const problem = targetsProblem(targets, manifest);
      if (problem) altered.push({ entry: 'bundle.json', reason: problem });
      const pylock = entries.get('pylock.toml');
      const sbom = entries.get(SBOM_FILE);
      if (sbom && !altered.some((problem) => problem.entry === SBOM_FILE)) {
        const problem = sbom.text ? sbomProblem(sbom.text, manifest) : `larger than ${MAX_TEXT} bytes`;
        if (problem) altered.push({ entry: SBOM_FILE, reason: `it does not describe the bundle's files: ${problem}` });
      }
      const rendered = renderBundle({ manifest, targets, requiresPython: pylock?.text ? pylockRequiresPython(pylock.text) : null, installer, sbom: sbom?.text ?? null });
      if ('refused' in rendered) altered.push({ entry: MANIFEST_FILE, reason: `its emitted files cannot be made from it: ${rendered.refused}` });
      else {
        const differing = [...rendered.sha256].filter(([name, digest]) => {
          if (name === '__main__.py') return false;
          const entry = entries.get(name);
          if (!entry) {
            if (!seen.has(name) && !missing.some((problem) => problem.entry === name)) missing.push({ entry: name, reason: 'lockhouse writes it in every bundle' });
            return false;
          }
          return entry.sha256 !== digest && !altered.some((problem) => problem.entry === name);
        });
        for (const [name] of differing.filter(([name]) => name !== SUMS_FILE)) notOurs(name, `it differs from the ${name} made from the bundle's manifest and targets`);
        // SHA256SUMS lists every other entry: any problem already said explains its difference too; alone, it is one.
        const sumsDiffers = differing.some(([name]) => name === SUMS_FILE);
        if (sumsDiffers && missing.length + altered.length + extra.length + unverifiable.length === 0) {
          notOurs(SUMS_FILE, `it differs from the ${SUMS_FILE} made from the bundle's manifest and targets`);
        }
      }
    }

    let lock: VerifyResult | null = null;
    const fromBase: string[] = [];
    if (request.lock && manifest && work) {
      await writeFile(join(work.path, MANIFEST_FILE), manifestEntry!.text!);
      // The bundle's manifest, unpacked beside its files, gives the selection to check against (verify/selection.ts).
      const plan = manifest.selection ? request.lock.plan : withBundleTargets(request.lock.plan, manifest);
      lock = await verify({ ...request.lock, plan, output: work.path }, context);
      if (manifest.delta) lock = withoutBase(lock, new Set(expectedFromBase(manifest).map((artifact) => artifact.filename)), fromBase);
    }
    const problems = missing.length + altered.length + extra.length + unverifiable.length + (lock ? lock.problems : 0);
    const delta = manifest?.delta ? { carries: manifest.delta.carries.length, files: manifest.artifacts.length, since: manifest.delta.since.manifestSha256, fromBase } : null;
    return { bundle: path, ok: problems === 0, problems, entries: entries.size, generator, missing, altered, extra, unverifiable, manifest, lock, delta };
  } finally {
    await work?.remove();
  }
}

/**
 * A delta's lock check: the files its manifest expects from the base are not
 * in the bundle, by design — they are taken out of `missing` (into
 * `fromBase`) and out of the count. Any other missing file stays a problem.
 */
function withoutBase(lock: VerifyResult, expected: ReadonlySet<string>, fromBase: string[]): VerifyResult {
  const missing = lock.missing.filter((file) => {
    const base = file.code === 'ABSENT' && file.filename !== null && expected.has(file.filename);
    if (base) fromBase.push(file.filename!);
    return !base;
  });
  const problems = lock.problems - (lock.missing.length - missing.length);
  return { ...lock, missing, problems, ok: problems === 0 };
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

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A file directly under wheels/. */
function isWheelEntry(entry: ZipEntry): boolean {
  return entry.name.startsWith(`${WHEELS_DIR}/`) && !entry.name.slice(WHEELS_DIR.length + 1).includes('/');
}

/** Why the installer would refuse this entry, or null. */
function refusal(entry: ZipEntry): string | null {
  if (entry.nameProblem !== null) return entry.nameProblem;
  if (entry.versionNeeded > MAX_EXTRACT_VERSION) return `it needs zip version ${entry.versionNeeded / 10}, newer than Python's zipfile reads`;
  const kind = entryKind({ name: entry.name, mode: entry.mode, uncompressedSize: entry.uncompressedSize, encrypted: entry.encrypted });
  return typeof kind === 'object' ? kind.refused : null;
}

/** One entry's data, streamed: hashed; kept in memory when it is one the checks read whole; written to `unpackTo` when given. */
async function readEntry(zip: ZipArchive, entry: ZipEntry, unpackTo: string | null): Promise<EntryInfo> {
  const keep = KEPT.has(entry.name);
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  // O_EXCL in a fresh folder: names are unique (a second entry of one name was refused above).
  const sink = unpackTo ? await open(unpackTo, 'wx') : null;
  try {
    for await (const chunk of await zip.stream(entry)) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      size += buffer.length;
      if (keep && size <= MAX_TEXT) chunks.push(buffer);
      if (sink) await sink.write(buffer);
    }
  } finally {
    await sink?.close();
  }
  return { sha256: hash.digest('hex'), size, text: keep && size <= MAX_TEXT ? Buffer.concat(chunks) : null };
}

/** The bundle open through the one zip reader, every name listed (each refused one is reported, not fatal); a symlink at its path is followed, as the user named it. */
async function openBundle(path: string): Promise<ZipArchive> {
  try {
    return await openZip(path, { noFollow: false, unsafeNames: 'list' });
  } catch (error) {
    throw unreadableOrMissing(path, error);
  }
}

/** Run a walk of the open bundle: a failure of the whole zip (its central directory) is BUNDLE_UNREADABLE. */
async function walk(path: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    throw error instanceof LockhouseError ? error : unreadableOrMissing(path, error);
  }
}

function unreadableOrMissing(path: string, error: unknown): LockhouseError {
  if (isZipError(error) && error.failure === 'unopenable' && (error.cause as { code?: string } | undefined)?.code === 'ENOENT') {
    return new LockhouseError('OUTPUT_NOT_FOUND', `there is no bundle at ${path}`);
  }
  if (error instanceof LockhouseError) return error;
  // yauzl's or the system's own words where they failed.
  const why = isZipError(error) ? error.detail : (error as Error).message;
  return new LockhouseError('BUNDLE_UNREADABLE', `the bundle ${path} cannot be read as a zip: ${why}`, {
    hint: 'it is damaged or not a bundle: make it again with lockhouse bundle',
    cause: error,
  });
}
