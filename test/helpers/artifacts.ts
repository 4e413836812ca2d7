/**
 * Real distribution files for tests: wheels that pip installs and sdists
 * that pip builds, made in memory, synchronously and deterministically (same
 * inputs, same bytes, same sha256: archive times are fixed, wheels are stored
 * without compression, padding comes from a keystream seeded with the file
 * name).
 *
 *   const wheel = makeWheel({ name: 'Foo.Bar', version: '1.0' });
 *   wheel.filename  // foo_bar-1.0-py3-none-any.whl
 *
 * Wheels are written by zip-records.js's storedZip rather than yazl: yazl
 * dates entries in local time (so the bytes would depend on the time zone),
 * is asynchronous, and computes CRC-32 in JavaScript, 13 times slower than
 * zlib's for a 200 MB wheel.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';
import { storedZip } from './zip-records.js';
import { BACKEND_PATH, backendPy, hostWheelTag, PYPROJECT_TOML, wrongName, wrongVersion, type BackendKind } from './sdist-backend.js';

export type { BackendKind } from './sdist-backend.js';

export interface Artifact {
  readonly kind: 'wheel' | 'sdist';
  /** The project name as given. */
  readonly name: string;
  /** The version, PEP 440-normalized. */
  readonly version: string;
  readonly filename: string;
  readonly bytes: Buffer;
  /** Lower-case hex. */
  readonly sha256: string;
  readonly size: number;
  readonly requiresDist: readonly string[];
  readonly requiresPython?: string;
}

interface DistSpec {
  name: string;
  version: string;
  /** Extra files: wheel paths from the wheel's root, sdist paths from the source tree's root. */
  files?: Record<string, string | Buffer>;
  requiresDist?: string[];
  requiresPython?: string;
  /** Pad with an incompressible file (`<pkg>/_pad.bin`) to about this many bytes. */
  sizeBytes?: number;
}

export interface WheelSpec extends DistSpec {
  /** The compressed tag set of the file name, e.g. `cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64`. */
  tags?: string;
  /** A build tag; it must start with a digit. */
  build?: string;
}

export interface SdistSpec extends DistSpec {
  /** What its in-tree backend's build_wheel does (sdist-backend.ts); default 'pure'. */
  backend?: BackendKind;
}

// ---------------------------------------------------------------- names

/** The name as it appears in file names (PEP 427, PEP 625): runs of -_. as one _, lower case. */
export function distName(name: string): string {
  return name.replace(/[-_.]+/g, '_').toLowerCase();
}

/** The importable module the distribution ships: foo_bar for Foo.Bar, _3to2 for 3to2. */
export function moduleName(name: string): string {
  const module = distName(name).replace(/[^a-z0-9_]/g, '_');
  return /^[0-9]/.test(module) ? `_${module}` : module;
}

