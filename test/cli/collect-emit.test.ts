/**
 * --emit-pylock and --emit-requirements, proven with the installers that
 * read them: packaging's Pylock (validation, and `select` per collected
 * target gives exactly the files collected for it), real pip installing
 * offline from the requirements with --require-hashes, and pip 26 installing
 * from the emitted pylock.toml. Skipped, saying why, without python3 and pip
 * (packaging ≥ 26.1 for the Pylock checks; the local PyPI copy for pip 26).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { buildTargets } from '../../src/python/targets.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { localWheel } from '../helpers/local-pypi.js';
import { makeVenv, pipEnv, pipMissing, PYTHON, run } from '../helpers/pip.js';
import { findPackaging, runPythonJson } from '../helpers/python.js';
import { testdir } from '../helpers/testdir.js';

const why = pipMissing();
const hostVersion = why ? '3.12' : spawnSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();
const PLATFORMS = ['x86_64-manylinux_2_28', 'aarch64-apple-darwin', 'x86_64-pc-windows-msvc'];
const TARGET_FLAGS = [...PLATFORMS.flatMap((p) => ['--python-platform', p]), '--python-version', hostVersion];

const artifacts: Artifact[] = [
  makeWheel({ name: 'pure', version: '1.0' }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64', requiresDist: ['pure'] }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp38-abi3-macosx_11_0_arm64', requiresDist: ['pure'] }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp38-abi3-win_amd64', requiresDist: ['pure'] }),
  makeWheel({ name: 'linux-only', version: '0.5' }),
  makeSdist({ name: 'srconly', version: '1.0' }),
];

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server?.close();
});

function setup() {
  const dir = testdir({
    'uv.lock': fixtureUvLock(artifacts, { base: server.url, requiresPython: '>=3.9', markers: { 'linux-only': "sys_platform == 'linux'" } }),
  });
  const out = join(dir, 'wheelhouse');
  const collect = (...flags: string[]) =>
    runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), ...TARGET_FLAGS, ...flags]);
  return { dir, out, collect };
}

const manifestOf = (out: string): Manifest => Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));

describe.skipIf(why !== null)(`emitted pylock and requirements (${why ?? `python3 ${hostVersion} and pip`})`, () => {
  it('are written, byte-identical on a second run, and listed in the manifest when inside DIR', async () => {
    const { dir, out, collect } = setup();
    const first = await collect('--emit-pylock', join(out, 'pylock.toml'), '--emit-requirements', join(dir, 'requirements.txt'));
    expect(first.stderr).not.toMatch(/failed/i);
    expect(first.code).toBe(0);
    const pylock = readFileSync(join(out, 'pylock.toml'), 'utf8');
    const requirements = readFileSync(join(dir, 'requirements.txt'), 'utf8');
    expect(manifestOf(out).emitted).toEqual(['pylock.toml']);
    expect(pylock).toContain('path = "./srconly-1.0-py3-none-any.whl"');
    expect(requirements).toContain('--find-links wheelhouse\n');
    expect(requirements).toMatch(/^linux-only==0\.5 ; sys_platform == 'linux' \\$/m);

    const again = await collect('--emit-pylock', join(out, 'pylock.toml'), '--emit-requirements', join(dir, 'requirements.txt'), '--clean');
    expect(again.code).toBe(0);
    expect(readFileSync(join(out, 'pylock.toml'), 'utf8')).toBe(pylock);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe(requirements);
    // --clean keeps the lock it emitted into DIR.
    expect(existsSync(join(out, 'pylock.toml'))).toBe(true);
    // No temporary file left beside them.
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  const reference = findPackaging();
  it.skipIf('missing' in reference)(`pass packaging's Pylock validation, and select exactly the collected files per target (${'missing' in reference ? reference.missing : `packaging ${reference.packaging}`})`, async () => {
    if ('missing' in reference) return;
    const { out, collect } = setup();
    expect((await collect('--emit-pylock', join(out, 'pylock.toml'))).code).toBe(0);
    const targets = buildTargets({ pythonPlatforms: PLATFORMS, pythonVersions: [hostVersion], platforms: [] });
    const selected = runPythonJson<Record<string, string[]>>(
      reference.python,
      String.raw`
import json, sys, tomllib
from packaging.pylock import Pylock
from packaging.tags import Tag
data = json.load(sys.stdin)
with open(data["path"], "rb") as f:
    lock = Pylock.from_dict(tomllib.load(f))
out = {}
for target in data["targets"]:
    tags = [Tag(*tag.split("-")) for tag in target["tags"]]
    out[target["id"]] = sorted(dist.path.rsplit("/", 1)[-1] for _, dist in lock.select(environment=target["env"], tags=tags))
print(json.dumps(out))
`,
      { path: join(out, 'pylock.toml'), targets: targets.map((t) => ({ id: t.id, env: t.markers, tags: t.tags.ordered })) },
    );
    const manifest = manifestOf(out);
    for (const target of targets) {
      const collected = manifest.artifacts.filter((a) => a.targets.includes(target.id)).map((a) => a.filename).sort();
      expect(selected[target.id], target.id).toEqual(collected);
    }
    // The linux target takes the linux-only package; the others do not.
    expect(selected[targets[0]!.id]).toContain('linux_only-0.5-py3-none-any.whl');
    expect(selected[targets[1]!.id]!.some((name) => name.startsWith('linux_only'))).toBe(false);
  });

  it('pip installs offline from the requirements with --require-hashes, and refuses a file that is not the one hashed', async () => {
    const { dir, out, collect } = setup();
    expect((await collect('--emit-requirements', join(dir, 'requirements.txt'))).code).toBe(0);
    const python = await makeVenv(join(dir, 'venv'));
    server.resetLog();
    const install = await run(python, ['-m', 'pip', 'install', '--no-index', '--find-links', out, '--require-hashes', '-r', join(dir, 'requirements.txt')]);
    expect(server.requests.length).toBe(0);
    expect(install.stderr + install.stdout).toContain('Successfully installed');
    expect(install.code).toBe(0);
    const listed = await run(python, ['-m', 'pip', 'list', '--format=json']);
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((p) => p.name.toLowerCase()).sort();
    expect(names).toEqual(expect.arrayContaining(['linux-only', 'native', 'pure', 'srconly']));

    // The file alone: its own --no-index and --find-links (relative to it), from another folder.
    const python2 = await makeVenv(join(dir, 'venv2'));
    const alone = await run(python2, ['-m', 'pip', 'install', '--require-hashes', '-r', join(dir, 'requirements.txt')], { cwd: '/' });
    expect(alone.code, alone.stderr).toBe(0);

    // A wheel swapped for another under the same name: pip's hash check refuses it.
    const python3 = await makeVenv(join(dir, 'venv3'));
    const pure = join(out, 'pure-1.0-py3-none-any.whl');
    renameSync(join(out, 'linux_only-0.5-py3-none-any.whl'), join(dir, 'moved.whl'));
    renameSync(pure, join(out, 'linux_only-0.5-py3-none-any.whl'));
    renameSync(join(dir, 'moved.whl'), pure);
    const refused = await run(python3, ['-m', 'pip', 'install', '--no-index', '--find-links', out, '--require-hashes', '-r', join(dir, 'requirements.txt')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/hash/i);
  });

  const pip26 = localWheel('pip-26.');
  it.skipIf(pip26 === null)(`pip 26 installs from the emitted pylock.toml, offline (${pip26 ? 'pip 26 from the local PyPI copy' : 'no pip 26 wheel in a local PyPI copy'})`, async () => {
    const { dir, out, collect } = setup();
    expect((await collect('--emit-pylock', join(out, 'pylock.toml'))).code).toBe(0);
    const python = await makeVenv(join(dir, 'venv'));
    const upgraded = await run(python, ['-m', 'pip', 'install', '--no-index', pip26!]);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    server.resetLog();
    const install = await run(python, ['-m', 'pip', 'install', '--no-index', '-r', join(out, 'pylock.toml')], { cwd: dir, env: pipEnv() });
    expect(install.code, install.stderr).toBe(0);
    // From the paths beside it, not the urls: the index saw nothing.
    expect(server.requests.length).toBe(0);
    const listed = await run(python, ['-m', 'pip', 'list', '--format=json']);
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((p) => p.name.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['linux-only', 'native', 'pure', 'srconly']));
  });
});

describe('emitting refuses what it cannot do right', () => {
  it('--all-platforms has no targets to write markers for: exit 2, nothing written', async () => {
    const { dir, out } = setup();
    const result = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache', '--all-platforms', '--emit-pylock', join(dir, 'pylock.toml'), '--no-build']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--emit-pylock cannot be used with --all-platforms');
    expect(existsSync(join(dir, 'pylock.toml'))).toBe(false);
  });

  it('a failed artifact means no emitted lock (EMIT_INCOMPLETE), the rest still collected', async () => {
    const { dir, out, collect } = setup();
    const result = await collect('--no-build', '--emit-pylock', join(dir, 'pylock.toml'), '--emit-requirements', join(dir, 'requirements.txt'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('EMIT_INCOMPLETE');
    expect(existsSync(join(dir, 'pylock.toml'))).toBe(false);
    expect(existsSync(join(dir, 'requirements.txt'))).toBe(false);
    expect(existsSync(join(out, 'pure-1.0-py3-none-any.whl'))).toBe(true);
  });

  it('a name PEP 751 does not allow is written, with a warning', async () => {
    const { dir, out, collect } = setup();
    const result = await collect('--emit-pylock', join(dir, 'wheels.lock.toml'));
    expect(result.stderr).toContain('PEP 751 names lock files pylock.toml or pylock.<name>.toml');
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'wheels.lock.toml'), 'utf8')).toContain('path = "wheelhouse/pure-1.0-py3-none-any.whl"');
    expect(manifestOf(out).emitted).toBeUndefined();
  });
});

describe.skipIf(why !== null)(`--layout simple (${why ?? 'python3 and pip, for the build'})`, () => {
  it('puts the files under DIR/files with a static index and PEP 658 metadata; the emitted lock points there', async () => {
    const { dir, out, collect } = setup();
    const result = await collect('--layout', 'simple', '--emit-pylock', join(out, 'pylock.toml'));
    expect(result.code, result.stderr).toBe(0);
    const manifest = manifestOf(out);
    expect(manifest.layout).toBe('simple');
    for (const artifact of manifest.artifacts) expect(existsSync(join(out, 'files', artifact.filename)), artifact.filename).toBe(true);
    expect(readdirSync(out).filter((name) => name.endsWith('.whl'))).toEqual([]);
    const page = readFileSync(join(out, 'simple', 'native', 'index.html'), 'utf8');
    const native = manifest.artifacts.find((a) => a.filename.includes('win_amd64'))!;
    expect(page).toContain(`href="../../files/${native.filename}#sha256=${native.sha256}"`);
    expect(page).toContain('data-core-metadata="sha256=');
    expect(existsSync(join(out, 'files', `${native.filename}.metadata`))).toBe(true);
    expect(readFileSync(join(out, 'simple', 'index.html'), 'utf8')).toContain('srconly');
    expect(readFileSync(join(out, 'pylock.toml'), 'utf8')).toContain('path = "files/pure-1.0-py3-none-any.whl"');

    // lockhouse index over the same tree changes nothing; a re-run collects nothing and changes nothing.
    const before = readFileSync(join(out, 'simple', 'native', 'index.json'), 'utf8');
    expect((await runCli(['index', out])).code).toBe(0);
    server.resetLog();
    expect((await collect('--layout', 'simple', '--emit-pylock', join(out, 'pylock.toml'))).code).toBe(0);
    expect(server.requests.length).toBe(0);
    expect(readFileSync(join(out, 'simple', 'native', 'index.json'), 'utf8')).toBe(before);

    // pip installs through the index as a file:// URL, offline.
    const python = await makeVenv(join(dir, 'venv'));
    const install = await run(python, ['-m', 'pip', 'install', '--index-url', `file://${join(out, 'simple')}/`, 'native', 'linux-only', 'srconly']);
    expect(install.code, install.stderr).toBe(0);
    expect(server.requests.length).toBe(0);
  });

  it('--layout takes flat or simple', async () => {
    const { collect } = setup();
    const result = await collect('--layout', 'tree');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--layout takes flat or simple, not "tree"');
  });
});
