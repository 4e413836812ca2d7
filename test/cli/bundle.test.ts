/**
 * `lockhouse bundle`: one deterministic zipapp that carries the collected
 * files, a pylock, hashed requirements, the manifest, SHA256SUMS and the
 * installer; refused with --all-platforms and not written when an
 * artifact fails; installs itself with the real python3 and pip; and
 * `lockhouse verify --bundle` catches what was changed in it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { readZip, type ZipEntryRead } from '../helpers/read-zip.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipEnv, pipMissing, PYTHON, run } from '../helpers/pip.js';
import { testdir } from '../helpers/testdir.js';
import { spawnSync } from 'node:child_process';

const why = pipMissing();
const hostVersion = why ? '3.12' : spawnSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();
const PLATFORMS = ['x86_64-manylinux_2_28', 'aarch64-apple-darwin'];
const TARGETS = [...PLATFORMS.flatMap((p) => ['--python-platform', p]), '--python-version', hostVersion];

const artifacts: Artifact[] = [
  makeWheel({ name: 'pure', version: '1.0' }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64', requiresDist: ['pure'] }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp38-abi3-macosx_11_0_arm64', requiresDist: ['pure'] }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp38-abi3-win_amd64', requiresDist: ['pure'] }),
  makeWheel({ name: 'big', version: '3.0', sizeBytes: 3_000_000 }),
];
const needsBuild = makeSdist({ name: 'srconly', version: '1.0' });

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [...artifacts, needsBuild] });
});
afterAll(async () => {
  await server?.close();
});

function setup(locked: Artifact[] = artifacts) {
  const dir = testdir({ 'uv.lock': fixtureUvLock(locked, { base: server.url, requiresPython: '>=3.8' }) });
  const bundle = (out: string, ...flags: string[]) =>
    runCli(['bundle', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), ...TARGETS, ...flags]);
  return { dir, bundle };
}

/** What rewrite() writes: an entry as read, its CRC-32 left to yazl. */
type Entry = Omit<ZipEntryRead, 'crc32'>;

