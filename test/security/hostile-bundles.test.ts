/**
 * Bundles changed by someone who also rewrites SHA256SUMS (issue 17,
 * findings 11 and 4): `lockhouse verify --bundle` must be at least as strict
 * as the installer inside the bundle, check every entry — the installer
 * itself and the emitted files included — against what lockhouse writes,
 * read a bundle the installer would run (a `#!` line before it, a re-zip),
 * and never unpack without bound.
 *
 * One genuine bundle is made in beforeAll; each case rewrites a copy of it
 * entry by entry (names written as given: zip-records.js's storedZip),
 * SHA256SUMS recomputed, as an attacker would. Where the installer's own
 * verdict matters, the real python3 runs it (`python3 X.pyz verify`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { BIN } from '../helpers/process.js';
import { PYTHON, pythonEnv } from '../helpers/python.js';
import { readZip } from '../helpers/read-zip.js';
import { removeFolder, tempFolder, testdir } from '../helpers/testdir.js';
import { deflatedZeros, zipOf } from '../helpers/zip-builder.js';
import { storedZip } from '../helpers/zip-records.js';
import { hostileCounter } from './helpers.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const counter = hostileCounter('hostile-bundles');
const artifacts: Artifact[] = [makeWheel({ name: 'pure', version: '1.0' }), makeWheel({ name: 'other', version: '2.0' })];
const noPython = spawnSync(PYTHON, ['--version']).error ? `${PYTHON} is not available` : null;
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

type Entry = readonly [name: string, data: Buffer];

let server: IndexServer;
let project: string;
let lock: string;
let genuine: Entry[];
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
  project = tempFolder({});
  lock = join(project, 'uv.lock');
  writeFileSync(lock, fixtureUvLock(artifacts, { base: server.url }));
  const made = await runCli(['bundle', '--lock', lock, '-o', join(project, 'app.pyz'), '--no-cache', ...TARGET]);
  if (made.code !== 0) throw new Error(`bundle failed: ${made.stderr}`);
  genuine = (await readZip(join(project, 'app.pyz'))).map((entry) => [entry.name, entry.data] as const);
});
afterAll(async () => {
  await server?.close();
  removeFolder(project);
});

const text = (entries: readonly Entry[], name: string): string => entries.find(([entry]) => entry === name)![1].toString('utf8');

/** The entries with SHA256SUMS made again for them, as whoever changed them would. */
function resummed(entries: readonly Entry[]): Entry[] {
  const others = entries.filter(([name]) => name !== 'SHA256SUMS');
  const sums = others.map(([name, data]) => `${sha256(data)}  ${name}\n`).join('');
  return [...others, ['SHA256SUMS', Buffer.from(sums)]];
}

/** Write `entries` as a bundle (names as given, stored), with SHA256SUMS made again unless told; its path. */
function writeBundle(entries: readonly Entry[], options: { resum?: boolean; prefix?: string } = {}): string {
  counter.add();
  const path = join(testdir(), 'changed.pyz');
  const zip = storedZip(options.resum === false ? entries : resummed(entries));
  writeFileSync(path, options.prefix ? Buffer.concat([Buffer.from(options.prefix), zip]) : zip);
  return path;
}

const replace = (entries: readonly Entry[], name: string, data: string | Buffer): Entry[] =>
  entries.map(([entry, bytes]) => (entry === name ? [entry, Buffer.from(data)] : [entry, bytes]));

interface Problem {
  readonly entry: string;
  readonly reason: string;
}
interface BundleJson {
  readonly ok: boolean;
  readonly missing: Problem[];
  readonly altered: Problem[];
  readonly extra: Problem[];
  readonly unverifiable: Problem[];
  readonly lock: unknown;
}

async function verifyJson(path: string, ...flags: string[]): Promise<{ code: number; stderr: string; json: BundleJson }> {
  const run = await runCli(['verify', '--bundle', path, '--json', ...flags]);
  return { code: run.code, stderr: run.stderr, json: JSON.parse(run.stdout || '{}') as BundleJson };
}

/** lockhouse as a process that may write no file larger than `blocks` KiB (bash's ulimit -f): a larger write fails (EFBIG; Node ignores SIGXFSZ). */
function runWithFileSizeLimit(blocks: number, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', `ulimit -f ${blocks}; exec "$0" "$@"`, process.execPath, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
}

/** The bundle's own installer, run by python3: `X.pyz verify`. */
function installerVerify(path: string): { code: number | null; output: string } {
  const ran = spawnSync(PYTHON, [path, 'verify'], { encoding: 'utf8', env: pythonEnv() });
  return { code: ran.status, output: `${ran.stdout}${ran.stderr}` };
}

