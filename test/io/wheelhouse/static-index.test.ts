/**
 * writeSimpleIndex over real directories of synthesized wheels and sdists:
 * what it writes (pages, PEP 658 metadata beside each wheel), that a second
 * run changes no byte, that stale pages and metadata go, and that no
 * symlink is followed or written through.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSimpleIndex, type IndexDirSummary, type IndexLog, type KnownFile } from '../../../src/io/wheelhouse/static-index.js';
import { makeSdist, makeWheel, type Artifact } from '../../helpers/artifacts.js';
import { testdir } from '../../helpers/testdir.js';

const app = makeWheel({ name: 'App', version: '1.0', requiresDist: ['lib>=2'], requiresPython: '>=3.8' });
const lib = makeWheel({ name: 'lib', version: '2.0' });
const libSdist = makeSdist({ name: 'lib', version: '2.0' });
const ALL = [app, lib, libSdist];

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

interface Logged {
  readonly log: IndexLog;
  readonly lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
}
function logger(): Logged {
  const lines: Logged['lines'] = [];
  return { lines, log: (level, message, fields) => lines.push({ level, message, ...(fields ? { fields } : {}) }) };
}

/** DIR with the artifacts in DIR/files (the simple layout), or in DIR itself. */
function wheelhouse(artifacts: readonly Artifact[], layout: 'simple' | 'flat' = 'simple'): { dir: string; filesDir: string } {
  const dir = join(testdir(), 'wheelhouse');
  const filesDir = layout === 'simple' ? join(dir, 'files') : dir;
  mkdirSync(filesDir, { recursive: true });
  for (const artifact of artifacts) writeFileSync(join(filesDir, artifact.filename), artifact.bytes);
  return { dir, filesDir };
}

/** Every file under `dir` (relative, sorted) with its bytes, leaving out lockhouse's state folder. */
function snapshot(dir: string): Map<string, { bytes: string; mtimeMs: number }> {
  const out = new Map<string, { bytes: string; mtimeMs: number }>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.name === '.lockhouse') continue;
      if (entry.isDirectory()) walk(path);
      else out.set(relative(dir, path), { bytes: readFileSync(path).toString('base64'), mtimeMs: lstatSync(path).mtimeMs });
    }
  };
  walk(dir);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const projectJson = (dir: string, name: string): { files: Array<Record<string, unknown>> } =>
  JSON.parse(readFileSync(join(dir, 'simple', name, 'index.json'), 'utf8')) as { files: Array<Record<string, unknown>> };

