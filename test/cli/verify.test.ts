/**
 * `lockhouse verify` over wheelhouses `lockhouse collect` wrote from a real
 * index server on 127.0.0.1: a complete one passes, and each kind of damage
 * is named — a deleted file, a flipped byte, an extra file, a symlink, a
 * built wheel swapped for another — with exit 1; a lock that cannot be read
 * is exit 2. Each case damages its own copy of one collected directory.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { VerifyJsonSchema, type VerifyJson } from '../../src/report/verify-json.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { removeFolder, tempFolder, testdir } from '../helpers/testdir.js';

const LINUX = ['--python-platform', 'x86_64-manylinux_2_28'];
const MAC = ['--python-platform', 'aarch64-apple-darwin'];
const PY = ['--python-version', '3.12'];
const TWO = [...LINUX, ...MAC, ...PY];

const PURE = 'pure-1.0-py3-none-any.whl';
const NATIVE_LINUX = 'native-2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';
const NATIVE_MAC = 'native-2.0-cp312-cp312-macosx_11_0_arm64.whl';

const artifacts: Artifact[] = [
  makeWheel({ name: 'pure', version: '1.0' }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64' }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp312-cp312-macosx_11_0_arm64' }),
  makeSdist({ name: 'native', version: '2.0' }),
];
const byName = (name: string): Artifact => artifacts.find((a) => a.filename === name)!;
const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

let server: IndexServer;
/** Collected once for TWO, flat and simple; each test verifies its own copy. */
let golden: string;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
  golden = tempFolder();
  writeFileSync(join(golden, 'uv.lock'), fixtureUvLock(artifacts, { base: server.url }));
  const lock = join(golden, 'uv.lock');
  for (const [out, layout] of [['wheelhouse', 'flat'], ['site', 'simple']] as const) {
    const run = await runCli(['collect', '--lock', lock, '-o', join(golden, out), '--no-cache', '--layout', layout, ...TWO]);
    if (run.code !== 0) throw new Error(`collect --layout ${layout} failed: ${run.stderr}`);
  }
});
afterAll(async () => {
  await server.close();
  removeFolder(golden);
});

interface Copy {
  readonly dir: string;
  readonly lock: string;
  readonly out: string;
  verify(...flags: string[]): Promise<CliRun>;
  verifyJson(...flags: string[]): Promise<{ run: CliRun; json: VerifyJson }>;
}

/** A fresh copy of the collected project (lock and wheelhouse). */
function copy(which: 'wheelhouse' | 'site' = 'wheelhouse'): Copy {
  const dir = testdir();
  cpSync(golden, dir, { recursive: true });
  const lock = join(dir, 'uv.lock');
  const out = join(dir, which);
  const verify = (...flags: string[]): Promise<CliRun> => runCli(['verify', '--lock', lock, '-o', out, ...(flags.some((f) => f.startsWith('--python-platform')) ? [] : TWO), ...flags]);
  return {
    dir,
    lock,
    out,
    verify,
    async verifyJson(...flags) {
      const run = await verify(...flags, '--json');
      return { run, json: VerifyJsonSchema.parse(JSON.parse(run.stdout)) };
    },
  };
}

/** The flags copy().verify gives when none are named, as the selection line lists them. */
const GIVEN_TWO = TWO.join(' ');

/** The report's first line for a copy collected for TWO and verified with no selection flags (or with `given`, which agree). */
function selectionLine(p: Copy, given?: string): string {
  const what = 'targets aarch64-apple-darwin-cp312, x86_64-manylinux_2_28-cp312; groups none';
  return given ? `Selection: as recorded in ${p.out}/lockhouse.json (${given} given, which agrees): ${what}` : `Selection: as recorded in ${p.out}/lockhouse.json: ${what}`;
}

const editManifest = (out: string, edit: (manifest: Manifest) => void): void => {
  const path = join(out, 'lockhouse.json');
  const manifest = Manifest.parse(JSON.parse(readFileSync(path, 'utf8')));
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest, null, 2));
};

