/**
 * lockhouse merge, as a CI matrix uses it: parts made by separate `collect`
 * processes with separate caches — one building a compiled-looking sdist
 * for this machine's tag, the others for targets the lock's wheels serve —
 * merged into one wheelhouse that verifies, installs offline with real pip,
 * and bundles with `bundle --from`. Parts that do not belong together (another
 * lock, another selection, a tampered file, two files under one name) are
 * refused, and nothing is written to DIR. Skipped, saying why, without
 * python3 and pip (the builds and the installs need them).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { readZip } from '../helpers/read-zip.js';
import { installOffline, pipEnv, pipMissing, PYTHON, run } from '../helpers/pip.js';
import { startLockhouse, type Finished } from '../helpers/process.js';
import { hostWheelTag } from '../helpers/sdist-backend.js';
import { removeFolder, tempFolder, testdir } from '../helpers/testdir.js';
import { tomlString } from '../helpers/toml.js';

const why = pipMissing();

/** This machine's interpreter tag (cp311) and platform tag (manylinux_2_36_x86_64): what a `platform` build writes here. */
const [INTERP, , HOST_PLATFORM] = why === null ? hostWheelTag().split('-') as [string, string, string] : ['cp311', 'cp311', 'linux_x86_64'];
const PYTHON_VERSION = `3.${INTERP.slice(3)}`;
const HOST = ['--platform', HOST_PLATFORM, '--python-version', PYTHON_VERSION];
const WINDOWS = ['--python-platform', 'x86_64-pc-windows-msvc', '--python-version', PYTHON_VERSION];
const MACOS = ['--python-platform', 'aarch64-apple-darwin', '--python-version', PYTHON_VERSION];
const HOST_ID = `${HOST_PLATFORM}-${INTERP}`;
const WINDOWS_ID = `x86_64-pc-windows-msvc-${INTERP}`;
const MACOS_ID = `aarch64-apple-darwin-${INTERP}`;

const lockhouse = (args: readonly string[], cwd: string): Promise<Finished> => startLockhouse(args, process.env, cwd).done;
const manifestOf = (dir: string): Manifest => Manifest.parse(JSON.parse(readFileSync(join(dir, 'lockhouse.json'), 'utf8')));
const wheelsIn = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.whl')).sort();

/** Every file under `root` but lockhouse's own state, with its bytes' sha256: what a refused merge must leave as it was. */
function contents(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path).split(sep).join('/');
      if (rel === '.lockhouse') continue;
      if (statSync(path).isDirectory()) walk(path);
      else out.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

