/**
 * --mirror and LOCKHOUSE_MIRROR with real bytes: this machine's copy of
 * real PyPI files (test/helpers/local-pypi.ts), served by a real nginx as a
 * PEP 503 simple index, stands for an Artifactory-style mirror; real pip
 * builds the workspace members and installs the results offline.
 *
 * The locks name files on files.pythonhosted.org and download.pytorch.org.
 * Every request that is not to 127.0.0.1 goes to a proxy that refuses
 * connections (HTTPS_PROXY, NO_PROXY=127.0.0.1), so a collect that succeeds
 * fetched nothing past the mirror — and nginx's access log shows each file
 * fetched from it.
 *
 * Skipped, saying why, without python3 and pip, without a local PyPI copy
 * holding the build backends, or without nginx.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { runCli } from '../helpers/cli.js';
import { localPypiRoots } from '../helpers/local-pypi.js';
import { findOrInstallNginx, startNginx, type NginxServer } from '../helpers/nginx.js';
import { installOffline, pipEnv, pipMissing, run } from '../helpers/pip.js';
import { freePort } from '../helpers/ports.js';
import { testdir } from '../helpers/testdir.js';

/** What the tests take from the local copy: the locked packages and the build backends the members name. */
const NEEDED = ['packaging', 'pluggy', 'iniconfig', 'six', 'hatchling', 'setuptools', 'flit-core'];
const root = localPypiRoots().find((dir) => NEEDED.every((name) => existsSync(join(dir, 'simple', name))));
const found = pipMissing() !== null || !root ? null : await findOrInstallNginx();
const why =
  pipMissing() ??
  (root ? null : `no local PyPI copy holds ${NEEDED.join(', ')} (pip config list names ${localPypiRoots().join(', ') || 'none'})`) ??
  (found && 'missing' in found ? found.missing : null);
if (why) console.warn(`lockhouse tests: ${why}; the --mirror tests with real bytes are skipped`);