describe('a complete wheelhouse', () => {
  it('is complete and intact: exit 0, every file verified', async () => {
    const p = copy();
    const run = await p.verify();
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${selectionLine(p, GIVEN_TWO)}\n${p.out} is complete and intact for ${p.lock}: 3 files verified\n`);
    expect(run.code).toBe(0);
  });

  it('without flags, it checks the selection the manifest records, and says so', async () => {
    const p = copy();
    const run = await runCli(['verify', '--lock', p.lock, '-o', p.out]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${selectionLine(p)}\n${p.out} is complete and intact for ${p.lock}: 3 files verified\n`);
    expect(run.code).toBe(0);
  });

  it('--json: the verdict as data, matching schemas/verify.schema.json', async () => {
    const { run, json } = await copy().verifyJson();
    expect(run.code).toBe(0);
    expect(json).toMatchObject({ ok: true, layout: 'flat', manifest: true, checked: 3, problems: 0, missing: [], altered: [], extra: [], unverifiable: [], warnings: [] });
    expect(json.targets).toEqual(['x86_64-manylinux_2_28-cp312', 'aarch64-apple-darwin-cp312']);
    expect(json.lock.format).toBe('uv.lock');
  });

  it('what lockhouse and the static index put beside the files is not extra', async () => {
    const p = copy();
    writeFileSync(join(p.out, `${PURE}.metadata`), 'Metadata-Version: 2.1\n');
    writeFileSync(join(p.out, '.DS_Store'), '');
    mkdirSync(join(p.out, 'simple', 'pure'), { recursive: true });
    writeFileSync(join(p.out, 'simple', 'pure', 'index.html'), '<html></html>');
    writeFileSync(join(p.out, 'pylock.toml'), 'lock-version = "1.0"\n');
    editManifest(p.out, (manifest) => void (manifest.emitted = ['pylock.toml']));
    const run = await p.verify();
    expect(run.stdout).toContain('3 files verified');
    expect(run.code).toBe(0);
  });

  it('the simple layout: the files are verified in DIR/files, where the manifest (or, with none, the folder) says', async () => {
    const p = copy('site');
    const ok = await p.verifyJson();
    expect(ok.json).toMatchObject({ ok: true, layout: 'simple', filesDir: join(p.out, 'files'), checked: 3 });
    writeFileSync(join(p.out, 'files', PURE), 'tampered');
    const bad = await p.verifyJson();
    expect(bad.run.code).toBe(1);
    expect(bad.json.altered.map((file) => file.filename)).toEqual([PURE]);
    // With no manifest, DIR/files says the layout; the lock still vouches for every file.
    writeFileSync(join(p.out, 'files', PURE), byName(PURE).bytes);
    unlinkSync(join(p.out, 'lockhouse.json'));
    const bare = await p.verifyJson();
    expect(bare.json).toMatchObject({ ok: true, layout: 'simple', manifest: false, checked: 3 });
    expect(bare.run.stderr).toContain('no manifest');
  });
});

describe('damage is named, exit 1', () => {
  it('a deleted file is missing', async () => {
    const p = copy();
    unlinkSync(join(p.out, NATIVE_MAC));
    const run = await p.verify();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        selectionLine(p, GIVEN_TWO),
        'Missing (1):',
        `  ${NATIVE_MAC} (native 2.0): not in ${p.out}`,
        `${p.out} is not complete and intact for ${p.lock}: 1 problem (2 files checked)`,
        '',
      ].join('\n'),
    );
    const { json } = await p.verifyJson();
    expect(json.missing).toEqual([{ package: 'native', version: '2.0', filename: NATIVE_MAC, target: null, code: 'ABSENT', reason: `not in ${p.out}` }]);
  });

  it('one flipped byte: altered, with the expected and the actual sha256, against the lock', async () => {
    const p = copy();
    const path = join(p.out, PURE);
    const bytes = readFileSync(path);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0x01;
    writeFileSync(path, bytes);
    const run = await p.verify();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Altered (1):');
    expect(run.stdout).toContain(`  ${PURE} (pure 1.0): sha256 ${sha256Of(bytes)}, the lock says ${byName(PURE).sha256}\n`);
    const { json } = await p.verifyJson();
    expect(json.altered).toEqual([
      {
        package: 'pure',
        version: '1.0',
        filename: PURE,
        from: 'lock',
        algorithm: 'sha256',
        expected: byName(PURE).sha256,
        actual: sha256Of(bytes),
        sha256: sha256Of(bytes),
        expectedSize: bytes.length,
        size: bytes.length,
      },
    ]);
  });

  it('an extra file is extra, named by package when its name says it', async () => {
    const p = copy();
    writeFileSync(join(p.out, 'stale-0.1-py3-none-any.whl'), 'old');
    writeFileSync(join(p.out, 'notes.txt'), 'hello');
    const run = await p.verify();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Extra (2):\n');
    expect(run.stdout).toContain('  stale-0.1-py3-none-any.whl (stale 0.1): the lock does not explain it for these targets and flags\n');
    expect(run.stdout).toContain('2 problems (3 files checked)');
    const { json } = await p.verifyJson();
    expect(json.extra.map((file) => [file.filename, file.package, file.code])).toEqual([
      ['notes.txt', null, 'UNEXPLAINED'],
      ['stale-0.1-py3-none-any.whl', 'stale', 'UNEXPLAINED'],
    ]);
  });

  it('symbolic links are reported and never followed: in place of a file (missing) and anywhere else (extra)', async () => {
    const p = copy();
    const elsewhere = join(p.dir, 'elsewhere.whl');
    renameSync(join(p.out, PURE), elsewhere);
    symlinkSync(elsewhere, join(p.out, PURE));
    symlinkSync(elsewhere, join(p.out, 'link-1.0-py3-none-any.whl'));
    const { run, json } = await p.verifyJson();
    expect(run.code).toBe(1);
    expect(json.missing.map((file) => [file.filename, file.code])).toEqual([[PURE, 'SYMLINK']]);
    expect(json.extra.map((file) => [file.filename, file.code])).toEqual([['link-1.0-py3-none-any.whl', 'SYMLINK']]);
  });

  it('files only another target needs are extra when verifying for fewer targets, and the selection line says the targets differ', async () => {
    const p = copy();
    const run = await p.verify(...LINUX, ...PY);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0]).toBe(
      `Selection: as recorded in ${p.out}/lockhouse.json, but ${[...LINUX, ...PY].join(' ')} given, which changes it: targets x86_64-manylinux_2_28-cp312 (recorded: aarch64-apple-darwin-cp312, x86_64-manylinux_2_28-cp312)`,
    );
    expect(run.stdout).toContain(`  ${NATIVE_MAC} (native 2.0): collected for the recorded selection (wheel for aarch64-apple-darwin-cp312); the one checked does not need it (it differs in targets)\n`);
    expect(run.stdout).toContain('1 problem (2 files checked)');
    expect(run.stdout).not.toContain(NATIVE_LINUX);
  });

  it('a target the directory was not collected for: what it needs is missing (a build with no built wheel, or a plan error)', async () => {
    const p = copy();
    const windows = ['--python-platform', 'x86_64-pc-windows-msvc', ...PY];
    const build = await p.verifyJson(...LINUX, ...windows);
    expect(build.run.code).toBe(1);
    expect(build.json.missing).toEqual([
      { package: 'native', version: '2.0', filename: null, target: null, code: 'NOT_BUILT', reason: 'the manifest records no wheel built from native-2.0.tar.gz' },
    ]);
    const noBuild = await p.verifyJson(...LINUX, ...windows, '--no-build');
    expect(noBuild.json.missing.map((file) => [file.package, file.target, file.code])).toEqual([['native', 'x86_64-pc-windows-msvc-cp312', 'PLAN_BUILD_FORBIDDEN']]);
  });
});