describe.skipIf(why !== null)(`lockhouse merge (${why ?? 'pip in python3'})`, () => {
  // The project: a compiled package the lock has wheels for on Windows and macOS only (built here for
  // this machine), a pure wheel, and a pure sdist every runner builds.
  const nativeSdist = makeSdist({ name: 'native-src', version: '1.0', backend: 'platform' });
  const nativeWindows = makeWheel({ name: 'native-src', version: '1.0', tags: `${INTERP}-${INTERP}-win_amd64` });
  const nativeMacos = makeWheel({ name: 'native-src', version: '1.0', tags: `${INTERP}-${INTERP}-macosx_11_0_arm64` });
  const pure = makeWheel({ name: 'pure', version: '1.0' });
  const pureSdist = makeSdist({ name: 'puresrc', version: '1.0' });
  const artifacts = [nativeSdist, nativeWindows, nativeMacos, pure, pureSdist];
  const builtHere = `native_src-1.0-${INTERP}-${INTERP}-${HOST_PLATFORM}.whl`;

  let server: IndexServer;
  let work: string;
  /** The runners' parts, each collected by its own process with its own cache. */
  const part = (name: string): string => join(work, 'parts', name);
  const runners: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['part-linux', HOST],
    ['part-windows', WINDOWS],
    ['part-macos', MACOS],
  ];
  const collected = new Map<string, Finished>();

  beforeAll(async () => {
    server = await startIndexServer({ artifacts });
    work = tempFolder({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url, requiresPython: '>=3.9' }) });
    // Three runners at once, as a matrix runs them.
    await Promise.all(
      runners.map(async ([name, targets]) => {
        const done = await lockhouse(['collect', '-o', part(name), '--cache-dir', join(work, `cache-${name}`), '--leave-to-other-runners', ...targets], work);
        collected.set(name, done);
      }),
    );
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    removeFolder(work);
  });

  it('each runner collects its part: exit 0, the host build on the Linux runner only', () => {
    for (const [name] of runners) expect(collected.get(name)!.code, `${name}\n${collected.get(name)!.stderr}`).toBe(0);
    expect(wheelsIn(part('part-linux'))).toEqual([builtHere, pure.filename, 'puresrc-1.0-py3-none-any.whl'].sort());
    expect(wheelsIn(part('part-windows'))).toEqual([nativeWindows.filename, pure.filename, 'puresrc-1.0-py3-none-any.whl'].sort());
    expect(manifestOf(part('part-windows')).partial).toEqual({ left: [] });
  });

  it('three parts merge into one wheelhouse: every file says its part, verify passes, pip installs it offline, bundle --from ships it', async () => {
    const merged = await lockhouse(['merge', part('part-linux'), part('part-windows'), part('part-macos'), '-o', 'merged', '--emit-sbom', 'merged.cdx.json'], work);
    expect(merged.code, merged.stderr).toBe(0);
    console.info(`lockhouse merge (the fan-in job) printed:\n${merged.stderr}`);
    expect(merged.stderr).toMatch(/^Merged 3 parts into merged: 5 files of 3 packages \(.*\) for 3 targets$/m);
    expect(merged.stderr).toContain('Complete for uv.lock: every target has every file it needs, each verified as it landed');

    const out = join(work, 'merged');
    const manifest = manifestOf(out);
    expect(wheelsIn(out)).toEqual([builtHere, nativeMacos.filename, nativeWindows.filename, pure.filename, 'puresrc-1.0-py3-none-any.whl'].sort());
    expect(manifest.targets.map((target) => target.id).sort()).toEqual([HOST_ID, WINDOWS_ID, MACOS_ID].sort());
    expect(manifest.merged?.parts.map((entry) => [entry.name, entry.targets])).toEqual([
      ['part-linux', [HOST_ID]],
      ['part-windows', [WINDOWS_ID]],
      ['part-macos', [MACOS_ID]],
    ]);
    const byName = new Map(manifest.artifacts.map((artifact) => [artifact.filename, artifact]));
    expect(byName.get(builtHere)).toMatchObject({ part: 'part-linux', kind: 'built-wheel', origin: 'part', targets: [HOST_ID], builtFrom: { kind: 'sdist', ref: nativeSdist.filename } });
    expect(byName.get(nativeWindows.filename)).toMatchObject({ part: 'part-windows', kind: 'wheel', targets: [WINDOWS_ID], sha256: nativeWindows.sha256 });
    expect(byName.get(nativeMacos.filename)).toMatchObject({ part: 'part-macos', targets: [MACOS_ID] });
    // A file every part holds comes from the first given, and serves every target.
    expect(byName.get(pure.filename)).toMatchObject({ part: 'part-linux' });
    expect([...byName.get(pure.filename)!.targets].sort()).toEqual([HOST_ID, WINDOWS_ID, MACOS_ID].sort());
    // The pure sdist each runner built: one wheel, serving every target.
    expect([...byName.get('puresrc-1.0-py3-none-any.whl')!.targets].sort()).toEqual([HOST_ID, WINDOWS_ID, MACOS_ID].sort());

    const verified = await lockhouse(['verify', '-o', 'merged'], work);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toContain('merged is complete and intact for uv.lock: 5 files verified');

    const { installed } = await installOffline(join(work, 'venv'), out, ['native-src', 'pure', 'puresrc']);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toMatch(/Successfully installed .*native-src-1\.0/);

    const bundled = await lockhouse(['bundle', '--from', 'merged', '-o', 'app.pyz'], work);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.stderr).toMatch(/^Bundle: .*app\.pyz from merged, verified \(5 files, /m);
    const fromBundle = await run(PYTHON, [join(work, 'app.pyz'), 'install', '--venv', join(work, 'venv-bundle')], { env: pipEnv() });
    expect(fromBundle.code, fromBundle.stderr).toBe(0);
    const imported = await run(join(work, 'venv-bundle', 'bin', 'python'), ['-c', 'import native_src, pure, puresrc; print("ok")'], { env: pipEnv() });
    expect(imported.stdout.trim()).toBe('ok');

    // A merged wheelhouse ships as a delta and carries its SBOM as a collected one does: --since and --emit-sbom with --from.
    const delta = await lockhouse(['bundle', '--from', 'merged', '-o', 'delta.pyz', '--since', join(part('part-windows'), 'lockhouse.json'), '--emit-sbom', 'delta.cdx.json'], work);
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stderr).toMatch(/^Bundle: .*delta\.pyz from merged, verified \(a delta since .*: \d of the 5 files/m);
    const entries = new Map((await readZip(join(work, 'delta.pyz'))).map((entry) => [entry.name, entry]));
    const carried = [...entries.keys()].filter((name) => name.startsWith('wheels/')).map((name) => name.slice('wheels/'.length));
    expect(carried).toEqual(expect.arrayContaining([builtHere, nativeMacos.filename]));
    // What the Windows runner's part already holds (the lock's files) is not carried again.
    expect(carried).not.toContain(pure.filename);
    expect(carried).not.toContain(nativeWindows.filename);
    expect(entries.get('sbom.cdx.json')?.data.toString('utf8')).toBe(readFileSync(join(work, 'delta.cdx.json'), 'utf8'));
    const verifiedDelta = await lockhouse(['verify', '--bundle', 'delta.pyz'], work);
    expect(verifiedDelta.code, verifiedDelta.stdout + verifiedDelta.stderr).toBe(0);
  });

  it('with every target named, a runner whose part is missing is an error naming its target (exit 1), and bundle --from refuses the result', async () => {
    const merged = await lockhouse(['merge', part('part-linux'), part('part-windows'), '-o', 'two-of-three', ...HOST.slice(0, 2), ...WINDOWS.slice(0, 2), ...MACOS], work);
    expect(merged.code, merged.stderr).toBe(1);
    expect(merged.stderr).toContain(`[MERGE_MISSING] no part was collected for ${MACOS_ID}`);
    // What the macOS runner would have given: its wheel of the compiled package, and its build of the pure sdist.
    const failures = manifestOf(join(work, 'two-of-three')).failures;
    expect(failures.map((failure) => [failure.code, failure.package, failure.filename, failure.target])).toEqual([
      ['MERGE_MISSING', 'native-src', nativeMacos.filename, MACOS_ID],
      ['MERGE_MISSING', 'puresrc', null, MACOS_ID],
    ]);

    const bundled = await lockhouse(['bundle', '--from', 'two-of-three', '-o', 'partial.pyz'], work);
    expect(bundled.code).toBe(1);
    expect(bundled.stderr).toContain('error[BUNDLE_SOURCE_INCOMPLETE]: no bundle written: two-of-three is not complete and intact');
    expect(existsSync(join(work, 'partial.pyz'))).toBe(false);
  });

  describe('parts that do not belong together are refused, and nothing is written', () => {
    it('a part collected from another lock', async () => {
      const other = testdir({ 'uv.lock': fixtureUvLock([...artifacts, makeWheel({ name: 'extra', version: '1.0' })], { base: server.url, requiresPython: '>=3.9' }) });
      server.add(makeWheel({ name: 'extra', version: '1.0' }));
      const collectedOther = await lockhouse(['collect', '-o', join(other, 'part-other'), '--cache-dir', join(other, 'cache'), ...WINDOWS], other);
      expect(collectedOther.code, collectedOther.stderr).toBe(0);
      const merged = await lockhouse(['merge', part('part-linux'), join(other, 'part-other'), '-o', 'refused-lock'], work);
      expect(merged.code).toBe(2);
      expect(merged.stderr).toMatch(/^error\[MERGE_LOCK_MISMATCH\]: a part was collected from another lock than uv\.lock \(sha256 [0-9a-f]{64}\):\n  part part-other: uv\.lock with sha256 [0-9a-f]{64}$/m);
      expect(existsSync(join(work, 'refused-lock'))).toBe(false);
    });

    it('(but a part whose runner checked the lock out with Windows line endings is of the same lock)', async () => {
      const crlf = testdir({ 'uv.lock': readFileSync(join(work, 'uv.lock'), 'utf8').replace(/\n/g, '\r\n') });
      const collectedCrlf = await lockhouse(['collect', '-o', join(crlf, 'part-windows'), '--cache-dir', join(crlf, 'cache'), ...WINDOWS], crlf);
      expect(collectedCrlf.code, collectedCrlf.stderr).toBe(0);
      expect(manifestOf(join(crlf, 'part-windows')).lock.sha256).not.toBe(manifestOf(part('part-linux')).lock.sha256);
      const merged = await lockhouse(['merge', part('part-linux'), join(crlf, 'part-windows'), '-o', 'crlf-merged'], work);
      expect(merged.code, merged.stderr).toBe(0);
    });

    it('a part collected with another selection', async () => {
      const narrow = join(work, 'narrow', 'part-windows');
      const collectedNarrow = await lockhouse(['collect', '-o', narrow, '--cache-dir', join(work, 'cache-narrow'), '--exclude-package', 'pure', ...WINDOWS], work);
      expect(collectedNarrow.code, collectedNarrow.stderr).toBe(0);
      const merged = await lockhouse(['merge', part('part-linux'), narrow, '-o', 'refused-selection'], work);
      expect(merged.code).toBe(2);
      expect(merged.stderr).toContain("error[MERGE_SELECTION_MISMATCH]: the parts were not collected with one selection (the merge's is part part-linux's):\n  part part-windows: --exclude-package pure (the merge: none)");
      expect(existsSync(join(work, 'refused-selection'))).toBe(false);
    });

    it('a tampered file in a part: exit 3, and a wheelhouse already there is left exactly as it was', async () => {
      const tampered = join(work, 'tampered', 'part-windows');
      cpSync(part('part-windows'), tampered, { recursive: true });
      const wheel = join(tampered, nativeWindows.filename);
      const bytes = readFileSync(wheel);
      bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1);
      writeFileSync(wheel, bytes);

      const first = await lockhouse(['merge', part('part-linux'), part('part-windows'), '-o', 'kept'], work);
      expect(first.code, first.stderr).toBe(0);
      const before = contents(join(work, 'kept'));
      const merged = await lockhouse(['merge', part('part-linux'), tampered, '-o', 'kept'], work);
      expect(merged.code).toBe(3);
      expect(merged.stderr).toContain(`error[MERGE_PART_ALTERED]: 1 file(s) in the parts are not what the lock and their manifests say; nothing is merged:\n  part part-windows: ${nativeWindows.filename}: the lock says sha256 ${nativeWindows.sha256}, the file hashes to `);
      expect(contents(join(work, 'kept'))).toEqual(before);
      expect(readdirSync(join(work, 'kept', '.lockhouse', 'tmp'))).toEqual([]);

      const fresh = await lockhouse(['merge', part('part-linux'), tampered, '-o', 'refused-tampered'], work);
      expect(fresh.code).toBe(3);
      expect(existsSync(join(work, 'refused-tampered'))).toBe(false);
    });
  });
});

