/**
 * Delta updates through the command line: `lockhouse bundle --since OLD`
 * and `lockhouse collect --since OLD -o DIR` carry only the files OLD lacks
 * (by name and sha256), with the whole manifest, pylock and requirements;
 * `lockhouse verify --bundle` accepts a delta bundle and catches one whose
 * delta record was changed; `lockhouse verify -o DIR` accepts the far
 * side's wheelhouse once a delta folder is copied over it, which then
 * installs offline with real pip. The installer's side of a delta bundle is
 * test/bundle/delta.test.ts.
 *
 * Two lock versions, each served by its own index (one file name has other
 * bytes in v2: a rebuilt wheel):
 *   v1: keep 1.0, big 1.0, gone 1.0, moves 1.0, rebuilt 1.0
 *   v2: keep 1.0, big 1.0, moves 2.0, rebuilt 1.0 (other bytes), fresh 1.0
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { installOffline, pipMissing, run } from '../helpers/pip.js';
import { readZip, type ZipEntryRead } from '../helpers/read-zip.js';
import { removeFolder, tempFolder, testdir } from '../helpers/testdir.js';

const keep = makeWheel({ name: 'keep', version: '1.0' });
const big = makeWheel({ name: 'big', version: '1.0', sizeBytes: 400_000 });
const gone = makeWheel({ name: 'gone', version: '1.0' });
const moves1 = makeWheel({ name: 'moves', version: '1.0' });
const moves2 = makeWheel({ name: 'moves', version: '2.0' });
const rebuilt1 = makeWheel({ name: 'rebuilt', version: '1.0' });
const rebuilt2 = makeWheel({ name: 'rebuilt', version: '1.0', files: { 'rebuilt/_build.txt': 'built again' } });
const fresh = makeWheel({ name: 'fresh', version: '1.0' });
const V1: Artifact[] = [keep, big, gone, moves1, rebuilt1];
const V2: Artifact[] = [keep, big, moves2, rebuilt2, fresh];
const byFilename = (a: { filename: string }, b: { filename: string }): number => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0);
const CARRIED = [fresh, moves2, rebuilt2].sort(byFilename).map((a) => a.filename);
const EXPECTED = [big, keep].sort(byFilename);
const LEFTOVER = [gone, moves1].sort(byFilename).map((a) => a.filename);

let server1: IndexServer;
let server2: IndexServer;
let root = '';
const lock1 = (): string => join(root, 'v1', 'uv.lock');
const lock2 = (): string => join(root, 'v2', 'uv.lock');

beforeAll(async () => {
  server1 = await startIndexServer({ artifacts: V1 });
  server2 = await startIndexServer({ artifacts: V2 });
  root = tempFolder({
    'v1/uv.lock': fixtureUvLock(V1, { base: server1.url, requiresPython: '>=3.8' }),
    'v2/uv.lock': fixtureUvLock(V2, { base: server2.url, requiresPython: '>=3.8' }),
  });
});
afterAll(async () => {
  await server1?.close();
  await server2?.close();
  removeFolder(root);
});

const cacheFlags = (): string[] => ['--cache-dir', join(root, 'cache')];
const bundle = (lock: string, out: string, ...flags: string[]) => runCli(['bundle', '--lock', lock, '-o', out, ...cacheFlags(), ...flags]);
const entry = async (pyz: string, name: string): Promise<Buffer> => (await readZip(pyz)).find((read) => read.name === name)!.data;
const wheelsOf = async (pyz: string): Promise<string[]> =>
  (await readZip(pyz)).filter((read) => read.name.startsWith('wheels/')).map((read) => read.name.slice('wheels/'.length));

/** A copy of a bundle with other entries (written with yazl, as lockhouse writes them). */
function rewrite(entries: readonly Omit<ZipEntryRead, 'crc32'>[], path: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const read of entries) zip.addBuffer(read.data, read.name, { compress: false, mode: read.mode || 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(writeFileSync(path, Buffer.concat(chunks))));
    zip.outputStream.on('error', reject);
  });
}