describe('the genuine bundle', () => {
  it('is intact, with the lock too; its installer agrees', async () => {
    const path = writeBundle(genuine, { resum: false });
    const plain = await verifyJson(path);
    expect(plain.code, JSON.stringify(plain.json)).toBe(0);
    const locked = await verifyJson(path, '--lock', lock);
    expect(locked.code, JSON.stringify(locked.json)).toBe(0);
    if (!noPython) expect(installerVerify(path).code).toBe(0);
  });
});

describe('entry names the installer refuses are refused by verify too', () => {
  const wheel = `wheels/${artifacts[0]!.filename}`;
  const cases: ReadonlyArray<[string, string]> = [
    [`wheels//${artifacts[0]!.filename}`, "an empty or '.' path component"],
    [`wheels/./${artifacts[0]!.filename}`, "an empty or '.' path component"],
    [`./${wheel}`, "an empty or '.' path component"],
    ['wheels\\evil.whl', 'a backslash in its name'],
    ['wheels/\u001b[2Jevil.whl', 'a control character in its name'],
  ];
  it.each(cases)('%j: extra, "%s"; the installer exits 3', async (name, why) => {
    const path = writeBundle([...genuine, [name, Buffer.from('x')]]);
    const { code, json } = await verifyJson(path);
    expect(code).toBe(1);
    expect(json.extra).toContainEqual({ entry: name, reason: `the installer refuses it: ${why}` });
    if (!noPython) expect(installerVerify(path).code).toBe(3);
  });

  it('a directory entry with data, a symlink entry and a device are refused; the installer exits 3', async () => {
    for (const [name, mode, why] of [
      ['wheels/', 0o040755, 'a directory entry with data'],
      ['link.whl', 0o120777, 'a symbolic link'],
      ['dev.whl', 0o020644, 'not a regular file (file type 20000)'],
    ] as const) {
      const entries = resummed([...genuine]);
      const path = join(testdir(), 'kinds.pyz');
      counter.add();
      writeFileSync(path, storedZip([...entries.map(([n, d]) => [n, d] as [string, Buffer]), [name, Buffer.from('data'), mode]]));
      const { code, json } = await verifyJson(path);
      expect(code).toBe(1);
      expect(json.extra).toContainEqual({ entry: name, reason: `the installer refuses it: ${why}` });
      if (!noPython) expect(installerVerify(path).code).toBe(3);
    }
  });

  it('two entries of one name are refused (which one would the installer read?)', async () => {
    const path = writeBundle([...genuine, [`wheels/${artifacts[1]!.filename}`, Buffer.from('a second one')]], { resum: false });
    const { code, json } = await verifyJson(path);
    expect(code).toBe(1);
    expect(json.extra.map((problem) => problem.entry)).toContain(`wheels/${artifacts[1]!.filename}`);
  });
});