describe.skipIf(why !== null)(`parts that leave builds to other runners (${why ?? 'pip in python3'})`, () => {
  const servers: IndexServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it('collect --leave-to-other-runners: a build this machine cannot make for a target is left (exit 0, recorded, reported); merged alone, that target is named', async () => {
    const sdist = makeSdist({ name: 'compiled', version: '2.0', backend: 'platform' });
    const server = await startIndexServer({ artifacts: [sdist] });
    servers.push(server);
    const dir = testdir({ 'uv.lock': fixtureUvLock([sdist], { base: server.url, requiresPython: '>=3.9' }) });
    const collected = await lockhouse(['collect', '-o', 'part-windows', '--cache-dir', 'cache', '--leave-to-other-runners', ...WINDOWS], dir);
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stderr).toContain(`Left to other runners (1; lockhouse merge adds their parts):\n  compiled 2.0 for ${WINDOWS_ID}: this machine builds compiled-2.0-${INTERP}-${INTERP}-${HOST_PLATFORM}.whl`);
    const manifest = manifestOf(join(dir, 'part-windows'));
    expect(manifest.failures).toEqual([]);
    expect(manifest.partial?.left.map((entry) => [entry.package, entry.filename, entry.target])).toEqual([['compiled', sdist.filename, WINDOWS_ID]]);
    expect(wheelsIn(join(dir, 'part-windows'))).toEqual([]);

    const merged = await lockhouse(['merge', 'part-windows', '-o', 'merged'], dir);
    expect(merged.code).toBe(1);
    expect(merged.stderr).toContain(`compiled 2.0 for ${WINDOWS_ID}: [MERGE_MISSING] no part built a wheel of compiled 2.0 that serves ${WINDOWS_ID}; left to another runner by part part-windows (this machine builds`);
  });

  it('two files under one name: wheels built from two different sdists of one version (a name locked from two indexes)', async () => {
    // One name and version from two indexes, as uv locks a package whose index differs by platform; each sdist builds foo-1.0-py3-none-any.whl.
    const fromA = makeSdist({ name: 'foo', version: '1.0', files: { 'origin.txt': 'index A' } });
    const fromB = makeSdist({ name: 'foo', version: '1.0', files: { 'origin.txt': 'index B' } });
    const [a, b] = await Promise.all([startIndexServer({ artifacts: [fromA] }), startIndexServer({ artifacts: [fromB] })]);
    servers.push(a, b);
    const dir = testdir({ 'uv.lock': twoIndexLock(a.url, fromA, b.url, fromB) });
    const linux = await lockhouse(['collect', '-o', 'part-linux', '--cache-dir', 'cache-linux', ...HOST], dir);
    const windows = await lockhouse(['collect', '-o', 'part-windows', '--cache-dir', 'cache-windows', ...WINDOWS], dir);
    expect([linux.code, windows.code], `${linux.stderr}\n${windows.stderr}`).toEqual([0, 0]);
    expect(wheelsIn(join(dir, 'part-linux'))).toEqual(['foo-1.0-py3-none-any.whl']);
    expect(wheelsIn(join(dir, 'part-windows'))).toEqual(['foo-1.0-py3-none-any.whl']);

    const merged = await lockhouse(['merge', 'part-linux', 'part-windows', '-o', 'merged'], dir);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toContain(
      `error[MERGE_NAME_CLASH]: two different files under one name; a wheelhouse holds one file per name, so nothing is merged:\n  foo-1.0-py3-none-any.whl: part part-linux and part part-windows built different wheels under this name from different sources (sdist sha256:${fromA.sha256}; sdist sha256:${fromB.sha256})`,
    );
    expect(existsSync(join(dir, 'merged'))).toBe(false);
  });
});