describe('lockhouse bundle --since', () => {
  let dir = '';
  let v1 = '';
  let v2 = '';
  let delta = '';
  beforeAll(async () => {
    dir = join(root, 'bundles');
    mkdirSync(dir);
    [v1, v2, delta] = ['v1.pyz', 'v2.pyz', 'delta.pyz'].map((name) => join(dir, name)) as [string, string, string];
    expect((await bundle(lock1(), v1)).code).toBe(0);
    expect((await bundle(lock2(), v2)).code).toBe(0);
  });

  it('carries only the files OLD lacks (a new name, or a name OLD holds with other bytes), with the whole manifest, pylock and requirements', async () => {
    const made = await bundle(lock2(), delta, '--since', v1);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain(`(a delta since ${v1}: 3 of the 5 files`);
    expect(made.stderr).toContain('The other 2 files are expected on the far side');
    expect(made.stderr).toContain(`python3 ${delta} install --wheelhouse DIR`);

    expect(await wheelsOf(delta)).toEqual(CARRIED);
    for (const name of ['pylock.toml', 'requirements.txt', '__main__.py']) expect((await entry(delta, name)).equals(await entry(v2, name)), name).toBe(true);
    const full = JSON.parse((await entry(v2, 'lockhouse.json')).toString());
    const manifest = JSON.parse((await entry(delta, 'lockhouse.json')).toString());
    expect(manifest.artifacts).toEqual(full.artifacts);
    expect(manifest.delta).toMatchObject({ carries: CARRIED, leftover: LEFTOVER, since: { files: 5, lockSha256: JSON.parse((await entry(v1, 'lockhouse.json')).toString()).lock.sha256 } });
    const info = JSON.parse((await entry(delta, 'bundle.json')).toString());
    expect(info.delta.expects).toEqual(EXPECTED.map((a) => ({ filename: a.filename, sha256: a.sha256, size: a.size })));
    expect(info.targets).toEqual(JSON.parse((await entry(v2, 'bundle.json')).toString()).targets);

    const sizes = { full: statSync(v2).size, delta: statSync(delta).size };
    console.info(`bundle --since: the delta is ${sizes.delta} bytes, ${((100 * sizes.delta) / sizes.full).toFixed(1)}% of the full bundle's ${sizes.full}`);
    expect(sizes.delta).toBeLessThan(sizes.full);
  });

  it('makes the same bytes whether OLD is the bundle, its lockhouse.json, or a folder a bundle was extracted into', async () => {
    const since = await bundle(lock2(), join(dir, 'a.pyz'), '--since', v1);
    expect(since.code, since.stderr).toBe(0);
    mkdirSync(join(dir, 'extracted'));
    writeFileSync(join(dir, 'extracted', 'lockhouse.json'), await entry(v1, 'lockhouse.json'));
    expect((await bundle(lock2(), join(dir, 'b.pyz'), '--since', join(dir, 'extracted', 'lockhouse.json'))).code).toBe(0);
    expect((await bundle(lock2(), join(dir, 'c.pyz'), '--since', join(dir, 'extracted'))).code).toBe(0);
    const a = readFileSync(join(dir, 'a.pyz'));
    expect(readFileSync(join(dir, 'b.pyz')).equals(a)).toBe(true);
    expect(readFileSync(join(dir, 'c.pyz')).equals(a)).toBe(true);
    // Against itself, a delta carries nothing; it is still a bundle verify accepts.
    const none = join(dir, 'none.pyz');
    expect((await bundle(lock2(), none, '--since', v2)).code).toBe(0);
    expect(await wheelsOf(none)).toEqual([]);
    expect((await runCli(['verify', '--bundle', none])).code).toBe(0);
  });

  it('verify --bundle accepts it, alone and against the lock (the files it expects from its base are not missing)', async () => {
    if (!existsSync(delta)) expect((await bundle(lock2(), delta, '--since', v1)).code).toBe(0);
    const alone = await runCli(['verify', '--bundle', delta]);
    expect(alone.code, alone.stdout).toBe(0);
    expect(alone.stdout).toContain('is a delta since the manifest');
    expect(alone.stdout).toContain('it carries 3 of the 5 files its manifest lists');
    const withLock = await runCli(['verify', '--bundle', delta, '--lock', lock2(), '--json']);
    expect(withLock.code, withLock.stdout + withLock.stderr).toBe(0);
    const json = JSON.parse(withLock.stdout);
    expect(json.delta).toMatchObject({ carries: 3, files: 5, fromBase: EXPECTED.map((a) => a.filename) });
    expect(json.lock.missing).toEqual([]);
  });

  it('verify --bundle catches a delta whose record was changed: a base file added to it, an expected file taken out of bundle.json', async () => {
    if (!existsSync(delta)) expect((await bundle(lock2(), delta, '--since', v1)).code).toBe(0);
    const entries = await readZip(delta);
    // A wheel the delta expects from its base, added as if carried (SHA256SUMS rewritten to list it): an entry its manifest's delta does not explain.
    const withKeep = [...entries.filter((read) => read.name !== 'SHA256SUMS'), { name: `wheels/${keep.filename}`, method: 0, mode: 0o100644, data: keep.bytes }];
    const sums = withKeep.map((read) => `${createHash('sha256').update(read.data).digest('hex')}  ${read.name}\n`).sort((x, y) => (x.slice(66) < y.slice(66) ? -1 : 1));
    await rewrite([...withKeep, { name: 'SHA256SUMS', method: 0, mode: 0o100644, data: Buffer.from(sums.join('')) }], join(dir, 'added.pyz'));
    const added = JSON.parse((await runCli(['verify', '--bundle', join(dir, 'added.pyz'), '--json'])).stdout);
    expect(added.ok).toBe(false);
    expect(added.extra).toContainEqual(expect.objectContaining({ entry: `wheels/${keep.filename}`, reason: expect.stringMatching(/expects it from the base/) }));
    // bundle.json without one of the files the base must hold: the installer would not check it, and lockhouse does not write that.
    const info = JSON.parse((await entry(delta, 'bundle.json')).toString());
    info.delta.expects = info.delta.expects.slice(1);
    await rewrite(entries.map((read) => (read.name === 'bundle.json' ? { ...read, data: Buffer.from(`${JSON.stringify(info, null, 2)}\n`) } : read)), join(dir, 'fewer.pyz'));
    const fewer = JSON.parse((await runCli(['verify', '--bundle', join(dir, 'fewer.pyz'), '--json'])).stdout);
    expect(fewer.ok).toBe(false);
    expect([...fewer.altered, ...fewer.unverifiable].map((p: { entry: string }) => p.entry)).toContain('bundle.json');
  });

  it('refuses an OLD it cannot read before anything is collected (exit 2, SINCE_UNREADABLE), writing nothing', async () => {
    const out = join(dir, 'never.pyz');
    server2.resetLog();
    const missing = await bundle(lock2(), out, '--since', join(dir, 'no-such.pyz'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error[SINCE_UNREADABLE]: --since');
    expect(missing.stderr).toContain('no-such.pyz: it does not exist');
    writeFileSync(join(dir, 'notes.txt'), 'not a bundle');
    const junk = await bundle(lock2(), out, '--since', join(dir, 'notes.txt'));
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/neither a manifest \(JSON\) nor a bundle/);
    expect(existsSync(out)).toBe(false);
    expect(server2.requests.length).toBe(0);
  });
});

describe('lockhouse collect --since', () => {
  it('lands only the new files in DIR with the whole manifest; copied over the old wheelhouse, verify passes it and pip installs from it', async () => {
    const dir = testdir();
    const wh1 = join(dir, 'wh1');
    const d2 = join(dir, 'd2');
    const first = await runCli(['collect', '--lock', lock1(), '-o', wh1, ...cacheFlags(), '--emit-requirements', join(wh1, 'requirements.txt')]);
    expect(first.code, first.stderr).toBe(0);
    const made = await runCli(['collect', '--lock', lock2(), '-o', d2, ...cacheFlags(), '--since', wh1, '--emit-requirements', join(d2, 'requirements.txt')]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain(`Delta since ${wh1}: ${d2} holds 3 of the 5 files`);
    expect(readdirSync(d2).filter((name) => !name.startsWith('.')).sort()).toEqual([...CARRIED, 'lockhouse.json', 'requirements.txt'].sort());
    // Nothing left beside DIR: the work folder the collection was made in is gone.
    expect(readdirSync(dir).sort()).toEqual(['d2', 'wh1']);
    const manifest = JSON.parse(readFileSync(join(d2, 'lockhouse.json'), 'utf8'));
    expect(manifest.artifacts.map((a: { filename: string }) => a.filename)).toEqual(V2.slice().sort(byFilename).map((a) => a.filename));
    expect(manifest.delta).toMatchObject({ carries: CARRIED, leftover: LEFTOVER });
    expect(manifest.emitted).toEqual(['requirements.txt']);
    for (const artifact of manifest.artifacts as { filename: string; mtimeMs: number }[]) {
      expect(artifact.mtimeMs === 0, artifact.filename).toBe(!CARRIED.includes(artifact.filename));
    }

    // The delta folder alone is incomplete, and verify says why.
    const alone = await runCli(['verify', '-o', d2, '--lock', lock2()]);
    expect(alone.code).toBe(1);
    expect(alone.stdout).toContain(`${keep.filename} (keep 1.0): not in ${d2}: the manifest is a delta's (--since), which does not carry it`);

    // The far side: the old wheelhouse with the delta folder copied over it.
    const far = join(dir, 'far');
    cpSync(wh1, far, { recursive: true });
    for (const name of readdirSync(d2).filter((n) => !n.startsWith('.'))) cpSync(join(d2, name), join(far, name));
    const verified = await runCli(['verify', '-o', far, '--lock', lock2()]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('is complete and intact');
    expect(verified.stderr).toContain('2 file(s) in');
    expect(verified.stderr).toContain('left over from before a delta');
    expect(readFileSync(join(far, rebuilt2.filename)).equals(rebuilt2.bytes)).toBe(true);

    const why = pipMissing();
    if (why) {
      console.warn(`lockhouse tests: ${why}; the offline install from the updated wheelhouse is skipped`);
      return;
    }
    const { python, installed } = await installOffline(join(dir, 'venv'), far, ['--require-hashes', '-r', join(far, 'requirements.txt')]);
    expect(installed.code, installed.stderr).toBe(0);
    const imported = await run(python, ['-c', 'import keep, big, moves, rebuilt, fresh; print(moves.__version__)']);
    expect(imported.stdout.trim()).toBe('2.0');
  });

  it('refuses --layout simple with --since (exit 2) before anything is fetched', async () => {
    const dir = testdir();
    const refused = await runCli(['collect', '--lock', lock2(), '-o', join(dir, 'out'), ...cacheFlags(), '--since', lock1(), '--layout', 'simple']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--since cannot be used with --layout simple');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
