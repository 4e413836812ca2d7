/**
 * The directory `lockhouse verify` looks at, read without writing or
 * following a link: DIR's manifest (which gives the layout, the built
 * wheels and the files lockhouse emitted), one listing of the folder the
 * artifacts are in, and what in it nothing explains.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LockhouseError } from '../errors.js';
import { openRegularFile } from '../io/store/hash-file.js';
import { errnoCode, reason } from '../io/store/store-error.js';
import { MANIFEST_FILE, readManifest, type Manifest } from '../output/manifest.js';
import { parseSdistFilename, parseWheelFilename } from '../python/names.js';
import { FILES_DIR, type LayoutKind } from './collect/output-dir.js';
import type { ExtraFile } from './verify.js';

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
  const manifest = await readDirManifest(join(root, MANIFEST_FILE), warnings);
  // The manifest says (no `layout`: flat); with no manifest, a DIR/files
  // folder means the simple layout, as `lockhouse index` decides.
  const layout: LayoutKind = manifest ? (manifest.layout ?? 'flat') : (await lstat(join(root, FILES_DIR)).catch(() => null)) ? 'simple' : 'flat';
  const filesDir = layout === 'simple' ? join(root, FILES_DIR) : root;
  if (layout === 'simple') {
    const files = await lstat(filesDir).catch(() => null);
    if (files?.isSymbolicLink()) {
      throw new LockhouseError('OUTPUT_UNSAFE_PATH', `${filesDir} is a symbolic link; lockhouse does not follow links in DIR`, {
        hint: `remove it and collect again (lockhouse collect --layout simple makes ${FILES_DIR}/ a directory)`,
      });
    }
    if (!files) warnings.push(`the manifest says the simple layout, but ${filesDir} does not exist`);
  }
  return { root, layout, filesDir, manifest, entries: await listEntries(filesDir), warnings, pathOf: (filename) => join(filesDir, filename) };
}

/** DIR/lockhouse.json, read without following a link; null (with a warning) when there is none this lockhouse reads. */
async function readDirManifest(path: string, warnings: string[]): Promise<Manifest | null> {
  let text: string;
  try {
    const { handle } = await openRegularFile(path, { noFollow: true });
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') warnings.push(`no manifest (${path}): built wheels cannot be checked`);
    else if (code === 'ELOOP') warnings.push(`${path} is a symbolic link, not read (lockhouse never follows links in DIR)`);
    else warnings.push(`${path} cannot be read (${reason(error)}); it is ignored`);
    return null;
  }
  const manifest = readManifest(text);
  if (!manifest) warnings.push(`${path} is not a manifest this lockhouse reads; it is ignored (built wheels cannot be checked)`);
  return manifest;
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
 * Every entry of the files folder nothing explains. Explained: the expected
 * files; the manifest; the files the manifest says lockhouse emitted; a
 * wheel's PEP 658 `<wheel>.metadata` beside it (the static index writes
 * those); dot-files (`.lockhouse/` among them). Folders (`simple/`) are not
 * looked into: installers do not either. A symbolic link is always listed,
 * whatever its name, since nothing vouches for what it points at.
 */
export function explainExtras(dir: VerifyDir, expected: ReadonlySet<string>): ExtraFile[] {
  const emitted = new Set((dir.manifest?.emitted ?? []).map((path) => path.replace(/^\.\//, '')));
  const recorded = new Map((dir.manifest?.artifacts ?? []).map((artifact) => [artifact.filename, artifact]));
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
    const relative = dir.filesDir === dir.root ? name : `${FILES_DIR}/${name}`;
    if (relative === MANIFEST_FILE || emitted.has(relative)) continue;
    if (name.endsWith(METADATA_SUFFIX) && expected.has(name.slice(0, -METADATA_SUFFIX.length))) continue;
    const record = recorded.get(name);
    const why = record
      ? `the manifest lists it (${record.kind}${record.targets.length ? ` for ${record.targets.join(', ')}` : ''}), but the lock does not need it for these targets and flags`
      : 'the lock does not explain it for these targets and flags';
    extra.push({ ...identity, filename: name, code: 'UNEXPLAINED', reason: why });
  }
  return extra;
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
