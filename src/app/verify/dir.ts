/**
 * The directory `lockhouse verify` looks at, read without writing or
 * following a link: DIR's manifest (which gives the layout, the built
 * wheels and the files lockhouse emitted), one listing of the folder the
 * artifacts are in (DIR/wheels for an extracted bundle), and what in it
 * nothing explains. Files a delta left over (the manifest's
 * `delta.leftover`: files earlier manifests listed, which a delta never
 * removes) are named in a warning, not counted as extra — unless pip could
 * take one for a file the lock needs.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LockhouseError } from '../../errors.js';
import { errnoCode, reason } from '../../io/store/store-error.js';
import { detectLayout, existingFilesDir, FILES_DIR, MANIFEST_FILE, type LayoutKind } from '../../io/wheelhouse/layout.js';
import { readManifestFile, type NoManifest } from '../../io/wheelhouse/manifest-file.js';
import type { Manifest } from '../../output/manifest.js';
import { parseSdistFilename, parseWheelFilename } from '../../python/names.js';
import type { ExtraFile } from './types.js';

export type DirEntryKind = 'file' | 'symlink' | 'directory' | 'other';

export interface VerifyDir {
  /** DIR, absolute. */
  readonly root: string;
  readonly layout: LayoutKind;
  /** DIR (flat) or DIR/files (simple). */
  readonly filesDir: string;
  readonly manifest: Manifest | null;
  /** What is in filesDir, by name, as lstat sees it (links are not followed). */
  readonly entries: ReadonlyMap<string, DirEntryKind>;
  readonly warnings: readonly string[];
  pathOf(filename: string): string;
}

const METADATA_SUFFIX = '.metadata';

export async function openVerifyDir(root: string): Promise<VerifyDir> {
  // DIR itself may be a symlink: the user chose it (as collect allows).
  const stats = await stat(root).catch(() => null);
  if (!stats?.isDirectory()) {
    throw new LockhouseError('OUTPUT_NOT_FOUND', `${root} ${stats ? 'is not a directory' : 'does not exist'}`, {
      hint: 'pass -o the wheelhouse to verify (lockhouse collect -o DIR makes one)',
    });
  }
  const warnings: string[] = [];
  const read = await readManifestFile(root);
  const manifest = read.manifest;
  if (read.problem !== null) warnings.push(manifestWarning(read.problem, read.detail));
  const layout: LayoutKind = await detectLayout(root, manifest);
  const filesDir = await existingFilesDir(root, manifest, layout);
  if (layout === 'simple') {
    const files = await lstat(filesDir).catch(() => null);
    if (files?.isSymbolicLink()) {
      throw new LockhouseError('OUTPUT_UNSAFE_PATH', `${filesDir} is a symbolic link; lockhouse does not follow links in DIR`, {
        hint: `remove it and collect again (lockhouse collect --layout simple makes ${FILES_DIR}/ a directory)`,
      });
    }
    if (!files) warnings.push(`the manifest says the simple layout, but ${filesDir} does not exist`);
  }
  const entries = await listEntries(filesDir);
  const leftover = new Set(manifest?.delta?.leftover ?? []);
  const left = [...entries.keys()].filter((name) => leftover.has(name));
  if (left.length) {
    warnings.push(`${left.length} file(s) in ${filesDir} are left over from before a delta (the manifest's delta.leftover): not part of this collection, not counted as problems (a delta never removes files it did not bring)`);
  }
  return { root, layout, filesDir, manifest, entries, warnings, pathOf: (filename) => join(filesDir, filename) };
}

/** What verify says when DIR has no manifest it can use. */
function manifestWarning(problem: NoManifest, detail: string): string {
  switch (problem) {
    case 'absent':
      return `${detail}: built wheels cannot be checked`;
    case 'invalid':
      return `${detail}; it is ignored (built wheels cannot be checked)`;
    case 'unreadable':
      return `${detail}; it is ignored`;
    default:
      return detail;
  }
}

