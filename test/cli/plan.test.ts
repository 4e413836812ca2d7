/**
 * `lockhouse plan` as a user runs it: what it prints, where, and its exit
 * code; bad input is a clear message on stderr with exit 2, never a stack
 * trace.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PlanJsonSchema } from '../../src/report/plan-json.js';
import { schemaFiles } from '../../src/report/schemas.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/corpus.js';
import { findPackaging, PYTHON } from '../helpers/python.js';
import { runInTerminal } from '../helpers/terminal.js';
import { testdir } from '../helpers/testdir.js';
import { pkg, uvLock } from '../helpers/uv-lock.js';

const TARGETS = ['--python-platform', 'x86_64-manylinux_2_28', '--python-platform', 'x86_64-pc-windows-msvc', '--python-version', '3.12'];

const lockText = uvLock(
  {},
  pkg('app', { source: '{ editable = "." }', deps: ['requests', `{ name = "pywin32", marker = "sys_platform == 'win32'" }`] }),
  pkg('requests'),
  pkg('pywin32', { wheels: ['pywin32-1.0.0-cp312-cp312-win_amd64.whl'] }),
);

describe('lockhouse plan --json', () => {
  it('prints the plan as the documented JSON, with the lock sha256', async () => {
    const dir = testdir({ 'uv.lock': lockText });
    const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), ...TARGETS, '--json']);
    expect(run.code).toBe(0);
    const json = PlanJsonSchema.parse(JSON.parse(run.stdout));
    expect(json.lock).toEqual({ path: join(dir, 'uv.lock'), format: 'uv.lock', sha256: createHash('sha256').update(lockText).digest('hex') });
    expect(json.targets.map((target) => target.id)).toEqual(['x86_64-manylinux_2_28-cp312', 'x86_64-pc-windows-msvc-cp312']);
    expect(json.targets[1]!.markers['platform_machine']).toBe('AMD64');
    expect(json.artifacts.map((a) => [a.filename ?? a.path, a.kind, a.build, a.targets.length])).toEqual([
      ['.', 'directory', true, 2],
      ['pywin32-1.0.0-cp312-cp312-win_amd64.whl', 'wheel', false, 1],
      ['requests-1.0.0-py3-none-any.whl', 'wheel', false, 2],
    ]);
    expect(json.packages.find((p) => p.name === 'requests')!.source).toEqual({ kind: 'registry', index: 'https://pypi.org/simple' });
    expect(run.stderr).toBe('');
  });

  it('matches the committed JSON Schema (schemas/plan.schema.json is not stale)', () => {
    for (const [path, schema] of Object.entries(schemaFiles())) {
      expect(JSON.parse(readFileSync(join(repoRoot, path), 'utf8')), `${path} is stale: run npm run schemas`).toEqual(schema);
    }
  });

  it('exits 1 when a package has nothing to collect for a target, and lists it', async () => {
    const text = uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['pywin32'] }), pkg('pywin32', { wheels: ['pywin32-1.0.0-cp312-cp312-win_amd64.whl'] }));
    const dir = testdir({ 'uv.lock': text });
    const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), ...TARGETS, '--json']);
    expect(run.code).toBe(1);
    const json = PlanJsonSchema.parse(JSON.parse(run.stdout));
    expect(json.errors).toMatchObject([{ package: 'pywin32', target: 'x86_64-manylinux_2_28-cp312' }]);
  });
});

describe('lockhouse plan (table)', () => {
  it('prints the targets, one row per artifact and a summary line', async () => {
    const dir = testdir({ 'uv.lock': lockText });
    const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), ...TARGETS, '--only-deps']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatchInlineSnapshot(`
      "Targets:
        1  x86_64-manylinux_2_28-cp312
        2  x86_64-pc-windows-msvc-cp312

      Selection: roots app; groups none; --only-deps

      package   version  artifact                                 kind      size  targets
      --------  -------  ---------------------------------------  -----  -------  -------
      pywin32   1.0.0    pywin32-1.0.0-cp312-cp312-win_amd64.whl  wheel  3.8 KiB  2
      requests  1.0.0    requests-1.0.0-py3-none-any.whl          wheel  3.0 KiB  all

      Left out:
        app: local project (--only-deps)

      Plan: 2 packages, 2 artifacts (2 wheels, 0 sdists), 0 to build, 6.8 KiB, 2 targets, 1 left out
      "
    `);
  });

  it('finds ./uv.lock by default and reads pyproject.toml beside it', async () => {
    const dir = testdir({
      'uv.lock': uvLock({}, pkg('app', { source: '{ editable = "." }', groups: { docs: ['sphinx'] } }), pkg('sphinx')),
      'pyproject.toml': '[project]\nname = "app"\n[tool.uv]\ndefault-groups = ["docs"]\n',
    });
    const cwd = process.cwd();
    process.chdir(dir);
    onTestFinished(() => process.chdir(cwd));
    const run = await runCli(['plan', ...TARGETS]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('sphinx-1.0.0-py3-none-any.whl');
  });
});

describe('every selection, target and build flag parses, and reaches the selection', () => {
  const text = uvLock(
    {},
    pkg('app', { source: '{ editable = "." }', deps: ['requests'], optional: { cli: ['click'] }, groups: { dev: ['pytest'], docs: ['sphinx'] } }),
    pkg('requests', { sdist: true, wheels: ['requests-1.0.0-py3-none-any.whl'] }),
    pkg('click'),
    pkg('pytest'),
    pkg('sphinx'),
  );
  it.each<[string[], string[], string[]]>([
    [['--no-dev'], ['requests'], ['pytest']],
    [['--dev'], ['pytest'], []],
    [['--only-dev'], ['pytest'], ['requests']],
    [['--group', 'docs'], ['sphinx', 'pytest'], []],
    [['--no-group', 'dev'], ['requests'], ['pytest']],
    [['--only-group', 'docs'], ['sphinx'], ['requests', 'pytest']],
    [['--all-groups'], ['sphinx', 'pytest'], []],
    [['--no-default-groups'], ['requests'], ['pytest']],
    [['--extra', 'cli'], ['click'], []],
    [['--all-extras', '--no-extra', 'cli'], ['requests'], ['click']],
    [['--all-extras'], ['click'], []],
    [['--package', 'app', '--all-packages'], ['requests'], []],
    [['--only-deps'], ['requests'], ['app']],
    [['--exclude-package', 'requests'], ['pytest'], ['requests']],
    [['--prune', 'requests'], ['pytest'], ['requests']],
    [['--no-emit-package', 'requests'], ['pytest'], ['requests']],
    [['--index', 'pypi'], ['requests'], []],
    [['--exclude-index', 'pypi'], [], ['requests', 'pytest']],
    [['--sdist'], ['requests-1.0.0.tar.gz'], []],
    [['--no-binary', 'requests'], ['requests-1.0.0.tar.gz'], ['requests-1.0.0-py3-none-any.whl']],
    [['--no-build', '--only-deps'], ['requests'], []],
    [['--requires-build-only'], ['app'], ['requests']],
    [['--platform', 'manylinux2014_x86_64', '--implementation', 'cp', '--abi', 'cp312'], ['requests'], []],
  ])('%j', async (flags, present, absent) => {
    // The project's pyproject.toml beside its lock: without it, lockhouse warns that it assumes the default groups.
    const dir = testdir({ 'uv.lock': text, 'pyproject.toml': '[project]\nname = "app"\nversion = "1.0.0"\n' });
    const targetFlags = flags.includes('--platform') ? ['--python-version', '3.12'] : TARGETS;
    const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), ...targetFlags, ...flags, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = PlanJsonSchema.parse(JSON.parse(run.stdout));
    const seen = json.artifacts.flatMap((artifact) => [artifact.package, artifact.filename ?? '']);
    for (const name of present) expect(seen).toContain(name);
    for (const name of absent) expect(seen).not.toContain(name);
  });
});

describe('bad input: a message on stderr, exit 2, no stack trace', () => {
  const H = 'a'.repeat(64);
  it.each<[string, Record<string, string>, string, RegExp]>([
    ['not TOML', { 'uv.lock': 'version = 1\n[[package]\nname = "x"\n' }, 'uv.lock', /LOCK_NOT_TOML.*uv\.lock:2:\d+: not valid TOML/s],
    ['a requirements.txt saved as pylock.toml', { 'pylock.toml': '-e .\nrequests==2.31.0\n' }, 'pylock.toml', /LOCK_LOOKS_LIKE_REQUIREMENTS.*requirements/s],
    ['an unknown uv.lock version', { 'uv.lock': 'version = 2\nrevision = 1\n' }, 'uv.lock', /LOCK_UNSUPPORTED_VERSION.*version 2 is not supported/s],
    ['an unknown lock-version major', { 'pylock.toml': 'lock-version = "2.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\n' }, 'pylock.toml', /LOCK_UNSUPPORTED_VERSION/],
    [
      'a wrong-typed field, with its path',
      { 'pylock.toml': `lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nversion = "1"\nwheels = [{ url = "https://x/a-1-py3-none-any.whl", hashes = { sha256 = 12 } }]\n` },
      'pylock.toml',
      /LOCK_INVALID_FIELD.*packages\[0\]\.wheels\[0\]\.hashes\.sha256/s,
    ],
    [
      'an edge to a package that is not in the lock',
      { 'uv.lock': uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['ghost'] })) },
      'uv.lock',
      /LOCK_MISSING_PACKAGE.*ghost/s,
    ],
    [
      'an artifact name that is not a wheel name',
      { 'pylock.toml': `lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nversion = "1"\nwheels = [{ url = "https://x/a-1.zip.whl", hashes = { sha256 = "${H}" } }]\n` },
      'pylock.toml',
      /LOCK_INVALID_FILENAME.*a-1\.zip\.whl/s,
    ],
    ['a missing lock', {}, 'uv.lock', /LOCK_NOT_FOUND/],
  ])('%s', async (_label, files, lock, message) => {
    const dir = testdir(files);
    const run = await runCli(['plan', '--lock', join(dir, lock), ...TARGETS]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('an unknown flag', async () => {
    const run = await runCli(['plan', '--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--frobnicate');
  });

  it('an unknown platform lists the ones there are', async () => {
    const dir = testdir({ 'uv.lock': lockText });
    const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), '--python-platform', 'solaris', '--python-version', '3.12']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TARGET_UNKNOWN_PLATFORM.*solaris/s);
    expect(run.stderr).toContain('x86_64-manylinux_2_28');
  });
});

describe('--help', () => {
  it('explains the command, its flags and gives examples', async () => {
    const run = await runCli(['plan', '--help']);
    expect(run.code).toBe(0);
    for (const text of ['Show what a collect would fetch and build', '--python-platform', '--only-deps', '--json', 'Examples']) {
      expect(run.stdout).toContain(text);
    }
  });
});

const reference = findPackaging();
describe.skipIf('missing' in reference)(`the host target (${'missing' in reference ? reference.missing : 'python3'})`, () => {
  it('without target flags, plans for this machine as python3 describes it', async () => {
    const dir = testdir({ 'uv.lock': uvLock({ requiresPython: '>=3.8' }, pkg('app', { source: '{ editable = "." }', deps: ['requests'] }), pkg('requests')) });
    const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), '--json']);
    expect(run.code).toBe(0);
    const [host] = PlanJsonSchema.parse(JSON.parse(run.stdout)).targets;
    expect(host!.markers['sys_platform']).toBe(process.platform === 'win32' ? 'win32' : process.platform);
    expect(host!.tags).toBeGreaterThan(10);
  });

  it('a --python that does not exist, and no --python-version, is a clear error', async () => {
    const dir = testdir({ 'uv.lock': lockText });
    const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), '--python', join(dir, 'no-such-python')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TARGET_HOST_UNKNOWN.*no-such-python.*not found/s);
  });
});

describe("uv's spellings", () => {
  const workspace = uvLock(
    { members: ['app', 'lib'] },
    pkg('app', { source: '{ editable = "." }', deps: ['lib', 'pure'] }),
    pkg('lib', { source: '{ editable = "libs/lib" }', deps: ['dep'] }),
    pkg('pure'),
    pkg('dep'),
  );
  const names = (stdout: string): string[] => (JSON.parse(stdout) as { packages: Array<{ name: string }> }).packages.map((p) => p.name).sort();

  it('-p / --python 3.12 is a version request; --frozen is accepted (lockhouse never touches the lock)', async () => {
    const dir = testdir({ 'uv.lock': workspace });
    for (const args of [['-p', '3.12'], ['--python', '3.12'], ['--python', '3.12', '--frozen']]) {
      const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), ...args, '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as { targets: Array<{ id: string }> }).targets.map((t) => t.id)).toEqual([expect.stringMatching(/-cp312$/)]);
    }
  });

  it('--no-emit-project and --no-emit-workspace leave out the root project, or every member, as uv export does', async () => {
    const dir = testdir({ 'uv.lock': workspace });
    const plan = async (...flags: string[]) => runCli(['plan', '--lock', join(dir, 'uv.lock'), '--python-platform', 'linux', '--python-version', '3.12', ...flags, '--json']);
    expect(names((await plan()).stdout)).toEqual(['app', 'dep', 'lib', 'pure']);
    expect(names((await plan('--no-emit-project')).stdout)).toEqual(['dep', 'lib', 'pure']);
    expect(names((await plan('--no-emit-workspace')).stdout)).toEqual(['dep', 'pure']);
  });
});

describe('the plan table, as a person sees it', () => {
  const natives = Array.from({ length: 4 }, (_, i) =>
    pkg(`native-with-a-rather-long-name-${i}`, { wheels: [`native_with_a_rather_long_name_${i}-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`] }),
  );
  const lock = uvLock({ members: ['app'] }, pkg('app', { source: '{ editable = "." }', deps: natives.map((_, i) => `native-with-a-rather-long-name-${i}`) }), ...natives);

  it.skipIf(spawnSync(PYTHON, ['-c', 'import pty']).status !== 0)('on an 80-column terminal: a header with the selection, a table that fits; piped: the whole table', async () => {
    const dir = testdir({ 'uv.lock': lock });
    const args = ['plan', '--lock', join(dir, 'uv.lock'), '--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12', '--no-dev'];
    const terminal = await runInTerminal(args, { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' }, 80);
    expect(terminal.code).toBe(0);
    const lines = terminal.screen.replace(/\r/g, '').split('\n');
    expect(lines).toContain('Selection: roots app; groups none');
    const header = lines.findIndex((line) => line.startsWith('package'));
    const table = lines.slice(header, lines.indexOf('', header));
    expect(table.length).toBeGreaterThan(4);
    for (const line of table) expect(line.length, line).toBeLessThanOrEqual(80);

    const piped = await runCli(args);
    expect(piped.stdout).toContain('native_with_a_rather_long_name_0-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
  });
});
