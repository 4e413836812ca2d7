/**
 * `lockhouse index DIR`: the layout it finds (flat, or DIR/files), the
 * manifest's hashes it trusts, its summary and JSON, byte-identical re-runs,
 * and its refusals.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IndexDirSummary } from '../../src/app/static-index.js';
import type { Manifest } from '../../src/output/manifest.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { testdir } from '../helpers/testdir.js';

const app = makeWheel({ name: 'app', version: '1.0', requiresDist: ['lib'] });
const lib = makeWheel({ name: 'lib', version: '2.0', requiresPython: '>=3.8' });
const libSdist = makeSdist({ name: 'lib', version: '2.0' });
const ALL = [app, lib, libSdist];

function wheelhouse(folder: '' | 'files', artifacts: readonly Artifact[] = ALL): string {
  const dir = join(testdir(), 'wheelhouse');
  mkdirSync(join(dir, folder), { recursive: true });
  for (const artifact of artifacts) writeFileSync(join(dir, folder, artifact.filename), artifact.bytes);
  return dir;
}

/** A manifest as lockhouse collect writes it, vouching for the files with the given sha256s. */
function writeManifest(dir: string, folder: '' | 'files', layout: 'flat' | 'simple' | undefined, sha256Of: (a: Artifact) => string): void {
  const manifest: Manifest = {
    manifestVersion: 1,
    generator: 'lockhouse 0.1.0',
    lock: { path: 'uv.lock', format: 'uv.lock', sha256: '0'.repeat(64) },
    allPlatforms: false,
    ...(layout ? { layout } : {}),
    targets: [],
    artifacts: ALL.map((a) => ({
      package: a.name,
      version: a.version,
      filename: a.filename,
      kind: a.kind,
      origin: 'download' as const,
      url: null,
      sha256: sha256Of(a),
      size: a.size,
      mtimeMs: statSync(join(dir, folder, a.filename)).mtimeMs,
      targets: [],
    })),
    skipped: [],
    failures: [],
  };
  writeFileSync(join(dir, 'lockhouse.json'), JSON.stringify(manifest));
}

const summaryOf = (stdout: string): IndexDirSummary => JSON.parse(stdout) as IndexDirSummary;
const tree = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !join(entry.parentPath, entry.name).includes('.lockhouse'))
    .map((entry) => `${join(entry.parentPath, entry.name).slice(dir.length + 1)}:${readFileSync(join(entry.parentPath, entry.name)).toString('base64')}`)
    .sort();

describe('lockhouse index', () => {
  it('indexes a flat wheelhouse and says what it did', async () => {
    const dir = wheelhouse('');
    const run = await runCli(['index', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`lockhouse: indexed 3 files (2 projects, 2 wheels with PEP 658 metadata) from ${dir} into ${dir}/simple/: 8 files written\n`);
    expect(readFileSync(join(dir, 'simple', 'lib', 'index.html'), 'utf8')).toContain(`href="../../${lib.filename}#sha256=${lib.sha256}" data-requires-python="&gt;=3.8"`);
    expect(readFileSync(join(dir, 'simple', 'index.html'), 'utf8')).toContain('<a href="app/">app</a>');
  });

  it('prints the summary as JSON, and a second run writes nothing and leaves every byte as it was', async () => {
    const dir = wheelhouse('files');
    const first = await runCli(['index', '--json', dir]);
    expect(first.code).toBe(0);
    expect(summaryOf(first.stdout)).toMatchObject({ dir, filesDir: 'files', filesUrl: '../../files/', projects: 2, files: 3, metadata: 2, hashed: 3, warnings: [] });
    const before = tree(dir);
    const mtimes = before.map((entry) => lstatSync(join(dir, entry.split(':')[0]!)).mtimeMs);

    const second = await runCli(['index', '--json', dir]);
    expect(summaryOf(second.stdout)).toMatchObject({ written: [], removed: [] });
    expect(tree(dir)).toEqual(before);
    expect(before.map((entry) => lstatSync(join(dir, entry.split(':')[0]!)).mtimeMs)).toEqual(mtimes);
  });

  it('takes the files from DIR/files when the manifest says the layout is simple, and trusts its hashes while size and mtime match', async () => {
    const dir = wheelhouse('files');
    writeManifest(dir, 'files', 'simple', (a) => a.sha256);
    const run = await runCli(['index', '--json', dir]);
    expect(summaryOf(run.stdout)).toMatchObject({ filesDir: 'files', files: 3, hashed: 0 });

    // --verify hashes anyway.
    expect(summaryOf((await runCli(['index', '--json', '--verify', dir])).stdout)).toMatchObject({ hashed: 3 });
  });

  it('uses the manifest’s sha256 as given (it is what collect verified), so a lying manifest shows in the index', async () => {
    const dir = wheelhouse('');
    writeManifest(dir, '', undefined, () => 'e'.repeat(64));
    await runCli(['index', dir]);
    expect(readFileSync(join(dir, 'simple', 'app', 'index.html'), 'utf8')).toContain(`#sha256=${'e'.repeat(64)}`);
    await runCli(['index', '--verify', dir]);
    expect(readFileSync(join(dir, 'simple', 'app', 'index.html'), 'utf8')).toContain(`#sha256=${app.sha256}`);
  });

  it('takes DIR/files without a manifest when that folder exists', async () => {
    const dir = wheelhouse('files');
    writeFileSync(join(dir, 'stray-1.0.tar.gz'), 'not in the files folder');
    const summary = summaryOf((await runCli(['index', '--json', dir])).stdout);
    expect(summary).toMatchObject({ filesDir: 'files', files: 3 });
    expect(readFileSync(join(dir, 'simple', 'index.html'), 'utf8')).not.toContain('stray');
  });

  it('warns about what it leaves out, and still exits 0', async () => {
    const dir = wheelhouse('', [lib]);
    symlinkSync(join(testdir({ [app.filename]: app.bytes }), app.filename), join(dir, app.filename));
    const run = await runCli(['index', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`lockhouse warning: ${app.filename}: it is a symbolic link; the index lists regular files only, and never follows links (code=INDEX_SKIPPED_FILE)`);
  });

  it('refuses a DIR that does not exist (exit 2) and a symlink at DIR/simple (exit 2)', async () => {
    const missing = await runCli(['index', join(testdir(), 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error\[USAGE\]: .*nope cannot be indexed: ENOENT/);

    const dir = wheelhouse('');
    const outside = testdir();
    symlinkSync(outside, join(dir, 'simple'));
    const linked = await runCli(['index', dir]);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain('error[OUTPUT_UNSAFE_PATH]');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('needs DIR (exit 2) and explains itself with --help', async () => {
    expect((await runCli(['index'])).code).toBe(2);
    const help = await runCli(['index', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Write a static PEP 503 / PEP 691 index for a wheelhouse');
    expect(help.stdout).toContain('lockhouse index wheelhouse');
  });
});