describe('hashes the lock does not give', () => {
  /** The same project with the pure wheel's hash removed from the lock, collected with --allow-unhashed. */
  async function unhashed(): Promise<Copy> {
    const p = copy();
    const text = readFileSync(p.lock, 'utf8');
    const stripped = text.replace(new RegExp(`(${PURE.replace(/[.]/g, '\\.')}", )hash = "sha256:[0-9a-f]+", `), '$1');
    expect(stripped).not.toBe(text);
    writeFileSync(p.lock, stripped);
    expect((await runCli(['collect', '--lock', p.lock, '-o', p.out, '--no-cache', '--allow-unhashed', ...TWO])).code).toBe(0);
    return p;
  }

  it('an unhashed file is present but unverifiable: a problem, unless --allow-unhashed', async () => {
    const p = await unhashed();
    const refused = await p.verifyJson();
    expect(refused.run.code).toBe(1);
    expect(refused.json.unverifiable).toEqual([
      expect.objectContaining({ filename: PURE, accepted: false, sha256: byName(PURE).sha256, reason: expect.stringContaining('--allow-unhashed') }),
    ]);
    const accepted = await p.verify('--allow-unhashed');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`  ${PURE} (pure 1.0): present, unverifiable: the lock gives no hash for it (accepted by --allow-unhashed)\n`);
    expect(accepted.stdout).toContain('2 files verified, 1 file present but unverifiable (accepted)');
  });
});

describe('weak hashes', () => {
  it('md5 only: checked against it with --allow-weak-hashes, unverifiable without', async () => {
    const p = copy();
    const text = readFileSync(p.lock, 'utf8');
    const md5 = createHash('md5').update(byName(PURE).bytes).digest('hex');
    const weak = text.replace(new RegExp(`(${PURE.replace(/[.]/g, '\\.')}", )hash = "sha256:[0-9a-f]+"`), `$1hash = "md5:${md5}"`);
    expect(weak).not.toBe(text);
    writeFileSync(p.lock, weak);
    // The lock is not the one DIR was collected from: accepted here, to look at the hash alone.
    expect((await p.verify('--allow-weak-hashes', '--allow-changed-lock')).code).toBe(0);
    const refused = await p.verifyJson('--allow-changed-lock');
    expect(refused.run.code).toBe(1);
    expect(refused.json.unverifiable.map((file) => [file.filename, file.accepted])).toEqual([[PURE, false]]);
    writeFileSync(join(p.out, PURE), 'tampered');
    const altered = await p.verifyJson('--allow-weak-hashes', '--allow-changed-lock');
    expect(altered.json.altered).toEqual([expect.objectContaining({ filename: PURE, algorithm: 'md5', expected: md5, sha256: sha256Of(Buffer.from('tampered')) })]);
  });
});

