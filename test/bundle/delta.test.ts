/**
 * A delta bundle's installer (bundle/__main__.py), run by real Python as the
 * zipapp `lockhouse bundle --since` writes: `install --wheelhouse DIR` and
 * `extract DIR` update the far side's wheelhouse (a folder an earlier bundle
 * was extracted into) and install from it offline with real pip;
 * `lockhouse verify` then passes the updated folder. A delta applied to the
 * wrong base — DIR lacks a file it expects, or holds other bytes, or a link
 * in its place — is refused before anything changes: the folder's files,
 * their bytes and times, and the venv are compared before and after.
 *
 *   v1: keep 1.0, big 1.0, gone 1.0, moves 1.0, rebuilt 1.0
 *   v2: keep 1.0, big 1.0, moves 2.0, rebuilt 1.0 (other bytes), fresh 1.0
 *
 * pip runs for real, offline, with the machine's pip configuration cleared
 * (pipEnv) and an index URL that fails if used. Skipped, saying why,
 * without python3 and pip.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { makeVenv, pipEnv, pipMissing, PYTHON, run } from '../helpers/pip.js';
import { removeFolder, tempFolder } from '../helpers/testdir.js';

const why = pipMissing();
const hostVersion = why ? '3.12' : spawnSync(PYTHON, ['-c', 'import sys; print("%d%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();

const keep = makeWheel({ name: 'keep', version: '1.0' });
const big = makeWheel({ name: 'big', version: '1.0', sizeBytes: 300_000 });
const gone = makeWheel({ name: 'gone', version: '1.0' });
const moves1 = makeWheel({ name: 'moves', version: '1.0' });
const moves2 = makeWheel({ name: 'moves', version: '2.0' });
const rebuilt1 = makeWheel({ name: 'rebuilt', version: '1.0' });
const rebuilt2 = makeWheel({ name: 'rebuilt', version: '1.0', files: { 'rebuilt/built_again.py': 'AGAIN = True\n' } });
const fresh = makeWheel({ name: 'fresh', version: '1.0' });
const V1: Artifact[] = [keep, big, gone, moves1, rebuilt1];
const V2: Artifact[] = [keep, big, moves2, rebuilt2, fresh];
const CARRIED = [fresh, moves2, rebuilt2];
const EXPECTED = [big, keep].map((a) => a.filename);
// A file left from v1 of the same package and version as one v2 locks, which pip would prefer (a tag this Python ranks higher).
const twinOld = makeWheel({ name: 'twin', version: '1.0', tags: `cp${hostVersion}-none-any`, files: { 'twin/which.py': 'WHICH = "old"\n' } });
const twinNew = makeWheel({ name: 'twin', version: '1.0', files: { 'twin/which.py': 'WHICH = "new"\n' } });

let server1: IndexServer;
let server2: IndexServer;
let root = '';
const pyz = { v1: '', delta: '', v2: '', twin1: '', twinDelta: '' };
const lock = { v2: '', twin2: '' };

beforeAll(async () => {
  if (why) return;
  server1 = await startIndexServer({ artifacts: [...V1, twinOld] });
  server2 = await startIndexServer({ artifacts: [...V2, twinNew] });
  root = tempFolder({
    'v1/uv.lock': fixtureUvLock(V1, { base: server1.url, requiresPython: '>=3.8' }),
    'v2/uv.lock': fixtureUvLock(V2, { base: server2.url, requiresPython: '>=3.8' }),
    'twin1/uv.lock': fixtureUvLock([keep, twinOld], { base: server1.url, requiresPython: '>=3.8' }),
    'twin2/uv.lock': fixtureUvLock([keep, twinNew], { base: server2.url, requiresPython: '>=3.8' }),
  });
  lock.v2 = join(root, 'v2', 'uv.lock');
  lock.twin2 = join(root, 'twin2', 'uv.lock');
  const bundle = async (name: string, out: string, ...flags: string[]): Promise<string> => {
    const path = join(root, out);
    const made = await runCli(['bundle', '--lock', join(root, name, 'uv.lock'), '-o', path, '--cache-dir', join(root, 'cache'), ...flags]);
    expect(made.code, made.stderr).toBe(0);
    return path;
  };
  pyz.v1 = await bundle('v1', 'v1.pyz');
  pyz.delta = await bundle('v2', 'delta.pyz', '--since', pyz.v1);
  pyz.v2 = await bundle('v2', 'v2-full.pyz');
  pyz.twin1 = await bundle('twin1', 'twin1.pyz');
  pyz.twinDelta = await bundle('twin2', 'twin-delta.pyz', '--since', pyz.twin1);
  // No server is needed from here on: a request would mean something reached for the network.
  server1.resetLog();
  server2.resetLog();
}, 120_000);

afterAll(async () => {
  await server1?.close();
  await server2?.close();
  removeFolder(root);
});

/** A fresh folder under the suite's root, with an empty tmp/ for the installer's TMPDIR. */
function caseDir(name: string): { dir: string; tmp: string; env: NodeJS.ProcessEnv } {
  const dir = join(root, name);
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  // PYTHONDONTWRITEBYTECODE: asking a venv's python for its markers would otherwise refresh its own __pycache__, which "nothing changed" compares.
  return { dir, tmp, env: { ...pipEnv(), TMPDIR: tmp, PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PYTHONDONTWRITEBYTECODE: '1' } };
}

