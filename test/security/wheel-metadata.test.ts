/**
 * Hostile wheels fed to the code that reads wheel METADATA (DESIGN.md
 * "Trust and safety": "a zip bomb is an error, not an outage"): a METADATA
 * that declares gigabytes, a gigabyte of zeros deflated and declared small,
 * 100 001 entries or a count the file cannot hold, two METADATA (or WHEEL)
 * entries, local headers that disagree with the central directory, central
 * records pointing at another entry's data, offsets past the end, encrypted
 * or unknown compression. Each is refused by readWheelIdentity (a built
 * wheel: BUILD_WRONG_WHEEL) and readWheelMetadata (a wheelhouse's wheel:
 * INDEX_NO_METADATA); `lockhouse index DIR` over all of them lists them
 * without metadata, with a warning each, and exits 0; a build whose backend
 * writes such a wheel is refused.
 *
 * Cost is measured where it cannot be blurred by the test runner: each read
 * runs in a fresh Node process (the built dist/), which reports how long it
 * took and its peak RSS (getrusage maxrss) before and after the read.
 * Bounds: 10 s, 300 MB of growth — generous; the figures are printed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSdist, makeWheel } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';
import { hostileCounter } from './helpers.js';
import { deflatedZeros, zipOf, type Deflated, type ZipEntry } from '../helpers/zip-builder.js';

const run = promisify(execFile);
const counter = hostileCounter('wheel-metadata');

const MAX_MS = 10_000;
const MAX_GROWTH_MB = 300;
const GiB = 1024 ** 3;
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

const METADATA = (name: string, extra = ''): string => `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\n${extra}\n`;
const WHEEL = 'Wheel-Version: 1.0\nGenerator: lockhouse-security-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n';

/** A sound wheel's entries for project `name` 1.0, METADATA and WHEEL replaceable. */
function entries(name: string, replace: { metadata?: Partial<ZipEntry>; wheel?: Partial<ZipEntry> } = {}): ZipEntry[] {
  const info = `${name}-1.0.dist-info`;
  return [
    { name: `${name}/__init__.py`, data: '' },
    { name: `${info}/METADATA`, data: METADATA(name), ...replace.metadata },
    { name: `${info}/WHEEL`, data: WHEEL, ...replace.wheel },
    { name: `${info}/RECORD`, data: '' },
  ];
}

interface Hostile {
  readonly id: string;
  /** What the wheel does, for the table in docs/reliability.md. */
  readonly what: string;
  /** The wheel's bytes for project `name` (a valid project name: `_` in place of `-`). */
  build(name: string): Buffer;
  /** The reason the refusal gives (both readers). */
  readonly why: RegExp;
}

let bomb: Deflated;

