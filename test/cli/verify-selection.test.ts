/**
 * `lockhouse verify` checks the selection the manifest records: a
 * wheelhouse collected with `--no-dev --extra cli` for two platforms
 * verifies with no flag typed again (it used to need every one: 184 false
 * problems on a real project), flags given replace their recorded
 * counterparts and the report says what they change, a changed lock is a
 * problem, and `verify --bundle app.pyz --lock uv.lock --no-dev` (the CI
 * example's line) passes for a bundle made with other flags. Against a real
 * index server on 127.0.0.1, through the real command line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { VerifyJsonSchema } from '../../src/report/verify-json.js';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { withGroupsAndExtras } from '../helpers/project-lock.js';
import { testdir } from '../helpers/testdir.js';

const LINUX = ['--python-platform', 'x86_64-manylinux_2_28'];
const WINDOWS = ['--python-platform', 'x86_64-pc-windows-msvc'];
const PY = ['--python-version', '3.12'];
const TWO = [...LINUX, ...WINDOWS, ...PY];
const TWO_IDS = 'x86_64-manylinux_2_28-cp312, x86_64-pc-windows-msvc-cp312';

const PURE = makeWheel({ name: 'pure', version: '1.0' });
const NATIVE_LINUX = makeWheel({ name: 'native', version: '2.0', tags: 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64' });
const NATIVE_ARM = makeWheel({ name: 'native', version: '2.0', tags: 'cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64' });
const NATIVE_WINDOWS = makeWheel({ name: 'native', version: '2.0', tags: 'cp312-cp312-win_amd64' });
const DEVTOOL = makeWheel({ name: 'devtool', version: '1.0' });
const CLITOOL = makeWheel({ name: 'clitool', version: '1.0' });
const artifacts: Artifact[] = [PURE, NATIVE_LINUX, NATIVE_ARM, NATIVE_WINDOWS, DEVTOOL, CLITOOL];

/** The fixture lock, with devtool in the project's dev group and clitool in its `cli` extra (not plain dependencies). */
const projectLock = (base: string): string =>
  withGroupsAndExtras(fixtureUvLock(artifacts, { base }), { groups: { dev: ['devtool'] }, extras: { cli: ['clitool'] } });

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server.close();
});

interface Project {
  readonly dir: string;
  readonly lock: string;
  readonly out: string;
  collect(...flags: string[]): Promise<CliRun>;
  verify(...flags: string[]): Promise<CliRun>;
}

function project(): Project {
  const dir = testdir({ 'uv.lock': projectLock(server.url), 'pyproject.toml': '[project]\nname = "app"\nversion = "0.1.0"\n' });
  const lock = join(dir, 'uv.lock');
  const out = join(dir, 'wheelhouse');
  return {
    dir,
    lock,
    out,
    collect: (...flags) => runCli(['collect', '--lock', lock, '-o', out, '--no-cache', ...flags]),
    verify: (...flags) => runCli(['verify', '--lock', lock, '-o', out, ...flags]),
  };
}

const firstLine = (run: CliRun): string => run.stdout.split('\n')[0]!;