// Written here rather than imported from src/python, so a bug there cannot
// hide in the fixtures the tests compare against.
const VERSION =
  /^\s*v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?(?:[-_.]?(dev)[-_.]?([0-9]+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;
const PRE: Record<string, string> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

/** PEP 440 normalization: `1.0-RC1` → `1.0rc1`, `v2.0.post` → `2.0.post0`. */
export function normalizeVersion(version: string): string {
  const m = VERSION.exec(version);
  if (!m) throw new Error(`"${version}" is not a PEP 440 version`);
  const n = (digits: string | undefined): string => (digits ?? '0').replace(/^0+(?=[0-9])/, '');
  const [, epoch, release, preL, preN, postN1, postL, postN2, devL, devN, local] = m;
  let out = epoch && n(epoch) !== '0' ? `${n(epoch)}!` : '';
  out += release!.split('.').map(n).join('.');
  if (preL) out += PRE[preL.toLowerCase()]! + n(preN);
  if (postN1 !== undefined || postL) out += `.post${n(postN1 ?? postN2)}`;
  if (devL) out += `.dev${n(devN)}`;
  if (local) out += `+${local.toLowerCase().replace(/[-_]/g, '.')}`;
  return out;
}

/** `py2.py3-none-any` → `py2-none-any`, `py3-none-any`, in file-name order. */
export function expandTags(tags: string): string[] {
  const parts = tags.split('-');
  if (parts.length !== 3 || parts.some((part) => part === '')) throw new Error(`"${tags}" is not a python-abi-platform tag set`);
  const [pythons, abis, platforms] = parts.map((part) => part.split('.')) as [string[], string[], string[]];
  return pythons.flatMap((py) => abis.flatMap((abi) => platforms.map((platform) => `${py}-${abi}-${platform}`)));
}

// ---------------------------------------------------------------- shared pieces

/** Archive entries are dated 1980-01-01 00:00 (UTC in tars), the earliest date zip can hold. */
const TAR_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * `n` incompressible bytes, the same for the same seed: AES-CTR's keystream
 * (fast even for 100 MB), so a shorter run is a prefix of a longer one.
 */
export function seededBytes(seed: string, n: number): Buffer {
  const key = createHash('sha256').update(`lockhouse-pad:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const out = Buffer.allocUnsafe(Math.max(0, n));
  const zeros = Buffer.alloc(Math.min(out.length, 1 << 20));
  for (let at = 0; at < out.length; at += zeros.length) {
    cipher.update(zeros.subarray(0, Math.min(zeros.length, out.length - at))).copy(out, at);
  }
  return out;
}

function metadata(spec: DistSpec, version: string): string {
  const extras = new Set<string>();
  for (const requirement of spec.requiresDist ?? []) {
    for (const m of requirement.matchAll(/\bextra\s*==\s*["']([^"']+)["']/g)) extras.add(m[1]!);
  }
  const lines = ['Metadata-Version: 2.1', `Name: ${spec.name}`, `Version: ${version}`, 'Summary: synthesized by lockhouse test helpers'];
  if (spec.requiresPython) lines.push(`Requires-Python: ${spec.requiresPython}`);
  for (const requirement of spec.requiresDist ?? []) lines.push(`Requires-Dist: ${requirement}`);
  for (const extra of extras) lines.push(`Provides-Extra: ${extra}`);
  return `${lines.join('\n')}\n\n`;
}

const initPy = (spec: DistSpec, version: string, filename: string): string =>
  `"""${spec.name} ${version}, synthesized for lockhouse tests (${filename})."""\n__version__ = "${version}"\n`;

const asBuffer = (data: string | Buffer): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

/**
 * The archive `build` makes, padded to about `sizeBytes`. A one-byte pad
 * shows the pad file's fixed cost (its headers, its RECORD line), so a wheel
 * comes out exact. An sdist can miss by tar's 512-byte blocks and gzip's
 * stored-block headers; beyond 1 KiB one more build, with a longer or
 * shorter prefix of the same keystream, corrects it.
 */
function padded(seed: string, sizeBytes: number | undefined, build: (pad: Buffer) => Buffer): Buffer {
  const bare = build(Buffer.alloc(0));
  if (!sizeBytes || sizeBytes <= bare.length) return bare;
  const probe = build(seededBytes(seed, 1));
  let n = sizeBytes - bare.length - (probe.length - bare.length - 1);
  if (n <= 1) return probe;
  n -= String(n).length - 1; // RECORD states the pad's size in decimal
  const stream = seededBytes(seed, n + Math.ceil(n / 100) + 4096);
  const bytes = build(stream.subarray(0, n));
  const corrected = n + sizeBytes - bytes.length;
  const close = Math.abs(corrected - n) <= 1024 || corrected <= 0 || corrected > stream.length;
  return close ? bytes : build(stream.subarray(0, corrected));
}

function artifact(kind: Artifact['kind'], spec: DistSpec, version: string, filename: string, bytes: Buffer): Artifact {
  return {
    kind,
    name: spec.name,
    version,
    filename,
    bytes,
    sha256: sha256(bytes),
    size: bytes.length,
    requiresDist: spec.requiresDist ?? [],
    ...(spec.requiresPython ? { requiresPython: spec.requiresPython } : {}),
  };
}

// ---------------------------------------------------------------- wheels

function recordLine(path: string, data: Buffer): string {
  const digest = createHash('sha256').update(data).digest('base64url');
  return `${path},sha256=${digest},${data.length}\n`;
}

/** A wheel pip installs: the module, METADATA, WHEEL (one Tag line per expanded tag) and RECORD. */
export function makeWheel(spec: WheelSpec): Artifact {
  const version = normalizeVersion(spec.version);
  const tagSet = spec.tags ?? 'py3-none-any';
  const tags = expandTags(tagSet);
  if (spec.build !== undefined && !/^[0-9][A-Za-z0-9_.]*$/.test(spec.build)) throw new Error(`build tag "${spec.build}" must start with a digit`);
  const stem = `${distName(spec.name)}-${version}`;
  const filename = `${stem}${spec.build ? `-${spec.build}` : ''}-${tagSet}.whl`;
  const info = `${stem}.dist-info`;
  const module = moduleName(spec.name);
  const wheelText = [
    'Wheel-Version: 1.0',
    'Generator: lockhouse-test-helpers (1.0)',
    `Root-Is-Purelib: ${tags.every((tag) => tag.endsWith('-none-any'))}`,
    ...(spec.build ? [`Build: ${spec.build}`] : []),
    ...tags.map((tag) => `Tag: ${tag}`),
  ].join('\n');

  const files = new Map<string, Buffer>([[`${module}/__init__.py`, Buffer.from(initPy(spec, version, filename))]]);
  for (const [path, data] of Object.entries(spec.files ?? {})) files.set(path, asBuffer(data));
  files.set(`${info}/METADATA`, Buffer.from(metadata(spec, version)));
  files.set(`${info}/WHEEL`, Buffer.from(`${wheelText}\n`));

  const bytes = padded(filename, spec.sizeBytes, (pad) => {
    const entries = [...files];
    if (pad.length > 0) entries.splice(1, 0, [`${module}/_pad.bin`, pad]);
    const record = entries.map(([path, data]) => recordLine(path, data)).join('') + `${info}/RECORD,,\n`;
    return storedZip([...entries, [`${info}/RECORD`, Buffer.from(record)]]);
  });
  return artifact('wheel', spec, version, filename, bytes);
}

// ---------------------------------------------------------------- sdists

function tar(entries: ReadonlyArray<readonly [string, Buffer]>): Buffer {
  const blocks: Buffer[] = [];
  for (const [path, data] of entries) {
    const fields = { path, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', size: data.length, mtime: TAR_DATE, type: 'File' as const };
    const header = new Header(fields);
    header.encode();
    if (header.needPax) blocks.push(new Pax(fields).encode());
    blocks.push(header.block!, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

/**
 * A PEP 625 sdist whose in-tree backend builds it with nothing from an index.
 * `backend` picks what the build does (default 'pure'); the archive's file
 * list is the same for every kind, only `_backend/backend.py` differs.
 */
export function makeSdist(spec: SdistSpec): Artifact {
  const version = normalizeVersion(spec.version);
  const root = `${distName(spec.name)}-${version}`;
  const filename = `${root}.tar.gz`;
  const module = moduleName(spec.name);
  const files = new Map<string, Buffer>([
    ['PKG-INFO', Buffer.from(metadata(spec, version))],
    ['pyproject.toml', Buffer.from(PYPROJECT_TOML)],
    [BACKEND_PATH, Buffer.from(backendPy(spec.backend))],
    [`${module}/__init__.py`, Buffer.from(initPy(spec, version, filename))],
  ]);
  for (const [path, data] of Object.entries(spec.files ?? {})) files.set(path, asBuffer(data));

  // Padded sdists are gzipped without compression: deflating megabytes of
  // random bytes is slow and gains nothing.
  const level = spec.sizeBytes ? 0 : 9;
  const bytes = padded(filename, spec.sizeBytes, (pad) => {
    const entries = [...files].map(([path, data]) => [`${root}/${path}`, data] as const);
    if (pad.length > 0) entries.push([`${root}/${module}/_pad.bin`, pad]);
    return gzipSync(tar(entries), { level });
  });
  return artifact('sdist', spec, version, filename, bytes);
}

/**
 * The file name a build of this sdist (or `writeProject` tree) writes, or
 * null for the `fail` backend. A `platform` build's tag is the interpreter's
 * that runs it: `hostTag`, by default `hostWheelTag()` (which runs python3).
 */
export function builtWheelFilename(spec: { name: string; version: string; backend?: BackendKind }, hostTag?: string): string | null {
  const kind = spec.backend ?? 'pure';
  if (kind === 'fail' || kind === 'hang') return null;
  const version = normalizeVersion(spec.version);
  const name = kind === 'wrong-name' ? wrongName(spec.name) : spec.name;
  const built = kind === 'wrong-version' ? wrongVersion(version) : version;
  const tag = kind === 'platform' ? (hostTag ?? hostWheelTag()) : 'py3-none-any';
  return `${distName(name)}-${built}-${tag}.whl`;
}