const installer = (bundle: string, args: readonly string[], env: NodeJS.ProcessEnv, python = PYTHON) => run(python, [bundle, ...args], { env });

/** What a folder holds: every path (links as links), with its sha256, size, mtime and inode — what "nothing changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const stats = lstatSync(path);
      const key = relative(dir, path);
      if (entry.isDirectory()) {
        out[`${key}/`] = `dir ${stats.mtimeMs}`;
        walk(path);
      } else if (entry.isSymbolicLink()) out[key] = `link ${stats.mtimeMs}`;
      else out[key] = `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${stats.size} ${stats.mtimeMs} ${stats.ino}`;
    }
  };
  walk(dir);
  return out;
}

/** The far side: v1 extracted into `far` by its own installer. */
async function farSide(far: string, env: NodeJS.ProcessEnv, bundle = pyz.v1): Promise<void> {
  const extracted = await installer(bundle, ['extract', far], env);
  expect(extracted.code, extracted.stderr).toBe(0);
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(why !== null)(`a delta bundle's installer (${why ?? `${PYTHON} and pip`})`, () => {
  it('install --wheelhouse: updates the wheelhouse, writing only what it carries, installs offline with real pip, and lockhouse verify passes it', async () => {
    const { dir, tmp, env } = caseDir('install');
    const far = join(dir, 'far');
    await farSide(far, env);
    const before = snapshot(far);
    const python = await makeVenv(join(dir, 'venv'));

    const installed = await installer(pyz.delta, ['install', '--wheelhouse', far, '--venv', join(dir, 'venv')], env);
    expect(installed.stderr).not.toContain('Traceback');
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    expect(installed.stdout).toContain(`${join(far, 'wheels')} holds the 2 files this delta expects, each with the right sha256.`);
    expect(installed.stdout).toMatch(/Updated .*far: 3 files written under wheels\/ \(.+\), 1 of them replacing a file of the same name with other bytes; 0 already there\./);
    expect(installed.stdout).toContain('2 files in');
    expect(installed.stdout).toMatch(/Successfully installed/);
    expect(server1.requests.length + server2.requests.length).toBe(0);
    const imported = await run(python, ['-c', 'import keep, big, fresh, moves, rebuilt.built_again; print(moves.__version__)'], { env });
    expect(imported.stdout.trim(), imported.stderr).toBe('2.0');

    // Files it did not bring are as they were: same bytes, same times, same inodes. Those it carried are the new ones.
    const after = snapshot(far);
    for (const name of [...EXPECTED, gone.filename, moves1.filename]) expect(after[`wheels/${name}`], name).toBe(before[`wheels/${name}`]);
    for (const artifact of CARRIED) expect(sha256(join(far, 'wheels', artifact.filename)), artifact.filename).toBe(artifact.sha256);
    // Its SHA256SUMS now lists the whole updated tree, and every line holds.
    const sums = readFileSync(join(far, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.map((line) => line.slice(66)).filter((name) => name.startsWith('wheels/')).sort()).toEqual(V2.map((a) => `wheels/${a.filename}`).sort());
    for (const line of sums) expect(sha256(join(far, line.slice(66))), line).toBe(line.slice(0, 64));
    expect(readdirSync(tmp)).toEqual([]);
    expect(Object.keys(after).filter((name) => name.includes('.lockhouse-update-'))).toEqual([]);

    const verified = await runCli(['verify', '-o', far, '--lock', lock.v2]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('is complete and intact');

    // Again: nothing to write, every carried file is already there.
    const again = await installer(pyz.delta, ['install', '--wheelhouse', far, '--venv', join(dir, 'venv')], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 files written under wheels\/ \(0 B\), 0 of them replacing .*; 3 already there\./);
    const third = snapshot(far);
    for (const name of V2.map((a) => `wheels/${a.filename}`)) expect(third[name], name).toBe(after[name]);
  }, 180_000);

  it('a full bundle over an earlier wheelhouse: installs, keeps the older files, and says verify counts them as extra; extracted into a new folder, verify passes', async () => {
    const { dir, env } = caseDir('full-over');
    const far = join(dir, 'far');
    await farSide(far, env);
    const installed = await installer(pyz.v2, ['install', '--wheelhouse', far, '--venv', join(dir, 'venv')], env);
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    expect(installed.stdout).toContain('2 files in');
    expect(installed.stdout).toContain(`so \`lockhouse verify -o ${far}\` counts them as extra`);
    const verified = await runCli(['verify', '-o', far, '--lock', lock.v2]);
    expect(verified.code).toBe(1);
    for (const name of [gone.filename, moves1.filename]) expect(verified.stdout, name).toContain(name);

    const fresh3 = join(dir, 'far-new');
    await farSide(fresh3, env, pyz.v2);
    const verifiedNew = await runCli(['verify', '-o', fresh3, '--lock', lock.v2]);
    expect(verifiedNew.code, verifiedNew.stdout).toBe(0);
  }, 180_000);

  it('extract DIR updates the wheelhouse in place to the same tree as install --wheelhouse (whose first, full bundle makes DIR), and --dry-run changes nothing', async () => {
    const { dir, env } = caseDir('extract');
    const viaInstall = join(dir, 'a');
    const viaExtract = join(dir, 'b');
    // The first shipment, installed with --wheelhouse: the full bundle makes the wheelhouse a delta then updates.
    await makeVenv(join(dir, 'venv'));
    const first = await installer(pyz.v1, ['install', '--wheelhouse', viaInstall, '--venv', join(dir, 'venv')], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Updated .*a: 5 files written under wheels\//);
    await farSide(viaExtract, env);
    const hashes = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).map(([name, facts]) => [name, facts.split(' ')[0]]));
    expect(hashes(snapshot(viaInstall))).toEqual(hashes(snapshot(viaExtract)));
    const dry = join(dir, 'dry');
    await farSide(dry, env);
    const beforeDry = snapshot(dry);
    const dryRun = await installer(pyz.delta, ['install', '--wheelhouse', dry, '--dry-run'], env);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(/Would install .*fresh-1\.0/);
    expect(snapshot(dry)).toEqual(beforeDry);

    const extracted = await installer(pyz.delta, ['extract', viaExtract], env);
    expect(extracted.code, extracted.stderr).toBe(0);
    expect(extracted.stdout).toContain(`install --wheelhouse ${viaExtract}`);
    expect((await installer(pyz.delta, ['install', '--wheelhouse', viaInstall, '--venv', join(dir, 'venv')], env)).code).toBe(0);
    expect(hashes(snapshot(viaExtract))).toEqual(hashes(snapshot(viaInstall)));
  }, 180_000);

  describe('a delta applied to the wrong base is refused before anything changes (exit 1), naming each file', () => {
    const cases: Array<{ name: string; expected: RegExp[]; prepare: (far: string, env: NodeJS.ProcessEnv) => Promise<void> }> = [
      {
        name: 'an empty folder',
        expected: [new RegExp(`wheels/${big.filename}: missing`), new RegExp(`wheels/${keep.filename}: missing`), /2 of the 2 files it expects there are missing/],
        prepare: async (far) => void mkdirSync(far),
      },
      {
        name: 'a folder that does not exist',
        expected: [/2 of the 2 files it expects there are missing/],
        prepare: async () => undefined,
      },
      {
        name: 'the base without one of its files',
        expected: [new RegExp(`wheels/${keep.filename}: missing`), /1 of the 2 files it expects there is missing or differs/],
        prepare: async (far, env) => {
          await farSide(far, env);
          rmSync(join(far, 'wheels', keep.filename));
        },
      },
      {
        name: 'the base with other bytes in one of its files',
        expected: [new RegExp(`wheels/${big.filename}: other bytes: sha256 [0-9a-f]{64}, not ${big.sha256}`)],
        prepare: async (far, env) => {
          await farSide(far, env);
          const path = join(far, 'wheels', big.filename);
          const bytes = readFileSync(path);
          bytes[1000] = bytes[1000]! ^ 0xff;
          writeFileSync(path, bytes);
        },
      },
      {
        name: 'a wheelhouse laid out flat, as lockhouse collect writes one',
        expected: [/2 of the 2 files it expects there are missing/, /holds files at its root, as lockhouse collect lays a wheelhouse out/],
        prepare: async (far, env) => {
          await farSide(far, env);
          for (const name of readdirSync(join(far, 'wheels'))) cpSync(join(far, 'wheels', name), join(far, name));
          rmSync(join(far, 'wheels'), { recursive: true });
        },
      },
      {
        name: 'a symbolic link in place of one of its files',
        expected: [new RegExp(`wheels/${keep.filename}: a symbolic link is in its place`)],
        prepare: async (far, env) => {
          await farSide(far, env);
          const path = join(far, 'wheels', keep.filename);
          cpSync(path, join(far, 'real-keep.whl'));
          rmSync(path);
          symlinkSync(join(far, 'real-keep.whl'), path);
        },
      },
    ];

    it.each(cases)('$name', async ({ name, expected, prepare }) => {
      const { dir, tmp, env } = caseDir(`wrong-${name.replace(/[^a-z0-9]+/gi, '-')}`);
      const far = join(dir, 'far');
      await prepare(far, env);
      const venv = join(dir, 'venv');
      await makeVenv(venv);
      const before = { far: snapshot(far), venv: snapshot(venv) };
      const fresh = join(dir, 'new-venv');
      const results = {
        install: await installer(pyz.delta, ['install', '--wheelhouse', far, '--venv', venv], env),
        'install into a new venv': await installer(pyz.delta, ['install', '--wheelhouse', far, '--venv', fresh], env),
        extract: await installer(pyz.delta, ['extract', far], env),
      };
      for (const [command, result] of Object.entries(results)) {
        expect(result.code, `${command}: ${result.stderr}`).toBe(1);
        expect(result.stderr, command).toMatch(/^error: .*far is not a wheelhouse this delta applies to: .*; nothing was changed$/m);
        for (const pattern of expected) expect(result.stderr, command).toMatch(pattern);
        expect(result.stderr, command).toContain('hint: ship a full bundle');
        expect(result.stderr, command).not.toContain('Traceback');
        expect(result.stdout, command).not.toContain('Running:');
      }
      expect(snapshot(far)).toEqual(before.far);
      expect(snapshot(venv)).toEqual(before.venv);
      expect(existsSync(fresh)).toBe(false);
      expect(readdirSync(tmp)).toEqual([]);
    }, 120_000);
  });

  it('install without --wheelhouse is refused (exit 2): the delta alone is not the environment', async () => {
    const { dir, env } = caseDir('no-wheelhouse');
    const refused = await installer(pyz.delta, ['install', '--venv', join(dir, 'venv')], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: delta\.pyz is a delta: it carries 3 of the 5 files its manifest lists/m);
    expect(refused.stderr).toContain('install it with: python3 delta.pyz install --wheelhouse DIR');
    expect(existsSync(join(dir, 'venv'))).toBe(false);
    const listed = await installer(pyz.delta, ['list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('A delta since a base of 5 files');
    expect(listed.stdout).toMatch(new RegExp(`${keep.filename.replace(/\./g, '\\.')}\\s+[\\d.]+ \\w+\\s+base`));
    expect(listed.stdout).toMatch(new RegExp(`${fresh.filename.replace(/\./g, '\\.')}\\s+[\\d.]+ \\w+\\s+yes`));
    expect(listed.stdout).toMatch(/this delta carries 3 of them/);
    const verified = await installer(pyz.delta, ['verify'], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('It is a delta: it carries 3 of the 5 files');
  });

  it('a file left from before, of a package and version the new lock has under another name: extract warns, verify flags it, install --wheelhouse installs the locked file', async () => {
    const { dir, env } = caseDir('twin');
    const far = join(dir, 'far');
    await farSide(far, env, pyz.twin1);
    const extracted = await installer(pyz.twinDelta, ['extract', far], env);
    expect(extracted.code, extracted.stderr).toBe(0);
    expect(extracted.stderr).toContain(`warning: pip --find-links ${join(far, 'wheels')} could take this file for the locked file of the same package and version`);
    expect(extracted.stderr).toContain(twinOld.filename);
    expect(existsSync(join(far, 'wheels', twinOld.filename))).toBe(true);

    const verified = await runCli(['verify', '-o', far, '--lock', lock.twin2, '--json']);
    expect(verified.code).toBe(1);
    expect(JSON.parse(verified.stdout).extra).toEqual([expect.objectContaining({ filename: twinOld.filename, reason: expect.stringMatching(/pip --find-links could take it for .*twin-1\.0-py3-none-any\.whl/) })]);

    const python = await makeVenv(join(dir, 'venv'));
    const installed = await installer(pyz.twinDelta, ['install', '--wheelhouse', far, '--venv', join(dir, 'venv')], env);
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    const which = await run(python, ['-c', 'import twin.which; print(twin.which.WHICH)'], { env });
    expect(which.stdout.trim()).toBe('new');
  }, 180_000);

  const OLD = (process.env['LOCKHOUSE_TEST_OLD_PYTHONS'] ?? ['python3.8', 'python3.9', 'python3.10'].join(delimiter))
    .split(delimiter)
    .filter((python) => python && spawnSync(python, ['-c', 'import sys'], { encoding: 'utf8' }).status === 0);
  it.skipIf(OLD.length === 0)(`with older Pythons: extract updates the wheelhouse, and a wrong base is refused (${OLD.join(', ') || 'none of python3.8 … python3.10 here'})`, async () => {
    for (const [index, python] of OLD.entries()) {
      const { dir, env } = caseDir(`old-${index}`);
      const far = join(dir, 'far');
      await farSide(far, env);
      const updated = await installer(pyz.delta, ['extract', far], env, python);
      expect(updated.code, `${python}: ${updated.stderr}`).toBe(0);
      for (const artifact of V2) expect(sha256(join(far, 'wheels', artifact.filename)), `${python} ${artifact.filename}`).toBe(artifact.sha256);
      const empty = join(dir, 'empty');
      mkdirSync(empty);
      const refused = await installer(pyz.delta, ['extract', empty], env, python);
      expect(refused.code, python).toBe(1);
      expect(refused.stderr).not.toContain('Traceback');
      expect(readdirSync(empty)).toEqual([]);
    }
  }, 120_000);
});