describe('writeSimpleIndex', () => {
  it('writes the pages and each wheel’s METADATA beside it (PEP 658), exactly as the wheel holds it', async () => {
    const { dir, filesDir } = wheelhouse(ALL);
    const summary = await writeSimpleIndex({ dir, filesDir, log: logger().log });

    expect(summary).toMatchObject({ dir, filesDir: 'files', filesUrl: '../../files/', projects: 2, files: 3, metadata: 2, hashed: 3, removed: [], warnings: [] });
    expect(summary.written).toEqual([
      `files/${app.filename}.metadata`,
      `files/${lib.filename}.metadata`,
      'simple/app/index.html',
      'simple/app/index.json',
      'simple/index.html',
      'simple/index.json',
      'simple/lib/index.html',
      'simple/lib/index.json',
    ]);

    const metadata = readFileSync(join(filesDir, `${app.filename}.metadata`));
    expect(metadata.toString()).toMatch(/^Metadata-Version: 2\.1\nName: App\nVersion: 1\.0\n/);
    // The wheels are stored uncompressed: METADATA's bytes appear in them verbatim.
    expect(app.bytes.includes(metadata)).toBe(true);

    const html = readFileSync(join(dir, 'simple', 'app', 'index.html'), 'utf8');
    expect(html).toContain(
      `<a href="../../files/${app.filename}#sha256=${app.sha256}" data-requires-python="&gt;=3.8" ` +
        `data-core-metadata="sha256=${sha256(metadata)}">${app.filename}</a>`,
    );
    expect(projectJson(dir, 'lib').files).toEqual([
      expect.objectContaining({ filename: lib.filename, hashes: { sha256: lib.sha256 }, 'core-metadata': { sha256: expect.any(String) }, size: lib.size }),
      expect.objectContaining({ filename: libSdist.filename, hashes: { sha256: libSdist.sha256 }, 'core-metadata': false, size: libSdist.size }),
    ]);
  });

  it('indexes a flat wheelhouse, linking ../../<file>, and lists only wheels and sdists', async () => {
    const { dir } = wheelhouse(ALL, 'flat');
    writeFileSync(join(dir, 'lockhouse.json'), '{}');
    writeFileSync(join(dir, 'requirements.txt'), 'lib==2.0\n');
    writeFileSync(join(dir, '.hidden-1.0.tar.gz'), 'x');
    const summary = await writeSimpleIndex({ dir, filesDir: dir, log: logger().log });
    expect(summary).toMatchObject({ filesDir: '', filesUrl: '../../', files: 3 });
    expect(readFileSync(join(dir, 'simple', 'lib', 'index.html'), 'utf8')).toContain(`href="../../${lib.filename}#sha256=${lib.sha256}"`);
    expect(existsSync(join(dir, `${lib.filename}.metadata`))).toBe(true);
  });

  it('writes the same bytes on a second run, and touches nothing', async () => {
    const { dir, filesDir } = wheelhouse(ALL);
    await writeSimpleIndex({ dir, filesDir, log: logger().log });
    const first = snapshot(dir);
    const again = await writeSimpleIndex({ dir, filesDir, log: logger().log });
    expect(again.written).toEqual([]);
    expect(snapshot(dir)).toEqual(first);

    // A fresh directory with the same files gives the same bytes.
    const other = wheelhouse([...ALL].reverse());
    await writeSimpleIndex({ dir: other.dir, filesDir: other.filesDir, log: logger().log });
    const bytesOf = (map: Map<string, { bytes: string }>): string[] => [...map].map(([path, { bytes }]) => `${path}:${bytes}`);
    expect(bytesOf(snapshot(other.dir))).toEqual(bytesOf(first));
  });

  it('rewrites only what changed when a file is added', async () => {
    const { dir, filesDir } = wheelhouse([lib]);
    await writeSimpleIndex({ dir, filesDir, log: logger().log });
    writeFileSync(join(filesDir, libSdist.filename), libSdist.bytes);
    const summary = await writeSimpleIndex({ dir, filesDir, log: logger().log });
    expect(summary.written).toEqual(['simple/lib/index.html', 'simple/lib/index.json']);
  });

  it('removes the pages of projects no longer present, and metadata of wheels no longer present', async () => {
    const { dir, filesDir } = wheelhouse(ALL);
    await writeSimpleIndex({ dir, filesDir, log: logger().log });
    rmSync(join(filesDir, app.filename));
    const summary = await writeSimpleIndex({ dir, filesDir, log: logger().log });
    expect(summary.removed).toEqual([`files/${app.filename}.metadata`, 'simple/app', 'simple/app/index.html', 'simple/app/index.json']);
    expect(existsSync(join(dir, 'simple', 'app'))).toBe(false);
    expect(readFileSync(join(dir, 'simple', 'index.html'), 'utf8')).not.toContain('app/');
    expect(summary).toMatchObject({ projects: 1, files: 2 });
  });

  it('leaves a stale project folder that holds files of someone else’s in place, and says so', async () => {
    const { dir, filesDir } = wheelhouse([lib]);
    mkdirSync(join(dir, 'simple', 'gone'), { recursive: true });
    writeFileSync(join(dir, 'simple', 'gone', 'index.html'), 'old');
    writeFileSync(join(dir, 'simple', 'gone', 'notes.txt'), 'mine');
    const logged = logger();
    const summary = await writeSimpleIndex({ dir, filesDir, log: logged.log });
    expect(summary.removed).toEqual(['simple/gone/index.html']);
    expect(readFileSync(join(dir, 'simple', 'gone', 'notes.txt'), 'utf8')).toBe('mine');
    expect(logged.lines.some((line) => line.level === 'warn' && line.message.includes('holds other files'))).toBe(true);
  });

  it('takes the sha256 a caller knows while the size (and mtime) match, and hashes otherwise', async () => {
    const { dir, filesDir } = wheelhouse([lib, libSdist]);
    const mtimeMs = statSync(join(filesDir, lib.filename)).mtimeMs;
    const known = new Map<string, KnownFile>([
      [lib.filename, { sha256: 'b'.repeat(64), size: lib.size, mtimeMs }],
      [libSdist.filename, { sha256: 'c'.repeat(64), size: libSdist.size + 1, mtimeMs }],
    ]);
    const summary = await writeSimpleIndex({ dir, filesDir, known, log: logger().log });
    expect(summary.hashed).toBe(1);
    const hashes = projectJson(dir, 'lib').files.map((f) => (f['hashes'] as { sha256: string }).sha256);
    expect(hashes).toEqual(['b'.repeat(64), libSdist.sha256]);

    const stale = new Map<string, KnownFile>([[lib.filename, { sha256: 'b'.repeat(64), size: lib.size, mtimeMs: mtimeMs - 1000 }]]);
    expect((await writeSimpleIndex({ dir, filesDir, known: stale, log: logger().log })).hashed).toBe(2);
  });

  it('lists a wheel whose METADATA cannot be read without metadata, with a warning, and drops its old .metadata', async () => {
    const { dir, filesDir } = wheelhouse([lib]);
    const broken = 'broken-1.0-py3-none-any.whl';
    writeFileSync(join(filesDir, broken), 'not a zip');
    writeFileSync(join(filesDir, `${broken}.metadata`), 'Name: broken\n');
    const logged = logger();
    const summary = await writeSimpleIndex({ dir, filesDir, log: logged.log });
    expect(summary).toMatchObject({ projects: 2, files: 2, metadata: 1 });
    expect(summary.warnings).toEqual([
      { file: broken, code: 'INDEX_NO_METADATA', reason: expect.stringMatching(/^listed without PEP 658 metadata: The wheel broken-1\.0-py3-none-any\.whl is not a sound wheel: it is not a readable zip/) },
    ]);
    expect(logged.lines).toContainEqual(expect.objectContaining({ level: 'warn', fields: { code: 'INDEX_NO_METADATA' } }));
    expect(existsSync(join(filesDir, `${broken}.metadata`))).toBe(false);
    expect(summary.removed).toEqual([`files/${broken}.metadata`]);
    expect(readFileSync(join(dir, 'simple', 'broken', 'index.html'), 'utf8')).not.toContain('data-core-metadata');
  });

  it('leaves out, with a warning, files whose names no installer would read', async () => {
    const { dir, filesDir } = wheelhouse([lib]);
    writeFileSync(join(filesDir, 'notes.zip'), 'x');
    const summary = await writeSimpleIndex({ dir, filesDir, log: logger().log });
    expect(summary.warnings).toEqual([{ file: 'notes.zip', code: 'INDEX_SKIPPED_FILE', reason: expect.stringContaining('Missing name-version separator') }]);
    expect(summary.files).toBe(1);
  });

  it('refuses a files folder outside DIR, and a DIR that does not exist', async () => {
    const { dir } = wheelhouse([lib]);
    await expect(writeSimpleIndex({ dir, filesDir: testdir(), log: logger().log })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(writeSimpleIndex({ dir: join(dir, 'missing'), filesDir: dir, log: logger().log })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('symlinks are never followed', () => {
  it('does not list a wheel that is a symlink, and says so', async () => {
    const { dir, filesDir } = wheelhouse([lib]);
    const elsewhere = testdir({ [app.filename]: app.bytes });
    symlinkSync(join(elsewhere, app.filename), join(filesDir, app.filename));
    const summary = await writeSimpleIndex({ dir, filesDir, log: logger().log });
    expect(summary.warnings).toEqual([{ file: app.filename, code: 'INDEX_SKIPPED_FILE', reason: expect.stringContaining('symbolic link') }]);
    expect(summary.files).toBe(1);
    expect(existsSync(join(filesDir, `${app.filename}.metadata`))).toBe(false);
    expect(readdirSync(elsewhere)).toEqual([app.filename]);
  });

  it('replaces a symlink at a page or a .metadata name instead of writing through it', async () => {
    const { dir, filesDir } = wheelhouse([lib]);
    const elsewhere = testdir({ 'victim.txt': 'keep me' });
    const victim = join(elsewhere, 'victim.txt');
    mkdirSync(join(dir, 'simple', 'lib'), { recursive: true });
    symlinkSync(victim, join(dir, 'simple', 'lib', 'index.html'));
    symlinkSync(victim, join(filesDir, `${lib.filename}.metadata`));
    await writeSimpleIndex({ dir, filesDir, log: logger().log });
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(lstatSync(join(dir, 'simple', 'lib', 'index.html')).isFile()).toBe(true);
    expect(lstatSync(join(filesDir, `${lib.filename}.metadata`)).isFile()).toBe(true);
  });

  it.each([
    ['DIR/simple', (dir: string) => join(dir, 'simple')],
    ['DIR/simple/<project>', (dir: string) => join(dir, 'simple', 'lib')],
    ['DIR/files', (dir: string) => join(dir, 'files')],
  ])('refuses a symlink at %s, writing nothing outside DIR', async (_label, where) => {
    const { dir } = wheelhouse([]);
    const files = testdir({ [lib.filename]: lib.bytes });
    const outside = testdir();
    const target = where(dir);
    if (target === join(dir, 'files')) {
      rmSync(target, { recursive: true });
      symlinkSync(files, target);
    } else {
      writeFileSync(join(dir, 'files', lib.filename), lib.bytes);
      mkdirSync(join(target, '..'), { recursive: true });
      symlinkSync(outside, target);
    }
    const attempt: Promise<IndexDirSummary> = writeSimpleIndex({ dir, filesDir: join(dir, 'files'), log: logger().log });
    await expect(attempt).rejects.toMatchObject({ code: 'OUTPUT_UNSAFE_PATH' });
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(files)).toEqual([lib.filename]);
  });
});