/** A copy of a bundle with `change` applied to its entries (written with yazl, as lockhouse writes them). */
function rewrite(entries: Entry[], path: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addBuffer(entry.data, entry.name, { compress: false, mode: entry.mode || 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => {
      writeFileSync(path, Buffer.concat(chunks));
      resolve();
    });
    zip.outputStream.on('error', reject);
  });
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('lockhouse bundle', () => {
  it('writes one zip: sorted entries, wheels stored, SHA256SUMS true, the installer at the root', async () => {
    const { dir, bundle } = setup();
    const out = join(dir, 'app.pyz');
    const result = await bundle(out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Bundle: ${out} (4 files`);
    const entries = await readZip(out);
    const names = entries.map((e) => e.name);
    expect(names).toEqual([...names].sort());
    expect(names.slice(0, 6)).toEqual(['SHA256SUMS', '__main__.py', 'bundle.json', 'lockhouse.json', 'pylock.toml', 'requirements.txt']);
    expect(names.filter((n) => n.startsWith('wheels/')).sort()).toEqual(artifacts.filter((a) => !a.filename.includes('win_amd64')).map((a) => `wheels/${a.filename}`).sort());
    for (const entry of entries) {
      expect(entry.method, entry.name).toBe(0);
      expect(entry.mode, entry.name).toBe(0o100644);
    }
    for (const artifact of artifacts.filter((a) => !a.filename.includes('win_amd64'))) expect(sha256(entries.find((e) => e.name === `wheels/${artifact.filename}`)!.data)).toBe(artifact.sha256);
    const sums = entries.find((e) => e.name === 'SHA256SUMS')!.data.toString();
    const lines = sums.trim().split('\n');
    expect(lines).toHaveLength(entries.length - 1);
    for (const line of lines) {
      const [digest, name] = line.split('  ');
      expect(sha256(entries.find((e) => e.name === name)!.data), name).toBe(digest);
    }
    expect(entries.find((e) => e.name === '__main__.py')!.data.equals(readFileSync(new URL('../../bundle/__main__.py', import.meta.url)))).toBe(true);
    expect(entries.find((e) => e.name === 'pylock.toml')!.data.toString()).toContain(`path = "wheels/pure-1.0-py3-none-any.whl"`);
    expect(entries.find((e) => e.name === 'requirements.txt')!.data.toString()).toContain('--find-links wheels\n');
    const manifest = JSON.parse(entries.find((e) => e.name === 'lockhouse.json')!.data.toString());
    expect(manifest.lock.path).toBe('uv.lock');
    expect(manifest.artifacts.every((a: { origin: string; mtimeMs: number }) => a.origin === 'bundle' && a.mtimeMs === 0)).toBe(true);
    const info = JSON.parse(entries.find((e) => e.name === 'bundle.json')!.data.toString());
    expect(info.targets.map((t: { id: string }) => t.id)).toEqual([`x86_64-manylinux_2_28-cp${hostVersion.replace('.', '')}`, `aarch64-apple-darwin-cp${hostVersion.replace('.', '')}`]);
    expect(info.targets[1].markers).toEqual({ sys_platform: 'darwin', platform_machine: 'arm64', implementation_name: 'cpython', python_version: hostVersion });
    // The temporary wheelhouse is gone; no temporary file is left beside the bundle.
    expect(readdirSync(dir).sort()).toEqual(['app.pyz', 'cache', 'uv.lock']);
  });

  it('is byte-identical from a warm cache, from a cold one, and with a kept --wheelhouse', async () => {
    const { dir, bundle } = setup();
    expect((await bundle(join(dir, 'a.pyz'))).code).toBe(0);
    expect((await bundle(join(dir, 'b.pyz'), '--wheelhouse', join(dir, 'kept'))).code).toBe(0);
    expect((await bundle(join(dir, 'c.pyz'), '--no-cache')).code).toBe(0);
    const a = readFileSync(join(dir, 'a.pyz'));
    expect(readFileSync(join(dir, 'b.pyz')).equals(a)).toBe(true);
    expect(readFileSync(join(dir, 'c.pyz')).equals(a)).toBe(true);
    expect(existsSync(join(dir, 'kept', 'lockhouse.json'))).toBe(true);
  });

  it('places cache hits unhashed and lets the zip hash them; a damaged cache entry is caught there, removed, and the bundle made again right', async () => {
    const { dir, bundle } = setup();
    const cache = join(dir, 'cache');
    expect((await bundle(join(dir, 'good.pyz'))).code).toBe(0);
    const good = readFileSync(join(dir, 'good.pyz'));
    // The cache entry of `big`, damaged in place (same size): a disk's bit rot, a tool that wrote into it.
    const wheel = artifacts.find((a) => a.filename.startsWith('big-'))!;
    const entry = join(cache, 'content-v2', 'sha256', wheel.sha256);
    const damaged = readFileSync(entry);
    damaged[1000] = damaged[1000]! ^ 0xff;
    writeFileSync(entry, damaged);
    const path = server.filePath(wheel.filename);
    const before = server.requests.count(path);
    const again = await bundle(join(dir, 'again.pyz'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('a file placed from the cache did not match the lock as it was zipped');
    // The same bundle, byte for byte; the file was fetched again and the cache entry is good now.
    expect(readFileSync(join(dir, 'again.pyz')).equals(good)).toBe(true);
    expect(server.requests.count(path)).toBe(before + 1);
    expect(sha256(readFileSync(entry))).toBe(wheel.sha256);
    // With every entry good, a bundle is made once, from the cache, with nothing fetched.
    const third = await bundle(join(dir, 'third.pyz'));
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).not.toContain('did not match');
    expect(server.requests.count(path)).toBe(before + 1);
  });

  it('refuses --all-platforms (exit 2) and writes nothing when an artifact fails (exit 1)', async () => {
    const { dir } = setup();
    const all = await runCli(['bundle', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'x.pyz'), '--all-platforms']);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain('--all-platforms');
    const withBuild = setup([...artifacts, needsBuild]);
    const failed = await withBuild.bundle(join(withBuild.dir, 'x.pyz'), '--no-build');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('no bundle written');
    expect(existsSync(join(withBuild.dir, 'x.pyz'))).toBe(false);
    expect(existsSync(join(dir, 'x.pyz'))).toBe(false);
  });

  it('verify --bundle: intact, then a changed wheel, a missing entry and an extra one are each caught', async () => {
    const { dir, bundle } = setup();
    const out = join(dir, 'app.pyz');
    expect((await bundle(out)).code).toBe(0);
    const intact = await runCli(['verify', '--bundle', out]);
    expect(intact.code, intact.stdout).toBe(0);
    expect(intact.stdout).toContain('is intact: 10 entries match SHA256SUMS and the manifest');
    const withLock = await runCli(['verify', '--bundle', out, '--lock', join(dir, 'uv.lock')]);
    expect(withLock.code, withLock.stdout + withLock.stderr).toBe(0);

    const entries = await readZip(out);
    const flipped = entries.map((e) => (e.name === `wheels/${artifacts[0]!.filename}` ? { ...e, data: Buffer.from(e.data.map((b, i) => (i === 100 ? b ^ 1 : b))) } : e));
    await rewrite(flipped, join(dir, 'flipped.pyz'));
    const altered = await runCli(['verify', '--bundle', join(dir, 'flipped.pyz'), '--json']);
    expect(altered.code).toBe(1);
    expect(JSON.parse(altered.stdout).altered.map((p: { entry: string }) => p.entry)).toContain(`wheels/${artifacts[0]!.filename}`);

    await rewrite(entries.filter((e) => e.name !== `wheels/${artifacts[4]!.filename}`), join(dir, 'missing.pyz'));
    const missing = await runCli(['verify', '--bundle', join(dir, 'missing.pyz'), '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).missing.map((p: { entry: string }) => p.entry)).toContain(`wheels/${artifacts[4]!.filename}`);

    await rewrite([...entries, { name: 'wheels/evil-1.0-py3-none-any.whl', method: 0, mode: 0o100644, data: Buffer.from('x') }], join(dir, 'extra.pyz'));
    const extra = await runCli(['verify', '--bundle', join(dir, 'extra.pyz'), '--json']);
    expect(extra.code).toBe(1);
    expect(JSON.parse(extra.stdout).extra.map((p: { entry: string }) => p.entry)).toContain('wheels/evil-1.0-py3-none-any.whl');

    writeFileSync(join(dir, 'broken.pyz'), readFileSync(out).subarray(0, 5000));
    expect((await runCli(['verify', '--bundle', join(dir, 'broken.pyz')])).stderr).toContain('BUNDLE_UNREADABLE');
  });

  describe.skipIf(why !== null)(`installed by python3 (${why ?? `python3 ${hostVersion}`})`, () => {
    /** pip with no configuration, and an index setting that would fail if it were used. */
    const env = (): NodeJS.ProcessEnv => ({ ...pipEnv(), PIP_INDEX_URL: 'http://127.0.0.1:9/simple' });

    it('a bundle for three targets, the host among them, with a built wheel: installs into a new venv with no index', async () => {
      const { dir, bundle } = setup([...artifacts, needsBuild]);
      const out = join(dir, 'app.pyz');
      const made = await bundle(out, '--python-platform', 'x86_64-pc-windows-msvc');
      expect(made.code, made.stderr).toBe(0);
      // Three targets and a built wheel: verify renders the same emitted files and passes it, with the lock too.
      const verified = await runCli(['verify', '--bundle', out, '--lock', join(dir, 'uv.lock')]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      const entries = await readZip(out);
      expect(entries.map((e) => e.name)).toContain('wheels/srconly-1.0-py3-none-any.whl');
      expect(JSON.parse(entries.find((e) => e.name === 'bundle.json')!.data.toString()).targets).toHaveLength(3);
      server.resetLog();
      const installed = await run(PYTHON, [out, 'install', '--venv', join(dir, 'venv')], { env: env() });
      expect(installed.code, installed.stderr + installed.stdout).toBe(0);
      expect(server.requests.length).toBe(0);
      const imported = await run(join(dir, 'venv', 'bin', 'python'), ['-c', 'import pure, native, big, srconly; print("ok")'], { env: env() });
      expect(imported.stdout.trim()).toBe('ok');
      const listed = await run(PYTHON, [out, 'list'], { env: env() });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('srconly');
    });

    it('a bundle for the host (no target flags, the interpreter\'s own markers): verify --bundle passes it, with the lock too', async () => {
      const { dir } = setup();
      const out = join(dir, 'host.pyz');
      const made = await runCli(['bundle', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache')]);
      expect(made.code, made.stderr).toBe(0);
      const verified = await runCli(['verify', '--bundle', out, '--lock', join(dir, 'uv.lock')]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    });

    it('a bundle without this machine among its targets installs nothing, and says which targets it carries', async () => {
      const { dir } = setup();
      const out = join(dir, 'elsewhere.pyz');
      const made = await runCli(['bundle', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), '--python-platform', 'aarch64-apple-darwin', '--python-platform', 'x86_64-pc-windows-msvc', '--python-version', hostVersion]);
      expect(made.code, made.stderr).toBe(0);
      const refused = await run(PYTHON, [out, 'install', '--venv', join(dir, 'venv')], { env: env() });
      expect(refused.code).toBe(1);
      expect(refused.stderr + refused.stdout).toContain('aarch64-apple-darwin');
      expect(refused.stderr + refused.stdout).toContain('x86_64-pc-windows-msvc');
      expect(existsSync(join(dir, 'venv'))).toBe(false);
    });

    it('one flipped byte in a wheel: install refuses before pip runs, naming the file', async () => {
      const { dir, bundle } = setup();
      const out = join(dir, 'app.pyz');
      expect((await bundle(out)).code).toBe(0);
      const name = `wheels/${artifacts[0]!.filename}`;
      const entries = await readZip(out);
      await rewrite(entries.map((e) => (e.name === name ? { ...e, data: Buffer.from(e.data.map((b, i) => (i === 50 ? b ^ 1 : b))) } : e)), join(dir, 'flipped.pyz'));
      const refused = await run(PYTHON, [join(dir, 'flipped.pyz'), 'install', '--venv', join(dir, 'venv')], { env: env() });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(name);
      expect(existsSync(join(dir, 'venv'))).toBe(false);
    });
  });
});