describe('what the installer runs and reads is what this lockhouse writes', () => {
  it('a replaced __main__.py (code that runs at install), SHA256SUMS rewritten: altered', async () => {
    const path = writeBundle(replace(genuine, '__main__.py', 'import os\nos.system("echo owned")\n'));
    const { code, json } = await verifyJson(path);
    expect(code).toBe(1);
    expect(json.altered).toContainEqual(expect.objectContaining({ entry: '__main__.py', reason: expect.stringContaining("the installer is not this lockhouse's") }));
  });

  it.each([
    ['--find-links http://127.0.0.1:9/wheels'],
    ['--index-url http://127.0.0.1:9/simple'],
    ['--extra-index-url http://127.0.0.1:9/simple'],
    ['-r http://127.0.0.1:9/more.txt'],
  ])('requirements.txt with a network line added (%s), SHA256SUMS rewritten: altered', async (line) => {
    const path = writeBundle(replace(genuine, 'requirements.txt', `${text(genuine, 'requirements.txt')}${line}\n`));
    const { code, json } = await verifyJson(path);
    expect(code).toBe(1);
    expect(json.altered).toContainEqual(expect.objectContaining({ entry: 'requirements.txt', reason: expect.stringContaining("differs from the requirements.txt made from the bundle's manifest and targets") }));
  });

  it('requirements.txt without its hashes, pylock.toml pointing elsewhere, bundle.json for another machine: each altered', async () => {
    const unhashed = text(genuine, 'requirements.txt').replace(/ \\\n\s+--hash=sha256:[0-9a-f]+/g, '');
    const elsewhere = text(genuine, 'pylock.toml').replace(/path = "wheels\//g, 'path = "/tmp/');
    const json = JSON.parse(text(genuine, 'bundle.json'));
    json.targets[0].markers.platform_machine = 'aarch64';
    for (const [name, data] of [
      ['requirements.txt', unhashed],
      ['pylock.toml', elsewhere],
      ['bundle.json', `${JSON.stringify(json, null, 2)}\n`],
    ] as const) {
      const result = await verifyJson(writeBundle(replace(genuine, name, data)));
      expect(result.code).toBe(1);
      expect(result.json.altered.map((problem) => problem.entry)).toContain(name);
    }
  });

  it('a bundle that says another lockhouse wrote it, with another installer: unverifiable, exit 1', async () => {
    const manifest = JSON.parse(text(genuine, 'lockhouse.json'));
    manifest.generator = 'lockhouse 0.0.1';
    const info = JSON.parse(text(genuine, 'bundle.json'));
    info.generator = 'lockhouse 0.0.1';
    const entries = replace(replace(replace(genuine, 'lockhouse.json', `${JSON.stringify(manifest, null, 2)}\n`), 'bundle.json', `${JSON.stringify(info, null, 2)}\n`), '__main__.py', '# an older installer\n');
    const { code, json } = await verifyJson(writeBundle(entries));
    expect(code).toBe(1);
    expect(json.unverifiable).toContainEqual(expect.objectContaining({ entry: '__main__.py', reason: expect.stringContaining('written by lockhouse 0.0.1') }));
    expect(json.altered).toEqual([]);
  });
});

describe('a bundle the installer would run is read, not reported unreadable', () => {
  it('with a #! line before it (a zipapp made executable): intact; python3 runs it', async () => {
    const path = writeBundle(genuine, { resum: false, prefix: `#!/usr/bin/env python3\n` });
    const { code, json } = await verifyJson(path, '--lock', lock);
    expect(code, JSON.stringify(json)).toBe(0);
    if (!noPython) expect(installerVerify(path)).toMatchObject({ code: 0 });
  });

  it('unzipped and zipped again with Info-ZIP (deflated, folder entries): intact; python3 runs it', async () => {
    const dir = testdir();
    const tree = join(dir, 'tree');
    spawnSync('unzip', ['-q', join(project, 'app.pyz'), '-d', tree]);
    const rezipped = join(dir, 'rezipped.pyz');
    const zipped = spawnSync('zip', ['-q', '-r', '-9', rezipped, '.'], { cwd: tree });
    expect(zipped.status, zipped.stderr?.toString()).toBe(0);
    counter.add();
    const { code, json } = await verifyJson(rezipped, '--lock', lock);
    expect(code, JSON.stringify(json)).toBe(0);
    if (!noPython) expect(installerVerify(rezipped)).toMatchObject({ code: 0 });
  });
});

describe('verify --bundle --lock unpacks within a bound', () => {
  it('a zip bomb that declares its true size (200 MiB of zeros in a 200 KiB bundle) is not unpacked: unverifiable, exit 1', async () => {
    const zeros = 200 * 1024 * 1024;
    const bomb = await deflatedZeros(zeros);
    const name = 'wheels/bomb-1.0-py3-none-any.whl';
    let zerosSha = createHash('sha256');
    const chunk = Buffer.alloc(1 << 20);
    for (let left = zeros; left > 0; left -= chunk.length) zerosSha = zerosSha.update(chunk);
    const zerosDigest = zerosSha.digest('hex');
    const manifest = JSON.parse(text(genuine, 'lockhouse.json'));
    manifest.artifacts.push({ ...manifest.artifacts[0], package: 'bomb', version: '1.0', filename: 'bomb-1.0-py3-none-any.whl', sha256: zerosDigest, size: zeros, url: null });
    const entries = replace(genuine, 'lockhouse.json', `${JSON.stringify(manifest, null, 2)}\n`).filter(([entry]) => entry !== 'SHA256SUMS');
    const sums = [...entries.map(([entry, data]) => `${sha256(data)}  ${entry}\n`), `${zerosDigest}  ${name}\n`].join('');
    const dir = testdir();
    const path = join(dir, 'bomb.pyz');
    writeFileSync(path, zipOf([...entries.map(([entry, data]) => ({ name: entry, data })), { name, data: bomb }, { name: 'SHA256SUMS', data: sums }]));
    counter.add();
    // A process that may write no file larger than 20 MB (RLIMIT_FSIZE): unpacking the bomb would fail (EFBIG).
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const limited = await runWithFileSizeLimit(20_000, ['verify', '--bundle', path, '--lock', lock, '--json'], { ...process.env, TMPDIR: tmp });
    // Node ignores SIGXFSZ: a write past the limit fails with EFBIG instead, and the run with it.
    expect({ status: limited.status, signal: limited.signal, stderr: limited.stderr }).toEqual({ status: 1, signal: null, stderr: '' });
    const json = JSON.parse(limited.stdout);
    expect(json.unverifiable).toContainEqual(expect.objectContaining({ entry: 'wheels/', reason: expect.stringContaining('not unpacked') }));
    expect(json.lock).toBeNull();
    expect(readdirSync(tmp)).toEqual([]);
  });
});