async function listEntries(dir: string): Promise<Map<string, DirEntryKind>> {
  const entries = new Map<string, DirEntryKind>();
  const listed = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return [];
    throw new LockhouseError('OUTPUT_NOT_FOUND', `cannot list ${dir}: ${reason(error)}`, { cause: error });
  });
  for (const entry of listed) {
    const kind: DirEntryKind = entry.isSymbolicLink() ? 'symlink' : entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other';
    entries.set(entry.name, kind);
  }
  return entries;
}

/**
 * Every entry of the files folder nothing explains (`differences`: what the
 * selection checked changes from the recorded one, to say why a file the
 * manifest lists is not needed). Explained: the expected
 * files; the manifest; the files the manifest says lockhouse emitted; a
 * wheel's PEP 658 `<wheel>.metadata` beside it (the static index writes
 * those); dot-files (`.lockhouse/` among them). Folders (`simple/`) are not
 * looked into: installers do not either. A symbolic link is always listed,
 * whatever its name, since nothing vouches for what it points at.
 */
export function explainExtras(dir: VerifyDir, expected: ReadonlySet<string>, differences: readonly string[] = []): ExtraFile[] {
  const emitted = new Set((dir.manifest?.emitted ?? []).map((path) => path.replace(/^\.\//, '')));
  const recorded = new Map((dir.manifest?.artifacts ?? []).map((artifact) => [artifact.filename, artifact]));
  const leftover = new Set(dir.manifest?.delta?.leftover ?? []);
  const needed = new Map([...expected].map((name) => [projectVersion(name), name]));
  const extra: ExtraFile[] = [];
  for (const [name, kind] of dir.entries) {
    if (name.startsWith('.') || kind === 'directory') continue;
    // An expected name holding a link or a special file is reported as missing.
    if (expected.has(name)) continue;
    const identity = identify(name, recorded.get(name));
    if (kind === 'symlink') {
      extra.push({ ...identity, filename: name, code: 'SYMLINK', reason: 'a symbolic link (never followed)' });
      continue;
    }
    if (kind === 'other') {
      extra.push({ ...identity, filename: name, code: 'NOT_REGULAR', reason: 'a special file (FIFO, socket or device)' });
      continue;
    }
    if (leftover.has(name)) {
      // pip --find-links takes any file of the pinned version that fits best: this one, then its hash fails.
      const clash = needed.get(projectVersion(name));
      if (clash === undefined || projectVersion(name) === null) continue;
      extra.push({ ...identity, filename: name, code: 'UNEXPLAINED', reason: `left over from before a delta, and pip --find-links could take it for ${clash} (the same package and version), then fail on its hash: remove it` });
      continue;
    }
    const relative = dir.filesDir === dir.root ? name : `${FILES_DIR}/${name}`;
    if (relative === MANIFEST_FILE || emitted.has(relative)) continue;
    if (name.endsWith(METADATA_SUFFIX) && expected.has(name.slice(0, -METADATA_SUFFIX.length))) continue;
    const record = recorded.get(name);
    const what = record ? `${record.kind}${record.targets.length ? ` for ${record.targets.join(', ')}` : ''}` : null;
    const why = !what
      ? 'the lock does not explain it for these targets and flags'
      : differences.length
        ? `collected for the recorded selection (${what}); the one checked does not need it (it differs in ${differences.join(', ')})`
        : `the manifest lists it (${what}), but the lock does not need it for these targets and flags`;
    extra.push({ ...identity, filename: name, code: 'UNEXPLAINED', reason: why });
  }
  return extra;
}

/** `name==version` of a wheel or sdist file name, or null. */
function projectVersion(name: string): string | null {
  const { package: project, version } = identify(name, undefined);
  return project === null ? null : `${project}==${version}`;
}

/** Package and version of a file: from the manifest, else from its name when it is a wheel or sdist name. */
function identify(name: string, record: Manifest['artifacts'][number] | undefined): { package: string | null; version: string | null } {
  if (record) return { package: record.package, version: record.version };
  for (const parse of [parseWheelFilename, (filename: string) => parseSdistFilename(filename)]) {
    try {
      const parsed = parse(name);
      return { package: parsed.name, version: parsed.version };
    } catch {
      // not this kind of name
    }
  }
  return { package: null, version: null };
}