/** A uv.lock with foo 1.0 locked twice: from index A off Windows, from index B on it. */
function twoIndexLock(baseA: string, sdistA: Artifact, baseB: string, sdistB: Artifact): string {
  const foo = (base: string, sdist: Artifact, marker: string): string =>
    [
      '[[package]]',
      'name = "foo"',
      'version = "1.0"',
      `source = { registry = ${tomlString(`${base}/simple`)} }`,
      `resolution-markers = [${tomlString(marker)}]`,
      `sdist = { url = ${tomlString(`${base}/files/${sdist.filename}`)}, hash = "sha256:${sdist.sha256}", size = ${sdist.size} }`,
      '',
    ].join('\n');
  return [
    'version = 1',
    'revision = 3',
    'requires-python = ">=3.9"',
    `resolution-markers = [${tomlString("sys_platform == 'win32'")}, ${tomlString("sys_platform != 'win32'")}]`,
    '',
    '[[package]]',
    'name = "app"',
    'version = "0.1.0"',
    'source = { virtual = "." }',
    'dependencies = [',
    `    { name = "foo", version = "1.0", source = { registry = ${tomlString(`${baseA}/simple`)} }, marker = ${tomlString("sys_platform != 'win32'")} },`,
    `    { name = "foo", version = "1.0", source = { registry = ${tomlString(`${baseB}/simple`)} }, marker = ${tomlString("sys_platform == 'win32'")} },`,
    ']',
    '',
    foo(baseA, sdistA, "sys_platform != 'win32'"),
    foo(baseB, sdistB, "sys_platform == 'win32'"),
  ].join('\n');
}

