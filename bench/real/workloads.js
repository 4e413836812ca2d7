// bench/real.js: the workloads — what is served and what the lock names.
//
//   real       ~600 real wheels of the local PyPI copy, ~2 GB
//   synthetic  400 synthesized wheels, ~1.5 GB, four of 110–300 MB
//   big        one 2 GiB wheel
//   latency    224 small real wheels behind 40 ms of latency per request
//
// A workload is { name, title, dir, siteDir, baseUrl, files, source,
// targets }, each file { filename, project, version, size, sha256 };
// writeWorkloadFiles adds its pylock.toml, hashed requirements.txt, PEP 503
// pages and curl config. `ctx` is { work, site, url, scale }: the run's
// folder, the served folder, the server's URL and --scale.
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { compare as pep440Compare } from '@renovatebot/pep440';
import { tomlString } from '../../test/helpers/toml.js';
import { centralRecord, endRecord, localHeader } from '../../test/helpers/zip-records.js';
import { MB, MiB, normalize } from './machine.js';
import { hashFile, pool } from './measure.js';

// ------------------------------------------------------------------ writing locks, indexes, curl configs

export function writeWorkloadFiles(w) {
  const packages = w.files.map((f) =>
    [
      '[[packages]]',
      `name = ${tomlString(f.project)}`,
      `version = ${tomlString(f.version)}`,
      `wheels = [{ name = ${tomlString(f.filename)}, url = ${tomlString(`${w.baseUrl}/files/${encodeURIComponent(f.filename)}`)}, size = ${f.size}, hashes = { sha256 = ${tomlString(f.sha256)} } }]`,
      '',
    ].join('\n'),
  );
  w.lock = join(w.dir, 'pylock.toml');
  writeFileSync(w.lock, [`# ${w.title}: written by bench/real.js`, 'lock-version = "1.0"', 'created-by = "lockhouse bench/real.js"', 'requires-python = ">=3.8"', '', ...packages].join('\n'));
  // Hashed requirements for python3's own pip, through a PEP 503 index of exactly these files.
  w.requirements = join(w.dir, 'requirements.txt');
  writeFileSync(w.requirements, w.files.map((f) => `${f.project}==${f.version} \\\n    --hash=sha256:${f.sha256}\n`).join(''));
  w.indexUrl = `${w.baseUrl}/simple/`;
  for (const f of w.files) {
    const page = join(w.siteDir, 'simple', f.project);
    mkdirSync(page, { recursive: true });
    writeFileSync(join(page, 'index.html'), `<!DOCTYPE html><html><body>\n<a href="../../files/${encodeURIComponent(f.filename)}#sha256=${f.sha256}">${f.filename}</a>\n</body></html>\n`);
  }
  w.curlConfig = join(w.dir, 'curl.txt');
  writeFileSync(w.curlConfig, w.files.map((f) => `url = "${w.baseUrl}/files/${encodeURIComponent(f.filename)}"\noutput = "${f.filename}"\n`).join(''));
}

function newWorkload(ctx, name, title) {
  const dir = join(ctx.work, name);
  const siteDir = join(ctx.site, name);
  mkdirSync(join(siteDir, 'files'), { recursive: true });
  mkdirSync(dir, { recursive: true });
  return { name, title, dir, siteDir, baseUrl: `${ctx.url}/${name}`, files: [] };
}

// ------------------------------------------------------------------ synthesized wheels