const HOSTILE: readonly Hostile[] = [
  {
    id: 'declared-4gib',
    what: 'METADATA declares 4 GiB − 2 uncompressed (compressed: 60 bytes)',
    build: (name) => zipOf(entries(name, { metadata: { deflate: true, declaredSize: 0xfffffffe } })),
    why: /METADATA declares 4294967294 bytes, more than the 16777216 lockhouse reads/,
  },
  {
    id: 'declared-1tib-zip64',
    what: 'METADATA declares 1 TiB in a zip64 extra field',
    build: (name) => zipOf(entries(name, { metadata: { deflate: true, zip64Size: 1n << 40n } })),
    why: /METADATA declares 1099511627776 bytes, more than the 16777216 lockhouse reads/,
  },
  {
    id: 'bomb-declared-small',
    what: 'METADATA: 1 GiB of zeros deflated (~1 MB), declared 1 000 bytes',
    build: (name) => zipOf(entries(name, { metadata: { data: bomb, declaredSize: 1000 } })),
    why: /METADATA cannot be read \(too many bytes in the stream/,
  },
  {
    id: 'bomb-declared-at-limit',
    what: 'METADATA: 1 GiB of zeros deflated, declared exactly 16 MiB (the limit)',
    build: (name) => zipOf(entries(name, { metadata: { data: bomb, declaredSize: 16 * 1024 * 1024 } })),
    why: /METADATA (cannot be read \(too many bytes in the stream|inflates past 16777216 bytes)/,
  },
  {
    id: 'entries-100001',
    what: '100 001 entries (the limit is 100 000)',
    build: (name) => {
      const list = entries(name);
      for (let i = list.length; i < 100_001; i++) list.push({ name: `${name}/m${i}.py`, data: '' });
      return zipOf(list);
    },
    why: /it lists 100001 entries, more than the 100000 lockhouse reads/,
  },
  {
    id: 'entries-declared-2^32',
    what: '4 real entries, the zip64 end record declares 4 294 967 296',
    build: (name) => zipOf(entries(name), { declaredCount: 1n << 32n }),
    why: /it lists 4294967296 entries, more than the 100000 lockhouse reads/,
  },
  {
    id: 'duplicate-metadata',
    what: 'two …dist-info/METADATA entries (different Requires-Dist)',
    build: (name) => {
      const list = entries(name);
      list.push({ name: `${name}-1.0.dist-info/METADATA`, data: METADATA(name, 'Requires-Dist: evil\n') });
      return zipOf(list);
    },
    why: /it has two .*\.dist-info\/METADATA entries/,
  },
  {
    id: 'duplicate-wheel',
    what: 'two …dist-info/WHEEL entries',
    build: (name) => {
      const list = entries(name);
      list.push({ name: `${name}-1.0.dist-info/WHEEL`, data: WHEEL.replace('py3-none-any', 'cp312-cp312-win_amd64') });
      return zipOf(list);
    },
    why: /it has two .*\.dist-info\/WHEEL entries/,
  },
  {
    id: 'two-dist-info-by-case',
    what: 'NAME-1.0.dist-info/METADATA beside name-1.0.dist-info/METADATA',
    build: (name) => zipOf([...entries(name), { name: `${name.toUpperCase()}-1.0.dist-info/METADATA`, data: METADATA(name, 'Requires-Dist: evil\n') }]),
    why: /it has 2 \.dist-info directories/,
  },
  {
    id: 'local-name-differs',
    what: 'METADATA\'s local header names evil/METADATA',
    build: (name) => zipOf(entries(name, { metadata: { local: { name: 'evil/METADATA' } } })),
    why: /METADATA: its local header disagrees with the central directory \(name "evil\/METADATA"\)/,
  },
  {
    id: 'local-size-differs',
    what: 'METADATA\'s local header declares other sizes (10 / 10 bytes)',
    build: (name) => zipOf(entries(name, { metadata: { local: { compressedSize: 10, uncompressedSize: 10 } } })),
    why: /METADATA: its local header disagrees with the central directory \(sizes 10\/10/,
  },
  {
    id: 'local-method-differs',
    what: 'METADATA deflated, its local header says stored',
    build: (name) => zipOf(entries(name, { metadata: { deflate: true, local: { method: 0 } } })),
    why: /METADATA: its local header disagrees with the central directory \(method 0/,
  },
  {
    id: 'overlapping-records',
    what: 'METADATA\'s central record points at another entry\'s local header and data',
    build: (name) => {
      const list = entries(name);
      list[1] = { ...list[1]!, sameLocalAs: 0 };
      return zipOf(list);
    },
    why: /METADATA: its local header disagrees with the central directory \(name ".*\/__init__\.py"\)/,
  },
  {
    id: 'offset-past-eof',
    what: 'METADATA\'s local header offset is past the end of the file',
    build: (name) => zipOf(entries(name, { metadata: { offset: 0x7fffffff } })),
    why: /METADATA cannot be read/,
  },
  {
    id: 'unknown-method',
    what: 'METADATA compressed with method 99 (AES)',
    build: (name) => {
      const zip = zipOf(entries(name, { metadata: { local: { method: 99 } } }));
      // The central record's method too (offset 10 of the second record).
      const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      const second = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), central + 4);
      zip.writeUInt16LE(99, second + 10);
      return zip;
    },
    why: /METADATA cannot be read \(unsupported compression method: 99\)|not a readable zip/,
  },
];

interface Measured {
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  readonly ms: number;
  readonly baseKb: number;
  readonly peakKb: number;
}

/** Where each reader is, under dist/. */
const MODULE = { readWheelIdentity: 'io/build/wheel-identity.js', readWheelMetadata: 'io/wheel/wheel-metadata.js' } as const;

/** Read `path` with readWheelIdentity or readWheelMetadata in a fresh process; what it says, how long, how much memory. */
async function measureRead(reader: 'readWheelIdentity' | 'readWheelMetadata', path: string): Promise<Measured> {
  const script = `
    const { ${reader} } = await import(${JSON.stringify(`file://${DIST}${MODULE[reader]}`)});
    const baseKb = process.resourceUsage().maxRSS;
    const started = performance.now();
    let outcome;
    try { await ${reader}(process.argv[1]); outcome = { ok: true }; }
    catch (error) { outcome = { ok: false, code: error.code, message: error.message }; }
    const ms = performance.now() - started;
    console.log(JSON.stringify({ ...outcome, ms, baseKb, peakKb: process.resourceUsage().maxRSS }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, path], { timeout: 60_000 });
  return JSON.parse(stdout) as Measured;
}

/** `lockhouse index DIR --json` in a fresh process: its summary, time and peak RSS. */
async function measureIndex(dir: string): Promise<{ summary: { warnings: Array<{ file: string; code: string; reason: string }>; metadata: number; files: number }; code: number; ms: number; baseKb: number; peakKb: number }> {
  const script = `
    const { main } = await import(${JSON.stringify(`file://${DIST}cli/main.js`)});
    const baseKb = process.resourceUsage().maxRSS;
    const started = performance.now();
    const code = await main(['index', process.argv[1], '--json', '-q']);
    const ms = performance.now() - started;
    process.stderr.write('\\nMEASURED ' + JSON.stringify({ code, ms, baseKb, peakKb: process.resourceUsage().maxRSS }) + '\\n');
  `;
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script, dir], { timeout: 120_000, maxBuffer: 64 << 20 });
  const measured = JSON.parse(/MEASURED (.*)/.exec(stderr)![1]!) as { code: number; ms: number; baseKb: number; peakKb: number };
  return { summary: JSON.parse(stdout), ...measured };
}

const figures: string[] = [];
const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

let root: string;
let baseline: Measured;
/** Every hostile wheel, in one flat folder for `lockhouse index`. */
let house: string;
const paths = new Map<string, string>();

beforeAll(async () => {
  const started = performance.now();
  bomb = await deflatedZeros(GiB);
  figures.push(`1 GiB of zeros deflated to ${bomb.deflated.length} bytes in ${(performance.now() - started).toFixed(0)} ms`);
  // testdir() needs a test to attach to: this folder is removed in afterAll.
  root = join((await import('node:os')).tmpdir(), `lockhouse-security-${process.pid}-${Date.now()}`);
  house = join(root, 'house');
  mkdirSync(house, { recursive: true });
  for (const hostile of HOSTILE) {
    const name = hostile.id.replace(/[^a-z0-9]+/g, '_');
    const path = join(house, `${name}-1.0-py3-none-any.whl`);
    writeFileSync(path, hostile.build(name));
    paths.set(hostile.id, path);
  }
  const sound = makeWheel({ name: 'sound', version: '1.0' });
  writeFileSync(join(house, sound.filename), sound.bytes);
  paths.set('sound', join(house, sound.filename));
  baseline = await measureRead('readWheelIdentity', paths.get('sound')!);
  figures.push(`baseline (a sound wheel): ${baseline.ms.toFixed(0)} ms, peak RSS ${mb(baseline.peakKb)} (${mb(baseline.peakKb - baseline.baseKb)} growth)`);
}, 120_000);

afterAll(async () => {
  const { rmSync } = await import('node:fs');
  if (root) rmSync(root, { recursive: true, force: true });
  console.info(`wheel-metadata figures:\n  ${figures.join('\n  ')}`);
});

describe('hostile wheels are refused with a bounded cost', () => {
  it('a sound wheel reads (the baseline)', () => {
    expect(baseline.ok, baseline.message).toBe(true);
  });

  const cases = HOSTILE.flatMap((hostile) =>
    (['readWheelIdentity', 'readWheelMetadata'] as const).map((reader) => ({ ...hostile, reader, label: `${hostile.id}: ${reader}` })),
  );

  it.each(cases)('$label', async ({ id, reader, why }) => {
    counter.add();
    const measured = await measureRead(reader, paths.get(id)!);
    const growthKb = measured.peakKb - measured.baseKb;
    figures.push(`${id} via ${reader}: ${measured.ok ? 'ACCEPTED' : measured.code} in ${measured.ms.toFixed(0)} ms, peak RSS ${mb(measured.peakKb)}, growth ${mb(growthKb)}`);
    expect(measured.ok, `${id} was accepted`).toBe(false);
    expect(measured.code).toBe(reader === 'readWheelIdentity' ? 'BUILD_WRONG_WHEEL' : 'INDEX_NO_METADATA');
    expect(measured.message).toMatch(why);
    expect(measured.message).toMatch(/is not a sound wheel/);
    expect(measured.ms).toBeLessThan(MAX_MS);
    expect(growthKb / 1024).toBeLessThan(MAX_GROWTH_MB);
  });

  it('a wheel of 100 000 entries (the limit) still reads, within the same bounds', async () => {
    const list = entries('wide');
    for (let i = list.length; i < 100_000; i++) list.push({ name: `wide/m${i}.py`, data: '' });
    const path = join(root, 'wide-1.0-py3-none-any.whl');
    writeFileSync(path, zipOf(list));
    for (const reader of ['readWheelIdentity', 'readWheelMetadata'] as const) {
      const measured = await measureRead(reader, path);
      figures.push(`wide (100 000 entries) via ${reader}: ${measured.ok ? 'read' : measured.code} in ${measured.ms.toFixed(0)} ms, growth ${mb(measured.peakKb - measured.baseKb)}`);
      expect(measured.ok, measured.message).toBe(true);
      expect(measured.ms).toBeLessThan(MAX_MS);
      expect((measured.peakKb - measured.baseKb) / 1024).toBeLessThan(MAX_GROWTH_MB);
    }
  });

  it('lockhouse index DIR lists every hostile wheel without metadata (INDEX_NO_METADATA), exits 0, bounded', async () => {
    counter.add(HOSTILE.length);
    const measured = await measureIndex(house);
    const growthKb = measured.peakKb - measured.baseKb;
    figures.push(`lockhouse index over ${HOSTILE.length} hostile wheels + 1 sound: exit ${measured.code} in ${measured.ms.toFixed(0)} ms, peak RSS ${mb(measured.peakKb)}, growth ${mb(growthKb)}`);
    expect(measured.code).toBe(0);
    expect(measured.summary.files).toBe(HOSTILE.length + 1);
    // Only the sound wheel has PEP 658 metadata.
    expect(measured.summary.metadata).toBe(1);
    const noMetadata = new Map(measured.summary.warnings.filter((w) => w.code === 'INDEX_NO_METADATA').map((w) => [w.file, w.reason]));
    for (const hostile of HOSTILE) {
      const file = paths.get(hostile.id)!.slice(house.length + 1);
      expect(noMetadata.get(file), `${hostile.id}: ${file}`).toMatch(hostile.why);
      expect(() => readFileSync(`${paths.get(hostile.id)}.metadata`)).toThrow();
    }
    expect(measured.ms).toBeLessThan(MAX_MS * 2);
    expect(growthKb / 1024).toBeLessThan(MAX_GROWTH_MB);
  });
});

describe('a build whose backend writes a hostile wheel', () => {
  let server: IndexServer;
  afterAll(async () => {
    await server?.close();
  });

  it('two METADATA entries (pip reads the last and is satisfied): BUILD_WRONG_WHEEL, nothing collected', async () => {
    counter.add();
    // The backend copies a wheel shipped inside the sdist: its first METADATA
    // names another project, its last the right one (what zipfile, and so
    // pip, would read).
    const info = 'built-3.0.dist-info';
    const wheel = zipOf([
      { name: 'built/__init__.py', data: '' },
      { name: `${info}/METADATA`, data: 'Metadata-Version: 2.1\nName: evil\nVersion: 6.6.6\n\n' },
      { name: `${info}/WHEEL`, data: WHEEL },
      { name: `${info}/RECORD`, data: '' },
      { name: `${info}/METADATA`, data: 'Metadata-Version: 2.1\nName: built\nVersion: 3.0\n\n' },
    ]);
    const backend = [
      'import os, shutil',
      'HERE = os.path.dirname(os.path.abspath(__file__))',
      'def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):',
      '    name = "built-3.0-py3-none-any.whl"',
      '    shutil.copy(os.path.join(HERE, "hostile.whl"), os.path.join(wheel_directory, name))',
      '    return name',
      '',
    ].join('\n');
    const sdist = makeSdist({ name: 'built', version: '3.0', files: { '_backend/backend.py': backend, '_backend/hostile.whl': wheel } });
    server = await startIndexServer({ artifacts: [sdist] });
    const dir = testdir({ 'uv.lock': fixtureUvLock([sdist], { base: server.url }) });
    const out = join(dir, 'out');
    const started = performance.now();
    const result = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache', '--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12']);
    figures.push(`build writing a wheel with two METADATA: exit ${result.code} in ${(performance.now() - started).toFixed(0)} ms`);
    if (/BUILD_NO_PYTHON|BUILD_NO_FRONTEND/.test(result.stderr)) {
      console.info(`skipped: no Python build frontend here (${/\[(BUILD_NO_\w+)\]/.exec(result.stderr)?.[1]})`);
      return;
    }
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/BUILD_WRONG_WHEEL.*it has two built-3\.0\.dist-info\/METADATA entries/);
    const manifest = JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')) as { artifacts: unknown[] };
    expect(manifest.artifacts).toEqual([]);
  });
});