describe('verify -o DIR checks the selection DIR was collected with', () => {
  it('needs no flag typed again; a manifest that records none falls back to the flags given, and says so', async () => {
    const p = project();
    expect((await p.collect('--no-dev', '--extra', 'cli', ...TWO)).code).toBe(0);
    const run = await p.verify();
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `Selection: as recorded in ${p.out}/lockhouse.json: targets ${TWO_IDS}; groups none; extras cli\n${p.out} is complete and intact for ${p.lock}: 4 files verified\n`,
    );
    expect(run.code).toBe(0);

    // As before the manifest recorded the selection: the flags retyped in part give false problems.
    const path = join(p.out, 'lockhouse.json');
    const manifest = Manifest.parse(JSON.parse(readFileSync(path, 'utf8')));
    delete manifest.selection;
    writeFileSync(path, JSON.stringify(manifest));
    const old = await p.verify(...TWO);
    expect(old.code).toBe(1);
    expect(firstLine(old)).toBe(`Selection: the flags given (${TWO.join(' ')}), since ${p.out}/lockhouse.json records none (an older lockhouse wrote it): targets ${TWO_IDS}; groups dev`);
    expect(old.stdout).toContain(`${DEVTOOL.filename} (devtool 1.0): not in ${p.out}`);
    expect(old.stdout).toContain(`${CLITOOL.filename} (clitool 1.0): the manifest lists it`);
  });

  it('flags that select what was recorded say so; flags that select something else say what, and the files it accounts for', async () => {
    const p = project();
    expect((await p.collect('--no-dev', '--extra', 'cli', ...TWO)).code).toBe(0);

    const agrees = await p.verify('--no-default-groups');
    expect(agrees.code).toBe(0);
    expect(firstLine(agrees)).toBe(`Selection: as recorded in ${p.out}/lockhouse.json (--no-default-groups given, which agrees): targets ${TWO_IDS}; groups none; extras cli`);

    const differs = await p.verify('--dev');
    expect(differs.code).toBe(1);
    expect(firstLine(differs)).toBe(`Selection: as recorded in ${p.out}/lockhouse.json, but --dev given, which changes it: groups dev (recorded: none)`);
    expect(differs.stdout).toContain(`  ${DEVTOOL.filename} (devtool 1.0): not in ${p.out}: the recorded selection did not collect it (it differs in groups)\n`);
    expect(differs.stdout).toContain('1 problem (4 files checked)');

    const fewer = await p.verify(...LINUX, ...PY, '--no-dev');
    expect(fewer.code).toBe(1);
    expect(fewer.stdout).toContain(
      `  ${NATIVE_WINDOWS.filename} (native 2.0): collected for the recorded selection (wheel for x86_64-pc-windows-msvc-cp312); the one checked does not need it (it differs in targets)\n`,
    );

    const json = VerifyJsonSchema.parse(JSON.parse((await p.verify('--dev', '--json')).stdout));
    expect(json.selection).toMatchObject({ source: 'recorded', unrecorded: null, given: ['--dev'], differences: [{ what: 'groups', recorded: 'none', checked: 'dev' }] });
    expect(json.selection.checked.extras.selected).toEqual(['cli']);
  });

  it('a lock whose sha256 is not the recorded one is a problem (LOCK_CHANGED), unless --allow-changed-lock', async () => {
    const p = project();
    expect((await p.collect('--no-dev', ...TWO)).code).toBe(0);
    const recorded = Manifest.parse(JSON.parse(readFileSync(join(p.out, 'lockhouse.json'), 'utf8'))).lock.sha256;
    writeFileSync(p.lock, `# edited\n${readFileSync(p.lock, 'utf8')}`);
    const run = await p.verify();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Changed lock: ${p.lock} has sha256 `);
    expect(run.stdout).toContain(`was collected from ${p.lock} with sha256 ${recorded} (a problem: --allow-changed-lock accepts it)`);
    expect(run.stdout).toContain('1 problem (3 files checked)');
    const json = VerifyJsonSchema.parse(JSON.parse((await p.verify('--json')).stdout));
    expect(json.lockChanged).toEqual({ recorded: { path: p.lock, sha256: recorded }, accepted: false });
    const accepted = await p.verify('--allow-changed-lock');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('(accepted by --allow-changed-lock)');
  });

  const host = process.platform === 'linux' && process.arch === 'x64' ? pipMissing() : 'the fixture has wheels for Linux x86_64 hosts only';
  it.skipIf(host !== null)(`a wheelhouse collected for this machine verifies without flags, its host target recorded as flags (${host ?? 'python3 here'})`, async () => {
    const p = project();
    // No target flag: python3 describes the target (whatever its Python, for which native has no wheel here).
    expect((await p.collect('--exclude-package', 'native')).code).toBe(0);
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(p.out, 'lockhouse.json'), 'utf8')));
    expect(manifest.selection!.targets.pythonPlatforms).toEqual([manifest.targets[0]!.pythonPlatform]);
    expect(manifest.selection!.targets.pythonVersions).toEqual([manifest.targets[0]!.pythonVersion]);
    const run = await p.verify();
    expect(run.code).toBe(0);
    expect(firstLine(run)).toBe(`Selection: as recorded in ${p.out}/lockhouse.json: targets ${manifest.targets[0]!.id}; groups dev; --exclude-package native`);
  });
});

describe('verify --bundle app.pyz --lock uv.lock --no-dev (the CI example)', () => {
  it('passes for a bundle made with other flags (its targets, its extras), and says what differs where --no-dev does', async () => {
    const p = project();
    const bundle = join(p.dir, 'app.pyz');
    const made = await runCli(['bundle', '--lock', p.lock, '-o', bundle, '--no-cache', '--no-dev', '--extra', 'cli', ...LINUX, '--python-platform', 'aarch64-manylinux_2_28', ...WINDOWS, ...PY]);
    expect(made.code).toBe(0);
    const run = await runCli(['verify', '--bundle', bundle, '--lock', p.lock, '--no-dev']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Selection: as recorded in the manifest in ${bundle} (--no-dev given, which agrees): targets aarch64-manylinux_2_28-cp312, ${TWO_IDS}; groups none; extras cli\n`,
    );

    // A bundle made with the dev group: --no-dev asks for something else, and the report says so first.
    const withDev = join(p.dir, 'dev.pyz');
    expect((await runCli(['bundle', '--lock', p.lock, '-o', withDev, '--no-cache', ...TWO])).code).toBe(0);
    const differs = await runCli(['verify', '--bundle', withDev, '--lock', p.lock, '--no-dev']);
    expect(differs.code).toBe(1);
    expect(differs.stdout).toContain(`Selection: as recorded in the manifest in ${withDev}, but --no-dev given, which changes it: groups none (recorded: dev)\n`);
    expect(differs.stdout).toContain(`  ${DEVTOOL.filename} (devtool 1.0): collected for the recorded selection (wheel for ${TWO_IDS}); the one checked does not need it (it differs in groups)\n`);
  });
});