describe('lockhouse merge: parts of wheels only (nothing built)', () => {
  const wheels = [
    makeWheel({ name: 'shared', version: '1.0' }),
    ...['manylinux_2_17_x86_64', 'win_amd64'].flatMap((platform) => ['cp311', 'cp312'].map((py) => makeWheel({ name: 'fast', version: '3.0', tags: `${py}-${py}-${platform}` }))),
  ];
  let server: IndexServer;
  let dir: string;
  const collect = async (out: string, ...targets: string[]): Promise<void> => {
    const run = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', join(dir, out), '--cache-dir', join(dir, 'cache'), ...targets]);
    expect(run.code, run.stderr).toBe(0);
  };
  const merge = (...args: string[]): Promise<CliRun> => runCli(['merge', '--lock', join(dir, 'uv.lock'), ...args]);
  beforeAll(async () => {
    server = await startIndexServer({ artifacts: wheels });
    dir = tempFolder({ 'uv.lock': fixtureUvLock(wheels, { base: server.url, requiresPython: '>=3.9' }) });
    await collect('a/linux', '--python-platform', 'linux', '--python-version', '3.11');
    await collect('b/windows', '--python-platform', 'windows', '--python-version', '3.12');
    await collect('c/linux', '--python-platform', 'linux', '--python-version', '3.12');
  });
  afterAll(async () => {
    await server?.close();
    removeFolder(dir);
  });

  it('a folder that is not a part, and two parts of one folder name, are refused', async () => {
    const notAPart = await merge(join(dir, 'a', 'linux'), join(dir, 'a'), '-o', join(dir, 'out'));
    expect(notAPart.code).toBe(2);
    expect(notAPart.stderr).toContain(`error[MERGE_PART_INVALID]: cannot merge the part ${join(dir, 'a')}: no manifest (${join(dir, 'a', 'lockhouse.json')})`);
    const twins = await merge(join(dir, 'a', 'linux'), join(dir, 'c', 'linux'), '-o', join(dir, 'out'));
    expect(twins.code).toBe(2);
    expect(twins.stderr).toContain('has the same folder name "linux"');
    const inside = await merge(join(dir, 'a', 'linux'), '-o', join(dir, 'a', 'linux', 'merged'));
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain('error[USAGE]: the output');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(existsSync(join(dir, 'a', 'linux', 'merged'))).toBe(false);
  });

  it('parts whose targets joined make more targets than theirs: refused without target flags; with them, what is missing is named per target', async () => {
    const unclear = await merge(join(dir, 'a', 'linux'), join(dir, 'b', 'windows'), '-o', join(dir, 'unclear'));
    expect(unclear.code).toBe(2);
    expect(unclear.stderr).toContain(
      "error[MERGE_TARGETS_UNCLEAR]: the parts' targets together (linux-cp311, windows-cp312) are not what their target flags make together (linux-cp311, linux-cp312, windows-cp311, windows-cp312)",
    );
    expect(existsSync(join(dir, 'unclear'))).toBe(false);

    const named = await merge(join(dir, 'a', 'linux'), join(dir, 'b', 'windows'), '-o', join(dir, 'named'), '--python-platform', 'linux', '--python-platform', 'windows', '--python-version', '3.11', '--python-version', '3.12');
    expect(named.code).toBe(1);
    const failures = Manifest.parse(JSON.parse(readFileSync(join(dir, 'named', 'lockhouse.json'), 'utf8'))).failures;
    expect(failures.map((failure) => [failure.code, failure.filename, failure.target, failure.reason])).toEqual([
      ['MERGE_MISSING', 'fast-3.0-cp311-cp311-win_amd64.whl', 'windows-cp311', 'no part was collected for windows-cp311'],
      ['MERGE_MISSING', 'fast-3.0-cp312-cp312-manylinux_2_17_x86_64.whl', 'linux-cp312', 'no part was collected for linux-cp312'],
    ]);
  });

  it('collect --leave-to-other-runners without an interpreter to build with: the build is left, not failed (and without the flag, BUILD_NO_PYTHON)', async () => {
    const sdist = makeSdist({ name: 'needs-python', version: '1.0' });
    server.add(sdist);
    const project = testdir({ 'uv.lock': fixtureUvLock([sdist], { base: server.url, requiresPython: '>=3.9' }) });
    const args = ['collect', '--lock', join(project, 'uv.lock'), '--cache-dir', join(project, 'cache'), '--build-python', join(project, 'no-such-python'), ...WINDOWS];
    const left = await runCli([...args, '-o', join(project, 'part'), '--leave-to-other-runners']);
    expect(left.code, left.stderr).toBe(0);
    expect(manifestOf(join(project, 'part')).partial?.left.map((entry) => [entry.package, entry.target, entry.reason.split(':')[0]])).toEqual([
      ['needs-python', WINDOWS_ID, 'no interpreter of its Python here'],
    ]);
    const failed = await runCli([...args, '-o', join(project, 'whole')]);
    expect(failed.code).toBe(1);
    expect(manifestOf(join(project, 'whole')).failures.map((failure) => failure.code)).toEqual(['BUILD_NO_PYTHON']);
    expect(manifestOf(join(project, 'whole')).partial).toBeUndefined();
  });

  it('--layout simple and --emit-requirements as collect writes them; verify passes on the result', async () => {
    const out = join(dir, 'site');
    const merged = await merge(join(dir, 'b', 'windows'), join(dir, 'c', 'linux'), '-o', out, '--layout', 'simple', '--emit-requirements', join(out, 'requirements.txt'));
    expect(merged.code, merged.stderr).toBe(0);
    expect(wheelsIn(join(out, 'files'))).toEqual(['fast-3.0-cp312-cp312-manylinux_2_17_x86_64.whl', 'fast-3.0-cp312-cp312-win_amd64.whl', 'shared-1.0-py3-none-any.whl']);
    expect(readFileSync(join(out, 'simple', 'fast', 'index.html'), 'utf8')).toContain('fast-3.0-cp312-cp312-win_amd64.whl');
    const requirements = readFileSync(join(out, 'requirements.txt'), 'utf8');
    expect(requirements).toContain('--find-links files\nfast==3.0 \\\n    --hash=sha256:');
    const verified = await runCli(['verify', '--lock', join(dir, 'uv.lock'), '-o', out]);
    expect(verified.code, verified.stdout).toBe(0);
  });
});