interface LocalFile {
  readonly filename: string;
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** The newest wheel of `name` in the local copy. */
function localFile(name: string): LocalFile {
  const prefix = `${name.replace(/-/g, '_')}-`;
  const filename = readdirSync(join(root!, 'files'))
    .filter((file) => file.toLowerCase().startsWith(prefix) && file.endsWith('.whl'))
    .sort()
    .pop()!;
  const path = join(root!, 'files', filename);
  const bytes = readFileSync(path);
  return { filename, name, version: filename.split('-')[1]!, path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

/** Where PyPI serves a file: /packages/<2>/<2>/<rest>/<filename>, as pip lock writes it. */
const pythonhosted = (file: LocalFile): string => `https://files.pythonhosted.org/packages/${file.sha256.slice(0, 2)}/${file.sha256.slice(2, 4)}/${file.sha256.slice(4)}/${file.filename}`;

/** A pylock as `pip lock` writes it: no `index` key on any package. */
function pipStylePylock(files: ReadonlyArray<readonly [LocalFile, string]>): string {
  const lines = ['lock-version = "1.0"', 'created-by = "pip"', 'requires-python = ">=3.9"', ''];
  for (const [file, url] of files) {
    lines.push('[[packages]]', `name = "${file.name}"`, `version = "${file.version}"`, '', '[[packages.wheels]]', `name = "${file.filename}"`, `url = "${url}"`, `hashes = { sha256 = "${file.sha256}" }`, '');
  }
  return lines.join('\n');
}

let nginx: NginxServer;
let nginxDir: string;
/** A port nothing listens on: the proxy every request that is not to 127.0.0.1 goes to. */
let deadPort: number;
beforeAll(async () => {
  if (why) return;
  nginxDir = mkdtempSync(join(tmpdir(), 'lockhouse-mirror-nginx-'));
  nginx = await startNginx({ nginx: (found as { nginx: string }).nginx, root: root!, workDir: nginxDir });
  deadPort = await freePort();
});
afterAll(async () => {
  if (why) return;
  await nginx.stop();
  rmSync(nginxDir, { recursive: true, force: true });
});

const savedEnv = { ...process.env };
beforeEach(() => {
  const dead = `http://127.0.0.1:${deadPort}`;
  Object.assign(process.env, { HTTPS_PROXY: dead, https_proxy: dead, HTTP_PROXY: dead, http_proxy: dead, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' });
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

/** nginx's access log lines for `GET /files/<filename>` that were answered 200. */
const served = (filename: string): number => nginx.accessLog().filter((line) => line.startsWith(`200 GET /files/${filename} `)).length;

/** Real pip installs `packages` from `dir` alone into a fresh venv, which then imports `imports`. */
async function installsOffline(dir: string, packages: readonly string[], imports: readonly string[]): Promise<void> {
  const { python, installed } = await installOffline(join(testdir(), 'venv'), dir, packages);
  expect(installed.stderr + installed.stdout).toContain('Successfully installed');
  expect(installed.code).toBe(0);
  const imported = await run(python, ['-c', `import ${imports.join(', ')}; print("ok")`], { env: pipEnv() });
  expect(imported.stdout.trim()).toBe('ok');
}

describe.skipIf(why !== null)('a pip-style pylock (no index) through --mirror, real PyPI bytes on nginx', { timeout: 300_000 }, () => {
  const pypiFiles = (): LocalFile[] => ['packaging', 'pluggy', 'iniconfig'].map(localFile);
  const torchStyle = (): LocalFile => localFile('six');
  const lockFor = (dir: string): string => {
    const path = join(dir, 'pylock.toml');
    writeFileSync(path, pipStylePylock([...pypiFiles().map((file) => [file, pythonhosted(file)] as const), [torchStyle(), `https://download.pytorch.org/whl/cpu/${torchStyle().filename}`]]));
    return path;
  };

  it('pypi= covers every file on files.pythonhosted.org, a URL prefix the rest; -v says so per file; pip installs the result offline', async () => {
    const dir = testdir();
    const out = join(dir, 'wheelhouse');
    const mirror = `${nginx.url}/simple`;
    const collected = await runCli(['collect', '--lock', lockFor(dir), '-o', out, '--no-cache', '--retries', '0', '--mirror', `pypi=${mirror}`, '--mirror', `https://download.pytorch.org/whl=${mirror}`, '-v']);
    expect(collected.stderr).toContain('Collected 4 files of 4 packages');
    expect(collected.code).toBe(0);
    for (const file of [...pypiFiles(), torchStyle()]) {
      expect(collected.stderr).toContain(`${file.filename}: from the mirror ${nginx.url}/files/${file.filename}`);
      expect(served(file.filename)).toBe(1);
      expect(createHash('sha256').update(readFileSync(join(out, file.filename))).digest('hex')).toBe(file.sha256);
    }
    expect(collected.stderr).not.toContain('downloaded from');
    // The manifest keeps the lock's URLs: the mirror is how, not what.
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
    expect(manifest.artifacts.filter((artifact) => artifact.url?.startsWith('https://files.pythonhosted.org/'))).toHaveLength(3);
    await installsOffline(out, ['packaging', 'pluggy', 'iniconfig', 'six'], ['packaging.version', 'pluggy', 'iniconfig', 'six']);
  });

  it('a --mirror that matches no package is MIRROR_UNUSED (exit 2), naming it and where the files come from; nothing is fetched or written', async () => {
    const dir = testdir();
    const out = join(dir, 'wheelhouse');
    const before = nginx.accessLog().length;
    const mirror = `${nginx.url}/simple`;
    const refused = await runCli(['collect', '--lock', lockFor(dir), '-o', out, '--no-cache', '--mirror', `pypi=${mirror}`, '--mirror', `https://download.pytorch.org/whl/cu121=${mirror}`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error[MIRROR_UNUSED]: --mirror https://download.pytorch.org/whl/cu121=${mirror} matches no package of this selection`);
    expect(refused.stderr).toContain('files.pythonhosted.org, no index in the lock (3 packages)');
    expect(refused.stderr).toContain('download.pytorch.org, no index in the lock (1 package)');
    expect(existsSync(out)).toBe(false);
    expect(nginx.accessLog().length).toBe(before);
  });

  it('LOCKHOUSE_MIRROR is a site-wide default: a flag replaces its entry for the same FROM, an entry matching nothing is passed over', async () => {
    const dir = testdir();
    const mirror = `${nginx.url}/simple`;
    process.env['LOCKHOUSE_MIRROR'] = `pypi=http://127.0.0.1:${deadPort}/simple  https://download.pytorch.org/whl=${mirror}\thttps://other.example/simple=${mirror}`;
    const collected = await runCli(['collect', '--lock', lockFor(dir), '-o', join(dir, 'wheelhouse'), '--no-cache', '--retries', '0', '--mirror', `pypi=${mirror}`, '-v']);
    expect(collected.stderr).toContain('Collected 4 files of 4 packages');
    expect(collected.code).toBe(0);
    expect(collected.stderr).toContain(`--mirror pypi=${mirror} replaces LOCKHOUSE_MIRROR's pypi=http://127.0.0.1:${deadPort}/simple`);
    expect(collected.stderr).toContain(`LOCKHOUSE_MIRROR's https://other.example/simple=${mirror} matches no package of this selection; not used`);
    expect(collected.stderr).toContain(`${torchStyle().filename}: from the mirror ${nginx.url}/files/${torchStyle().filename}`);
  });
});

/** A uv workspace: the root project built with hatchling, members with setuptools and flit-core, and one PyPI package. */
function workspace(dir: string, packaging: LocalFile): void {
  const files: Record<string, string> = {
    'pyproject.toml': [
      '[project]', 'name = "app"', 'version = "0.1.0"', 'requires-python = ">=3.9"', 'dependencies = ["liba", "libb", "packaging"]', '',
      '[tool.uv.workspace]', 'members = ["packages/*"]', '',
      '[tool.uv.sources]', 'liba = { workspace = true }', 'libb = { workspace = true }', '',
      '[build-system]', 'requires = ["hatchling"]', 'build-backend = "hatchling.build"', '',
      '[tool.hatch.build.targets.wheel]', 'packages = ["app"]', '',
    ].join('\n'),
    'app/__init__.py': '"""The root project."""\n',
    'packages/liba/pyproject.toml': ['[project]', 'name = "liba"', 'version = "0.1.0"', 'requires-python = ">=3.9"', '', '[build-system]', 'requires = ["setuptools>=61"]', 'build-backend = "setuptools.build_meta"', ''].join('\n'),
    'packages/liba/liba/__init__.py': 'NAME = "liba"\n',
    'packages/libb/pyproject.toml': ['[project]', 'name = "libb"', 'version = "0.1.0"', 'description = "built with flit"', 'requires-python = ">=3.9"', '', '[build-system]', 'requires = ["flit_core>=3.4,<5"]', 'build-backend = "flit_core.buildapi"', ''].join('\n'),
    'packages/libb/libb/__init__.py': '"""libb"""\n',
    'uv.lock': [
      'version = 1', 'revision = 3', 'requires-python = ">=3.9"', '',
      '[manifest]', 'members = ["app", "liba", "libb"]', '',
      '[[package]]', 'name = "app"', 'version = "0.1.0"', 'source = { editable = "." }',
      'dependencies = [', '    { name = "liba" },', '    { name = "libb" },', '    { name = "packaging" },', ']', '',
      '[package.metadata]', 'requires-dist = [', '    { name = "liba", editable = "packages/liba" },', '    { name = "libb", editable = "packages/libb" },', '    { name = "packaging" },', ']', '',
      '[[package]]', 'name = "liba"', 'version = "0.1.0"', 'source = { editable = "packages/liba" }', '',
      '[[package]]', 'name = "libb"', 'version = "0.1.0"', 'source = { editable = "packages/libb" }', '',
      '[[package]]', 'name = "packaging"', `version = "${packaging.version}"`, 'source = { registry = "https://pypi.org/simple" }',
      'wheels = [', `    { url = "${pythonhosted(packaging)}", hash = "sha256:${packaging.sha256}", size = ${packaging.size} },`, ']', '',
    ].join('\n'),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

describe.skipIf(why !== null)('workspace members built with build isolation through --mirror pypi=, real backends on nginx', { timeout: 600_000 }, () => {
  it('hatchling, setuptools and flit-core come from the mirror; pip installs the result offline; --offline rebuilds from --find-links alone', async () => {
    const dir = testdir();
    const project = join(dir, 'project');
    const out = join(dir, 'wheelhouse');
    const packaging = localFile('packaging');
    workspace(project, packaging);
    const mirror = `${nginx.url}/simple`;
    const before = nginx.accessLog().length;

    const collected = await runCli(['collect', '--lock', join(project, 'uv.lock'), '-o', out, '--no-cache', '--retries', '0', '--mirror', `pypi=${mirror}`, '-v']);
    expect(collected.stderr).toContain('Collected 4 files of 4 packages');
    expect(collected.code).toBe(0);
    for (const member of ['app', 'liba', 'libb']) {
      expect(collected.stderr).toContain(`${member} 0.1.0: build requirements from ${mirror} (--mirror pypi=${mirror}), after DIR and --find-links`);
      expect(collected.stderr).toMatch(new RegExp(`${member}-0\\.1\\.0-py3-none-any\\.whl: built from \\S+ with pip`));
    }
    // The backends were asked of the mirror (the machine's pip.conf, which names the local copy, is not read by builds).
    const asked = nginx.accessLog().slice(before);
    for (const page of ['hatchling', 'setuptools', 'flit-core']) expect(asked).toContainEqual(expect.stringMatching(new RegExp(`^200 GET /simple/${page}/ `)));
    const backendFiles = asked.map((line) => /^200 GET \/files\/(\S+) /.exec(line)?.[1]).filter((name): name is string => Boolean(name));
    expect(backendFiles).toEqual(expect.arrayContaining([expect.stringMatching(/^hatchling-/), expect.stringMatching(/^setuptools-/), expect.stringMatching(/^flit_core-/)]));
    // Each member's log records a command line naming the mirror, and no other index.
    const log = readFileSync(join(out, '.lockhouse', 'logs', 'liba-0.1.0.log'), 'utf8');
    expect(log).toMatch(new RegExp(`command: .* --index-url ${mirror.replace(/[.:/]/g, '\\$&')} `));
    expect(log).not.toContain('pypi.org');

    await installsOffline(out, ['app'], ['app', 'liba', 'libb', 'packaging']);

    // --offline: no index at all; the backends (what the first run fetched) from --find-links.
    const backends = join(dir, 'backends');
    mkdirSync(backends);
    for (const name of new Set(backendFiles)) if (name !== packaging.filename) copyFileSync(join(root!, 'files', decodeURIComponent(name)), join(backends, decodeURIComponent(name)));
    const offlineBefore = nginx.accessLog().length;
    const offline = await runCli(['collect', '--lock', join(project, 'uv.lock'), '-o', out, '--no-cache', '--offline', '--find-links', backends, '-v']);
    expect(offline.code).toBe(0);
    expect(offline.stderr).toContain('app 0.1.0: build requirements from DIR and --find-links only (--offline)');
    expect(offline.stderr).toMatch(/app-0\.1\.0-py3-none-any\.whl: built from/);
    expect(nginx.accessLog().length).toBe(offlineBefore);
  });
});