/** A seeded keystream (AES-256-CTR over zeros), in chunks: test/helpers/artifacts.ts seededBytes's way, streamed. */
function* keystream(seed, n, chunk = 4 * MiB) {
  const key = createHash('sha256').update(`lockhouse-bench:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(Math.min(chunk, Math.max(n, 1)));
  for (let at = 0; at < n; at += zeros.length) yield cipher.update(zeros.subarray(0, Math.min(zeros.length, n - at)));
}

const b64 = (digest) => digest.toString('base64url');

/**
 * Writes a valid wheel of about `size` bytes to `path`, streaming: one stored
 * (uncompressed) entry of seeded random bytes, an __init__.py and a
 * dist-info (METADATA, WHEEL, RECORD with the entries' hashes). pip reads
 * its METADATA; the rest is bytes to move. Returns its sha256 and size.
 */
function writeWheel(path, { project, version, size, seed }) {
  const dist = project.replace(/[-_.]+/g, '_').toLowerCase();
  const info = `${dist}-${version}.dist-info`;
  const small = [
    [`${dist}/__init__.py`, Buffer.from(`"""${project} ${version}: synthesized by lockhouse bench/real.js."""\n__version__ = "${version}"\n`)],
    [`${info}/METADATA`, Buffer.from(`Metadata-Version: 2.1\nName: ${project}\nVersion: ${version}\nSummary: synthesized by lockhouse bench/real.js\n\n`)],
    [`${info}/WHEEL`, Buffer.from('Wheel-Version: 1.0\nGenerator: lockhouse-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n')],
  ];
  const padName = `${dist}/_pad.bin`;
  const recordName = `${info}/RECORD`;
  const record = (padDigest, padSize) =>
    Buffer.from(
      [
        ...small.map(([name, data]) => `${name},sha256=${b64(createHash('sha256').update(data).digest())},${data.length}`),
        `${padName},sha256=${padDigest},${padSize}`,
        `${recordName},,`,
        '',
      ].join('\n'),
    );
  const names = [...small.map(([n]) => n), padName, recordName];
  const overhead = (padSize) => {
    const fixed = names.reduce((sum, n) => sum + 30 + n.length + 46 + n.length, 22) + small.reduce((sum, [, d]) => sum + d.length, 0);
    return fixed + record('x'.repeat(43), padSize).length;
  };
  let padSize = Math.max(0, size - overhead(size));
  padSize = Math.max(0, size - overhead(padSize));
  // Pass 1: the pad's CRC-32 and sha256 (the local header and RECORD come first / need them).
  let padCrc = 0;
  const padHash = createHash('sha256');
  for (const chunk of keystream(seed, padSize)) {
    padCrc = crc32(chunk, padCrc);
    padHash.update(chunk);
  }
  const entries = [...small, [padName, null], [recordName, record(b64(padHash.digest()), padSize)]];
  // Pass 2: write, hashing the whole file on the way.
  const fd = openSync(path, 'w');
  const fileHash = createHash('sha256');
  let offset = 0;
  const put = (buffer) => {
    writeSync(fd, buffer);
    fileHash.update(buffer);
    offset += buffer.length;
  };
  const central = [];
  for (const [name, data] of entries) {
    const crc = data ? crc32(data) : padCrc;
    const length = data ? data.length : padSize;
    central.push(centralRecord({ name, crc, size: length, offset }));
    put(localHeader({ name, crc, size: length }));
    if (data) put(data);
    else for (const chunk of keystream(seed, padSize)) put(chunk);
  }
  const cdOffset = offset;
  const cd = Buffer.concat(central);
  put(cd);
  put(endRecord({ count: entries.length, directorySize: cd.length, directoryOffset: cdOffset }));
  closeSync(fd);
  return { sha256: fileHash.digest('hex'), size: offset };
}

/** A small seeded PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The synthetic workload's sizes: four large wheels (300, 220, 160 and
 * 110 MB), and the others log-normal around 120 kB (σ 1.9, at most 60 MB),
 * scaled so that the total is `bytes`; shuffled.

 */
function syntheticSizes(count, bytes, s) {
  const random = prng(11);
  const big = [300, 220, 160, 110].map((mb) => Math.round(mb * MB * s));
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const cap = 60 * MB * s;
  let rest = Array.from({ length: count - big.length }, () => Math.min(cap, Math.exp(Math.log(120e3) + 1.9 * normal())));
  for (let i = 0; i < 4; i++) {
    const want = bytes - big.reduce((a, b) => a + b, 0);
    const have = rest.reduce((a, b) => a + b, 0);
    rest = rest.map((v) => Math.min(cap, Math.max(2000, v * (want / have))));
  }
  const sizes = [...big, ...rest.map(Math.round)];
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j], sizes[i]];
  }
  return sizes;
}

// ------------------------------------------------------------------ the workloads

/**
 * ~600 real wheels, ~2 GB: from the local copy's simple pages (their
 * `#sha256=` fragments, checked again against the files), the newest version
 * of each name (one wheel per name); of those, the two largest that are
 * each at most 30% of the byte budget (at full scale: torch and cuDNN,
 * ~0.55 GB each), then the others in a fixed pseudo-random order (sha256 of
 * the file name), each taken while the running total stays within its even
 * share of the rest of the budget — a natural spread of sizes.
 */
/** The newest wheel of each name in the local copy, with the sha256 its simple page gives. */
function localCandidates(roots) {
  const candidates = new Map();
  for (const dir of roots) {
    const simple = join(dir, 'simple');
    for (const project of readdirSync(simple)) {
      const page = join(simple, project, 'index.html');
      if (!existsSync(page)) continue;
      for (const [, href] of readFileSync(page, 'utf8').matchAll(/href="([^"]+)"/g)) {
        const [target, fragment] = href.split('#');
        const sha256 = /^sha256=([0-9a-f]{64})$/.exec(fragment ?? '')?.[1];
        const path = resolve(join(simple, project), decodeURIComponent(target));
        const filename = basename(path);
        if (!sha256 || !filename.endsWith('.whl') || !existsSync(path)) continue;
        const [dist, version] = filename.split('-');
        const key = normalize(dist);
        const file = { filename, path, sha256, size: statSync(path).size, project: key, version };
        const had = candidates.get(key);
        let newer = !had;
        if (had) {
          let order;
          try {
            order = pep440Compare(version, had.version);
          } catch {
            order = 0;
          }
          newer = order > 0 || (order === 0 && filename < had.filename);
        }
        if (newer) candidates.set(key, file);
      }
    }
  }
  return [...candidates.values()];
}

export async function realWorkload(ctx, roots) {
  const all = localCandidates(roots).sort((a, b) => b.size - a.size || (a.filename < b.filename ? -1 : 1));
  const count = Math.max(20, Math.round(600 * ctx.scale));
  const budget = 2e9 * ctx.scale;
  const chosen = all.filter((f) => f.size <= 0.3 * budget).slice(0, 2);
  const forcedBytes = chosen.reduce((sum, f) => sum + f.size, 0);
  const order = (f) => createHash('sha256').update(f.filename).digest('hex');
  const rest = all.filter((f) => !chosen.includes(f)).sort((a, b) => (order(a) < order(b) ? -1 : 1));
  let total = forcedBytes;
  const forced = chosen.length;
  for (const file of rest) {
    if (chosen.length >= count) break;
    const share = forcedBytes + ((budget - forcedBytes) * (chosen.length - forced + 1)) / (count - forced);
    if (total + file.size <= share) {
      chosen.push(file);
      total += file.size;
    }
  }
  const w = newWorkload(ctx, 'real', 'Real bytes');
  w.source = `${all.length} names (newest version each) in ${roots.join(', ')}; ${chosen.length} chosen`;
  return serveLocalFiles(w, chosen, symlinkSync);
}

/**
 * Every file is a CPython 3.11 / abi3 / py3 wheel for Linux x86_64 (the
 * local copy is this host's, the synthesized ones are py3): one target
 * takes them all.
 */
const TARGET_FLAGS = ['--python-platform', 'x86_64-manylinux_2_36', '--python-version', '3.11'];

/** Files of the local copy, checked against their fragments, put under the workload's site with `place` (link or copy), in project order. */
async function serveLocalFiles(w, chosen, place) {
  await checkFragments(chosen);
  for (const f of chosen) place(f.path, join(w.siteDir, 'files', f.filename));
  w.files = chosen.sort((a, b) => (a.project < b.project ? -1 : 1));
  w.targets = TARGET_FLAGS;
  return w;
}

/** The fragments are the index's word; check it against the bytes (this also warms the page cache for the server). */
async function checkFragments(chosen) {
  const wrong = [];
  await pool(chosen, 2, async (f) => {
    if ((await hashFile(f.path)) !== f.sha256) wrong.push(f.filename);
  });
  if (wrong.length) throw new Error(`the local copy's sha256 fragments do not match ${wrong.length} files: ${wrong.slice(0, 5).join(', ')}`);
}

/** The sizes of the latency workload's files: real wheels of at most this many bytes (tens of kB, as most of a lock's files are). */
const LATENCY_MAX_BYTES = 150e3;
const LATENCY_MIN_BYTES = 5e3;

/**
 * Many small files behind a round trip: 224 real wheels of 5–150 kB from
 * the local copy (newest version of each name, in the same fixed
 * pseudo-random order as the real workload), copied (not linked: the
 * latency server refuses a path that resolves outside its root) under
 * `ctx.site`/latency, for a server that waits `--latency-ms` before every
 * answer (real.js starts ../shared/tools/lib/serve.py for it). `ctx.url`
 * is that server's URL.
 */
export async function latencyWorkload(ctx, roots) {
  const order = (f) => createHash('sha256').update(f.filename).digest('hex');
  const count = Math.max(20, Math.round(224 * ctx.scale));
  const chosen = localCandidates(roots)
    .filter((f) => f.size >= LATENCY_MIN_BYTES && f.size <= LATENCY_MAX_BYTES)
    .sort((a, b) => (order(a) < order(b) ? -1 : 1))
    .slice(0, count);
  const w = newWorkload(ctx, 'latency', 'Latency: many small files');
  w.source = `${chosen.length} real wheels of ${LATENCY_MIN_BYTES / 1e3}–${LATENCY_MAX_BYTES / 1e3} kB from ${roots.join(', ')}`;
  return serveLocalFiles(w, chosen, copyFileSync);
}

export function syntheticWorkload(ctx) {
  const w = newWorkload(ctx, 'synthetic', 'Synthetic');
  const count = Math.max(20, Math.round(400 * ctx.scale));
  const sizes = syntheticSizes(count, 1.5e9 * ctx.scale, ctx.scale);
  w.files = sizes.map((size, i) => {
    const project = `synth-${String(i).padStart(3, '0')}`;
    const filename = `${project.replace(/-/g, '_')}-1.0.0-py3-none-any.whl`;
    const written = writeWheel(join(w.siteDir, 'files', filename), { project, version: '1.0.0', size, seed: filename });
    return { filename, project, version: '1.0.0', ...written };
  });
  w.source = `${count} synthesized wheels`;
  w.targets = TARGET_FLAGS;
  return w;
}

export function bigWorkload(ctx) {
  const w = newWorkload(ctx, 'big', 'One 2 GiB wheel');
  const filename = 'lockhouse_bench_big-1.0.0-py3-none-any.whl';
  const written = writeWheel(join(w.siteDir, 'files', filename), { project: 'lockhouse-bench-big', version: '1.0.0', size: Math.round(2 ** 31 * ctx.scale), seed: filename });
  w.files = [{ filename, project: 'lockhouse-bench-big', version: '1.0.0', ...written }];
  w.source = 'one synthesized wheel';
  w.targets = TARGET_FLAGS;
  return w;
}