describe('exit 2: the check cannot run', () => {
  it('a lock that cannot be read', async () => {
    const p = copy();
    writeFileSync(p.lock, 'version = 1\n[[package]\n');
    const run = await p.verify();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error[LOCK_NOT_TOML]');
    expect(run.stdout).toBe('');
  });

  it('a directory that does not exist', async () => {
    const p = copy();
    const run = await runCli(['verify', '--lock', p.lock, '-o', join(p.dir, 'nowhere'), ...TWO]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error[OUTPUT_NOT_FOUND]: ${join(p.dir, 'nowhere')} does not exist`);
  });
});

describe.skipIf(pipMissing() !== null)(`built wheels, checked against the manifest (${pipMissing() ?? 'pip in python3'})`, () => {
  const BUILT = 'puresrc-1.0-py3-none-any.whl';
  const built: Artifact[] = [makeSdist({ name: 'puresrc', version: '1.0' }), makeWheel({ name: 'other', version: '2.0' })];
  let project: string;
  beforeAll(async () => {
    for (const artifact of built) server.add(artifact);
    project = tempFolder();
    writeFileSync(join(project, 'uv.lock'), fixtureUvLock(built, { base: server.url }));
    const run = await runCli(['collect', '--lock', join(project, 'uv.lock'), '-o', join(project, 'wheelhouse'), '--no-cache', ...TWO]);
    if (run.code !== 0) throw new Error(`collect with a build failed: ${run.stderr}`);
  }, 120_000);
  afterAll(() => {
    removeFolder(project);
  });

  function builtCopy() {
    const dir = testdir();
    cpSync(project, dir, { recursive: true });
    const out = join(dir, 'wheelhouse');
    const verify = async (): Promise<{ run: CliRun; json: VerifyJson }> => {
      const run = await runCli(['verify', '--lock', join(dir, 'uv.lock'), '-o', out, ...TWO, '--json']);
      return { run, json: VerifyJsonSchema.parse(JSON.parse(run.stdout)) };
    };
    return { out, verify };
  }

  it('a built wheel the manifest records verifies', async () => {
    const { verify } = builtCopy();
    const { run, json } = await verify();
    expect(run.code).toBe(0);
    expect(json.checked).toBe(2);
  });

  it('replaced by another wheel under the same name: altered, against the manifest', async () => {
    const { out, verify } = builtCopy();
    const recorded = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8'))).artifacts.find((a) => a.kind === 'built-wheel')!;
    expect(recorded.filename).toBe(BUILT);
    const impostor = makeWheel({ name: 'puresrc', version: '1.0', files: { 'puresrc/evil.py': 'print("hi")\n' } });
    expect(impostor.filename).toBe(BUILT);
    writeFileSync(join(out, BUILT), impostor.bytes);
    const { run, json } = await verify();
    expect(run.code).toBe(1);
    expect(json.altered).toEqual([
      expect.objectContaining({ filename: BUILT, package: 'puresrc', from: 'manifest', expected: recorded.sha256, actual: impostor.sha256 }),
    ]);
  });

  it('replaced by a differently named wheel: the built one is missing, the other extra', async () => {
    const { out, verify } = builtCopy();
    const other = makeWheel({ name: 'puresrc', version: '1.0', tags: 'py2.py3-none-any' });
    unlinkSync(join(out, BUILT));
    writeFileSync(join(out, other.filename), other.bytes);
    const { run, json } = await verify();
    expect(run.code).toBe(1);
    expect(json.missing.map((file) => [file.filename, file.code])).toEqual([[BUILT, 'ABSENT']]);
    expect(json.extra.map((file) => [file.filename, file.package, file.code])).toEqual([[other.filename, 'puresrc', 'UNEXPLAINED']]);
  });

  it('without a manifest, a built wheel cannot be vouched for: missing (and extra), with a warning', async () => {
    const { out, verify } = builtCopy();
    unlinkSync(join(out, 'lockhouse.json'));
    const { run, json } = await verify();
    expect(run.code).toBe(1);
    expect(json.manifest).toBe(false);
    expect(json.missing.map((file) => [file.package, file.code])).toEqual([['puresrc', 'NOT_BUILT']]);
    expect(json.extra.map((file) => file.filename)).toEqual([BUILT]);
    expect(run.stderr).toContain('no manifest');
  });
});
