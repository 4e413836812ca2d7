#!/usr/bin/env node
// Benchmarks on real bytes (issue 11). For each workload, served by nginx on
// 127.0.0.1, one run times — alternating the commands, each repeated — and
// reports median, min and max wall time and peak RSS of:
//
//   curl      curl --parallel --parallel-max 16, the same files into an empty directory (the naive limit)
//   curlsync  the same, then `sync -d` of every file: curl with the durability lockhouse gives (fdatasync)
//   pip26     pip 26 (a venv, from the local PyPI copy): pip download --no-deps --no-cache-dir -d DIR -r pylock.toml
//   pip       python3's own pip: pip download --no-deps --no-cache-dir --require-hashes -r requirements.txt -d DIR
//   cold      lockhouse collect, empty cache and empty output
//   warm      lockhouse collect, warm cache, empty output
//   rerun     lockhouse collect again over the complete output
//   bundle    lockhouse bundle of the same selection, warm cache
//
// and checks after every run that every file arrived with the lock's sha256
// (a fast and wrong run is a failure: the run exits 1). Workloads:
//
//   real       ~600 real wheels (one per name, the newest), ~2 GB, from the
//              local PyPI copy that `python3 -m pip config list` names
//              (file:///…/simple, files under …/files/); skipped where there is none
//   synthetic  400 packages, ~1.5 GB, a realistic spread of sizes with four
//              wheels of 110–300 MB (valid wheels, seeded AES-CTR padding)
//   big        one 2 GiB wheel: peak RSS of a collect (and a bundle) of it
//
// plus `plan` (bench/plan.js on the largest lock of ../shared/corpus, six
// targets) and `profile` (after the timed runs of the real workload: one
// `node --cpu-prof` cold collect and one bundle from the cache it filled,
// their top functions by self time, and the collect again under
// `strace -f -c -w` where strace exists; with `big`, also one profiled cold
// collect of the big wheel). Peak RSS comes from
// `/usr/bin/time -f %M` where it exists, else from polling VmHWM in
// /proc/PID/status over the command's process tree. nginx missing, a small
// Node server (bench/real-static-server.js) serves instead. Everything lives in a work directory under the system
// temporary folder, removed at the end (--keep keeps it). Run `npm run build`
// first (`npm run bench` does). docs/performance.md explains the figures.
//
//   node bench/real.js [--runs N] [--scale S] [--only real,synthetic,big,plan,profile]
//                      [--steps curl,curlsync,pip26,pip,cold,warm,rerun,bundle]
//                      [--json FILE] [--profile-out FILE] [--keep]
//
// --scale shrinks every workload (bytes and file counts) for a quick check,
// e.g. --scale 0.02 --runs 1. --steps keeps only some measurements (warm,
// rerun and bundle use the cache that cold fills: keep cold before them).
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { compare as pep440Compare } from '@renovatebot/pep440';
import yauzl from 'yauzl';

// ------------------------------------------------------------------ options

const args = process.argv.slice(2);
const USAGE = `usage: node bench/real.js [--runs N] [--scale S] [--only real,synthetic,big,plan,profile]
                          [--steps curl,curlsync,pip26,pip,cold,warm,rerun,bundle] [--json FILE]
                          [--profile-out FILE] [--keep]
(docs/performance.md says what each part measures; a full run takes about 25 minutes.)`;
const VALUED = new Set(['--runs', '--scale', '--only', '--steps', '--json', '--profile-out']);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--help' || args[i] === '-h') {
    console.log(USAGE);
    process.exit(0);
  }
  if (VALUED.has(args[i]) && i + 1 < args.length) i++;
  else if (args[i] !== '--keep') {
    console.error(`bench/real.js: unknown or incomplete option ${JSON.stringify(args[i])}\n${USAGE}`);
    process.exit(2);
  }
}
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const runs = Number(option('--runs', '3'));
const scale = Number(option('--scale', '1'));
const only = new Set(option('--only', 'real,synthetic,big,plan,profile').split(','));
const jsonOut = option('--json', null);
const profileOut = option('--profile-out', null);
const keep = args.includes('--keep');
const stepFilter = option('--steps', null)?.split(',');
if (!(runs >= 1) || !(scale > 0)) throw new Error('--runs must be ≥ 1 and --scale > 0');

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const shared = resolve(process.env.LOCKHOUSE_SHARED_DIR ?? join(root, '..', 'shared'));
const bin = join(root, 'bin', 'lockhouse.cjs');
const python = process.env.LOCKHOUSE_TEST_PYTHON ?? 'python3';
const node = process.execPath;

// ------------------------------------------------------------------ small helpers

const MB = 1e6;
const MiB = 2 ** 20;
const say = (line = '') => console.log(line);
const fmt = (value, digits = 2) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');

function executable(name, extra = []) {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

const freePort = () =>
  new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.once('error', fail);
  });

async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const hashFile = (path) =>
  new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: MiB })
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => done(hash.digest('hex')))
      .on('error', fail);
  });

/** Project names as PEP 503 normalizes them. */
const normalize = (name) => name.replace(/[-_.]+/g, '-').toLowerCase();

/** The environment of every pip run: no PIP_* variable, no pip configuration. */
function pipEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PIP_')) env[key] = value;
  return { ...env, PIP_CONFIG_FILE: '/dev/null', NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
}
const plainEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };

// ------------------------------------------------------------------ the machine and its tools

// LOCKHOUSE_BENCH_NO_NGINX=1 and LOCKHOUSE_BENCH_NO_GNU_TIME=1 try the fallbacks on a machine that has both.
const nginx = process.env.LOCKHOUSE_BENCH_NO_NGINX ? null : executable('nginx', ['/usr/sbin', '/usr/local/sbin', '/sbin']);
const curl = executable('curl');
const gnuTime = !process.env.LOCKHOUSE_BENCH_NO_GNU_TIME && existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0 ? '/usr/bin/time' : null;
const versionOf = (file, argv, env = plainEnv) => {
  const ran = spawnSync(file, argv, { encoding: 'utf8', env });
  return `${ran.stdout ?? ''}${ran.stderr ?? ''}`.trim().split('\n')[0];
};

/** The local PyPI copy: the folders holding simple/ and files/ that pip's configuration names. */
function localPypiRoots() {
  const listed = spawnSync(python, ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' });
  const urls = (listed.stdout ?? '').match(/file:\/\/[^\s'"]+/g) ?? [];
  return [...new Set(urls.map((url) => dirname(fileURLToPath(url.replace(/\/+$/, '')))))].filter((dir) => existsSync(join(dir, 'files')));
}

// ------------------------------------------------------------------ work directory, server, cleanup

const work = mkdtempSync(join(os.tmpdir(), 'lockhouse-bench-real-'));
const site = join(work, 'site');
mkdirSync(site);
let server = null;
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (server?.child.exitCode === null) server.child.kill('SIGTERM');
  if (keep) console.error(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

/** The temporary-file folders of the modules this nginx was built with (each must be writable, even unused). */
function nginxTempPaths(confDir) {
  const ran = spawnSync(nginx, ['-V'], { encoding: 'utf8' });
  const version = `${ran.stdout}${ran.stderr}`;
  const lines = [`client_body_temp_path ${join(confDir, 'tmp', 'body')};`];
  for (const module of ['proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    if (!version.includes(`--without-http_${module}_module`)) lines.push(`${module}_temp_path ${join(confDir, 'tmp', module)};`);
  }
  for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(confDir, 'tmp', dir), { recursive: true });
  return lines;
}

/** nginx (one process, sendfile, no access log) serving `site` on 127.0.0.1; else the small Node server. */
async function startServer() {
  const port = await freePort();
  const confDir = join(work, 'server');
  mkdirSync(confDir, { recursive: true });
  let child;
  let kind;
  if (nginx) {
    const conf = join(confDir, 'nginx.conf');
    writeFileSync(
      conf,
      [
        'daemon off;',
        'master_process off;',
        'worker_processes 1;',
        `pid ${join(confDir, 'nginx.pid')};`,
        `error_log ${join(confDir, 'error.log')} warn;`,
        'events { worker_connections 1024; }',
        'http {',
        '  access_log off;',
        ...nginxTempPaths(confDir).map((line) => `  ${line}`),
        '  types { text/html html; }',
        '  default_type application/octet-stream;',
        '  sendfile on;',
        '  tcp_nopush on;',
        '  keepalive_requests 100000;',
        '  keepalive_timeout 120s;',
        '  server {',
        `    listen 127.0.0.1:${port};`,
        `    root ${site};`,
        '    index index.html;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    child = spawn(nginx, ['-p', confDir, '-c', conf, '-e', join(confDir, 'error.log')], { stdio: ['ignore', 'ignore', 'inherit'] });
    kind = `nginx (${versionOf(nginx, ['-v'])}, one process, sendfile on)`;
  } else {
    child = spawn(node, [join(root, 'bench', 'real-static-server.js'), site, String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
    kind = 'the Node static server bench/real-static-server.js (nginx is not installed)';
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the server did not answer on ${url}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  return { child, url, kind };
}

// ------------------------------------------------------------------ timing and checking

const rssFile = join(work, 'rss.txt');

/** A process and its descendants, from /proc/PID/stat. */
function processTree(rootPid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Runs a command; wall seconds, peak RSS (KiB), exit code and the end of its stderr. */
async function measure(file, argv, { cwd = work, env = plainEnv } = {}) {
  spawnSync('sync'); // every measurement starts with no dirty pages of the last one
  const started = process.hrtime.bigint();
  const child = gnuTime
    ? spawn(gnuTime, ['-f', '%M', '-o', rssFile, file, ...argv], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(file, argv, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.length > 200_000) stderr = stderr.slice(-20_000);
  });
  // Without GNU time: the largest VmHWM of any process in the command's tree (as ru_maxrss
  // reports it), polled; a wrapper (sh, a pyenv shim) would otherwise hide the real process.
  let hwm = 0;
  const poll = gnuTime
    ? null
    : setInterval(() => {
        for (const pid of processTree(child.pid)) {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm, Number(m[1]));
          } catch {
            // exited
          }
        }
      }, 25);
  const code = await new Promise((done) => child.on('close', (status, signal) => done(status ?? signal)));
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (poll) clearInterval(poll);
  const rssKiB = gnuTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : hwm;
  return { wall, rssKiB, code, stderr: stderr.trim().split('\n').slice(-5).join('\n') };
}

/** Every expected file in DIR with its sha256; what is missing or wrong, and what else is there. */
async function checkDir(dir, files) {
  const present = new Set(existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);
  const bad = [];
  await pool(files, 2, async (file) => {
    if (!present.has(file.filename)) return void bad.push(`${file.filename}: missing`);
    const path = join(dir, file.filename);
    const size = statSync(path).size;
    if (size !== file.size) return void bad.push(`${file.filename}: ${size} bytes, expected ${file.size}`);
    const digest = await hashFile(path);
    if (digest !== file.sha256) bad.push(`${file.filename}: sha256 ${digest}, expected ${file.sha256}`);
  });
  const expected = new Set(files.map((f) => f.filename));
  const extra = [...present].filter((name) => !expected.has(name) && name !== 'lockhouse.json' && !name.startsWith('.'));
  return { bad, extra };
}

/** Every expected file as `wheels/<file>` in the bundle, with its sha256 (read with yauzl, streamed). */
async function checkBundle(path, files) {
  const digests = new Map();
  if (existsSync(path)) {
    const zip = await new Promise((done, fail) => yauzl.open(path, { lazyEntries: true }, (error, z) => (error ? fail(error) : done(z))));
    await new Promise((done, fail) => {
      zip.on('entry', (entry) => {
        if (!entry.fileName.startsWith('wheels/')) return void zip.readEntry();
        zip.openReadStream(entry, (error, stream) => {
          if (error) return fail(error);
          const hash = createHash('sha256');
          stream.on('data', (chunk) => hash.update(chunk));
          stream.on('end', () => {
            digests.set(entry.fileName.slice('wheels/'.length), hash.digest('hex'));
            zip.readEntry();
          });
          stream.on('error', fail);
        });
      });
      zip.on('end', done);
      zip.on('error', fail);
      zip.readEntry();
    });
    zip.close();
  }
  const bad = [];
  for (const file of files) {
    const digest = digests.get(file.filename);
    if (digest === undefined) bad.push(`${file.filename}: not in the bundle`);
    else if (digest !== file.sha256) bad.push(`${file.filename}: sha256 ${digest}, expected ${file.sha256}`);
  }
  const expected = new Set(files.map((f) => f.filename));
  return { bad, extra: [...digests.keys()].filter((name) => !expected.has(name)) };
}

// ------------------------------------------------------------------ writing locks, indexes, curl configs

function writeWorkloadFiles(w) {
  const toml = (s) => JSON.stringify(s); // the names, versions and URLs here are plain ASCII
  const packages = w.files.map((f) =>
    [
      '[[packages]]',
      `name = ${toml(f.project)}`,
      `version = ${toml(f.version)}`,
      `wheels = [{ name = ${toml(f.filename)}, url = ${toml(`${w.baseUrl}/files/${encodeURIComponent(f.filename)}`)}, size = ${f.size}, hashes = { sha256 = ${toml(f.sha256)} } }]`,
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

function newWorkload(name, title) {
  const dir = join(work, name);
  const siteDir = join(site, name);
  mkdirSync(join(siteDir, 'files'), { recursive: true });
  mkdirSync(dir, { recursive: true });
  return { name, title, dir, siteDir, baseUrl: `${server.url}/${name}`, files: [] };
}

// ------------------------------------------------------------------ synthesized wheels

/** A seeded keystream (AES-256-CTR over zeros), as test/helpers/artifacts.ts seededBytes makes it, in chunks. */
function* keystream(seed, n, chunk = 4 * MiB) {
  const key = createHash('sha256').update(`lockhouse-bench:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(Math.min(chunk, Math.max(n, 1)));
  for (let at = 0; at < n; at += zeros.length) yield cipher.update(zeros.subarray(0, Math.min(zeros.length, n - at)));
}

const u16 = (v) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
const u32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const localHeader = (name, crc, size) =>
  Buffer.concat([u32(0x04034b50), u16(20), u16(0), u16(0), u16(0), u16(DOS_DATE), u32(crc), u32(size), u32(size), u16(name.length), u16(0), Buffer.from(name)]);
const centralHeader = (name, crc, size, offset) =>
  Buffer.concat([
    u32(0x02014b50), u16(0x031e), u16(20), u16(0), u16(0), u16(0), u16(DOS_DATE), u32(crc), u32(size), u32(size),
    u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0o100644 * 65536), u32(offset), Buffer.from(name),
  ]);
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
    central.push(centralHeader(name, crc, length, offset));
    put(localHeader(name, crc, length));
    if (data) put(data);
    else for (const chunk of keystream(seed, padSize)) put(chunk);
  }
  const cdOffset = offset;
  const cd = Buffer.concat(central);
  put(cd);
  put(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(cd.length), u32(cdOffset), u16(0)]));
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
async function realWorkload(roots) {
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
  const all = [...candidates.values()].sort((a, b) => b.size - a.size || (a.filename < b.filename ? -1 : 1));
  const count = Math.max(20, Math.round(600 * scale));
  const budget = 2e9 * scale;
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
  const w = newWorkload('real', 'Real bytes');
  w.source = `${all.length} names (newest version each) in ${roots.join(', ')}; ${chosen.length} chosen`;
  // The fragments are the index's word; check it against the bytes (this also warms the page cache for the server).
  const wrong = [];
  await pool(chosen, 2, async (f) => {
    if ((await hashFile(f.path)) !== f.sha256) wrong.push(f.filename);
  });
  if (wrong.length) throw new Error(`the local copy's sha256 fragments do not match ${wrong.length} files: ${wrong.slice(0, 5).join(', ')}`);
  for (const f of chosen) symlinkSync(f.path, join(w.siteDir, 'files', f.filename));
  w.files = chosen.sort((a, b) => (a.project < b.project ? -1 : 1));
  // Every file is a CPython 3.11 / abi3 / py3 wheel for Linux x86_64 (the copy is this host's): one target takes them all.
  w.targets = ['--python-platform', 'x86_64-manylinux_2_36', '--python-version', '3.11'];
  return w;
}

function syntheticWorkload() {
  const w = newWorkload('synthetic', 'Synthetic');
  const count = Math.max(20, Math.round(400 * scale));
  const sizes = syntheticSizes(count, 1.5e9 * scale, scale);
  w.files = sizes.map((size, i) => {
    const project = `synth-${String(i).padStart(3, '0')}`;
    const filename = `${project.replace(/-/g, '_')}-1.0.0-py3-none-any.whl`;
    const written = writeWheel(join(w.siteDir, 'files', filename), { project, version: '1.0.0', size, seed: filename });
    return { filename, project, version: '1.0.0', ...written };
  });
  w.source = `${count} synthesized wheels`;
  w.targets = ['--python-platform', 'x86_64-manylinux_2_36', '--python-version', '3.11'];
  return w;
}

function bigWorkload() {
  const w = newWorkload('big', 'One 2 GiB wheel');
  const filename = 'lockhouse_bench_big-1.0.0-py3-none-any.whl';
  const written = writeWheel(join(w.siteDir, 'files', filename), { project: 'lockhouse-bench-big', version: '1.0.0', size: Math.round(2 ** 31 * scale), seed: filename });
  w.files = [{ filename, project: 'lockhouse-bench-big', version: '1.0.0', ...written }];
  w.source = 'one synthesized wheel';
  w.targets = ['--python-platform', 'x86_64-manylinux_2_36', '--python-version', '3.11'];
  return w;
}

// ------------------------------------------------------------------ running a workload

const STEPS = {
  curl: 'curl --parallel --parallel-max 16',
  curlsync: 'curl, then sync -d (fdatasync) every file',
  pip26: 'pip 26 download -r pylock.toml',
  pip: "python3's pip download -r requirements.txt (hashed)",
  cold: 'lockhouse collect, cold',
  warm: 'lockhouse collect, warm cache',
  rerun: 'lockhouse collect, re-run over complete output',
  bundle: 'lockhouse bundle, warm cache',
};

/** The plan of a lock as file names: for the workload's targets, and with --all-platforms. */
function planned(w, flags) {
  const ran = spawnSync(node, [bin, 'plan', '--lock', w.lock, ...flags, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (ran.status !== 0 && ran.status !== 1) throw new Error(`lockhouse plan failed (${ran.status}): ${ran.stderr}`);
  const plan = JSON.parse(ran.stdout);
  return new Set(plan.artifacts.filter((a) => a.url).map((a) => a.filename));
}

async function runWorkload(w, steps, pip26) {
  writeWorkloadFiles(w);
  const bytes = w.files.reduce((sum, f) => sum + f.size, 0);
  const sizes = w.files.map((f) => f.size).sort((a, b) => b - a);
  say(`\n## ${w.title}: ${w.files.length} files, ${fmt(bytes / MB, 0)} MB (${fmt(bytes / 2 ** 30, 2)} GiB); largest ${sizes.slice(0, 3).map((s) => fmt(s / MB, 0)).join(', ')} MB; ${w.source}`);
  // Which lockhouse selection takes every file of the lock?
  const expected = new Set(w.files.map((f) => f.filename));
  const same = (set) => set.size === expected.size && [...set].every((name) => expected.has(name));
  const byTargets = planned(w, w.targets);
  const byAll = planned(w, ['--all-platforms']);
  say(`plan check: ${w.targets.join(' ')} takes ${byTargets.size} of ${expected.size} files (${same(byTargets) ? 'all' : 'NOT all'}); --all-platforms takes ${byAll.size} (${same(byAll) ? 'all' : 'NOT all'})`);
  if (!same(byTargets)) throw new Error(`${w.title}: the target set does not take every file of the lock`);

  const loadBefore = load();
  const results = Object.fromEntries(steps.map((s) => [s, []]));
  const failures = [];
  const runDir = join(w.dir, 'run');
  const cache = join(runDir, 'cache');
  const collectArgs = (out) => [bin, 'collect', '--lock', w.lock, '-o', out, '--cache-dir', cache, ...w.targets, '-q'];
  const record = async (step, m, check, i) => {
    const verdict = await check();
    const ok = m.code === 0 && verdict.bad.length === 0;
    results[step].push({ wall: m.wall, rssKiB: m.rssKiB, ok, extra: verdict.extra.length });
    const note = ok ? '' : `  FAILED (exit ${m.code}; ${verdict.bad.length} files wrong or missing: ${verdict.bad.slice(0, 3).join('; ')}${m.stderr ? `; stderr: ${m.stderr}` : ''})`;
    if (!ok) failures.push(`${w.title} / ${STEPS[step]} run ${i + 1}: ${note.trim()}`);
    say(`  run ${i + 1} ${step.padEnd(8)} ${fmt(m.wall).padStart(7)} s  ${fmt(bytes / MB / m.wall, 0).padStart(5)} MB/s  RSS ${fmt(m.rssKiB / 1024, 0).padStart(5)} MiB${verdict.extra.length ? `  (${verdict.extra.length} extra files)` : ''}${note}`);
  };
  for (let i = 0; i < runs; i++) {
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true });
    for (const step of steps) {
      const out = join(runDir, step === 'rerun' ? 'warm' : step);
      const curlArgs = ['--silent', '--show-error', '--fail', '--parallel', '--parallel-max', '16', '--config', w.curlConfig];
      if (step === 'curl') {
        mkdirSync(out);
        const m = await measure(curl, curlArgs, { cwd: out });
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'curlsync') {
        // The same download with the durability lockhouse gives every file (fdatasync before it counts).
        mkdirSync(out);
        const m = await measure('/bin/sh', ['-c', '"$@" && exec sync -d -- *', 'sh', curl, ...curlArgs], { cwd: out });
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'pip26') {
        const m = await measure(pip26, ['-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--disable-pip-version-check', '-d', out, '-r', w.lock], { env: pipEnv() });
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'pip') {
        const m = await measure(
          python,
          ['-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--disable-pip-version-check', '--require-hashes', '-r', w.requirements, '-d', out, '--index-url', w.indexUrl],
          { env: pipEnv() },
        );
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'cold') {
        rmSync(cache, { recursive: true, force: true });
        const m = await measure(node, collectArgs(out));
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'warm' || step === 'rerun') {
        const m = await measure(node, collectArgs(out));
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'bundle') {
        const pyz = join(runDir, 'app.pyz');
        const m = await measure(node, [bin, 'bundle', '--lock', w.lock, '-o', pyz, '--cache-dir', cache, ...w.targets, '-q']);
        await record(step, m, () => checkBundle(pyz, w.files), i);
        rmSync(pyz, { force: true });
      }
      // Outputs go as soon as they are checked (up to 2 GB each); the warm one stays for the re-run.
      if (step !== 'warm') rmSync(out, { recursive: true, force: true });
    }
  }
  rmSync(runDir, { recursive: true, force: true });
  return { title: w.title, files: w.files.length, bytes, source: w.source, targets: w.targets, loadBefore, loadAfter: load(), results, failures };
}

function table(r) {
  const lines = [
    `| ${r.title} (${r.files} files, ${fmt(r.bytes / MB, 0)} MB) | median s | min s | max s | MB/s | peak RSS MiB (median / max) | sha256 check |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const [step, values] of Object.entries(r.results)) {
    if (!values.length) continue;
    const walls = values.map((v) => v.wall);
    const rss = values.map((v) => v.rssKiB / 1024);
    const bad = values.filter((v) => !v.ok).length;
    lines.push(
      `| ${STEPS[step]} | ${fmt(median(walls))} | ${fmt(Math.min(...walls))} | ${fmt(Math.max(...walls))} | ${fmt(r.bytes / MB / median(walls), 0)} | ${fmt(median(rss), 0)} / ${fmt(Math.max(...rss), 0)} | ${bad ? `**${bad} of ${values.length} FAILED**` : `${values.length} of ${values.length} ok`} |`,
    );
  }
  return lines.join('\n');
}

function ratios(r) {
  const m = (step) => (r.results[step]?.length ? median(r.results[step].map((v) => v.wall)) : undefined);
  const pairs = [
    ['lockhouse cold / curl', m('cold'), m('curl')],
    ['lockhouse cold / (curl + fdatasync)', m('cold'), m('curlsync')],
    ['pip 26 / lockhouse cold', m('pip26'), m('cold')],
    ["python3's pip / lockhouse cold", m('pip'), m('cold')],
    ['warm / cold', m('warm'), m('cold')],
    ['re-run / cold', m('rerun'), m('cold')],
    ['bundle (warm) / collect (warm)', m('bundle'), m('warm')],
    ['bundle (warm) / collect (cold)', m('bundle'), m('cold')],
  ].filter(([, a, b]) => a !== undefined && b !== undefined);
  return pairs.map(([label, a, b]) => `${label}: ${fmt(a / b)}×`).join('; ');
}

// ------------------------------------------------------------------ plan and profile

function largestCorpusLock() {
  const corpus = join(shared, 'corpus');
  if (!existsSync(corpus)) return null;
  const locks = [];
  for (const entry of readdirSync(corpus, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const name of readdirSync(join(corpus, entry.name))) {
      if (name === 'uv.lock' || /^pylock\..*toml$/.test(name)) locks.push(join(corpus, entry.name, name));
    }
  }
  return locks.sort((a, b) => statSync(b).size - statSync(a).size)[0] ?? null;
}

/** The main thread's profile in DIR: `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`, thread 0 (the hashing threads write their own). */
function mainThreadProfile(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
}

/** Top functions by self time of a .cpuprofile, and the time by where the code lives. */
function summarizeProfile(path, top = 15) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const place = (url) => url.replace(/^file:\/\//, '').replace(`${root}/`, '').replace(/^.*node_modules\//, '');
  const byFunction = new Map();
  const byArea = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const key = url ? `${functionName || '(anonymous)'}  ${place(url)}:${lineNumber + 1}` : functionName;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = !url
      ? functionName === '(idle)'
        ? 'idle (waiting: I/O, timers)'
        : functionName === '(garbage collector)'
          ? 'garbage collector'
          : 'native / VM (program)'
      : url.startsWith('node:')
        ? 'Node internals (node:*)'
        : url.includes('/node_modules/undici/')
          ? 'undici'
          : url.includes('/node_modules/')
            ? 'other dependencies'
            : url.includes('/dist/')
              ? 'lockhouse (dist/)'
              : 'other';
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
  const lines = [`profile: ${fmt(total / 1e6)} s sampled on the main thread`];
  lines.push('by area: ' + [...byArea].sort((a, b) => b[1] - a[1]).map(([area, us]) => `${area} ${fmt(us / 1e6)} s (${pct(us)})`).join('; '));
  lines.push('top functions by self time:');
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${fmt(us / 1000, 0).padStart(7)} ms ${pct(us).padStart(6)}  ${key}`);
  return lines.join('\n');
}

// ------------------------------------------------------------------ main

const report = { started: new Date().toISOString(), runs, scale, machine: {}, workloads: [], plan: null, profile: null, notes: [] };
let failed = false;
try {
  if (!curl) throw new Error('curl is not installed');
  server = await startServer();
  const roots = localPypiRoots();
  const pip26Wheel = roots
    .flatMap((dir) => readdirSync(join(dir, 'files')).filter((name) => /^pip-26\..*\.whl$/.test(name)).map((name) => join(dir, 'files', name)))
    .sort()
    .pop();
  let pip26 = null;
  if (pip26Wheel) {
    const venv = join(work, 'pip26-venv');
    const made = spawnSync(python, ['-m', 'venv', venv], { env: pipEnv(), encoding: 'utf8' });
    const installed =
      made.status === 0 &&
      spawnSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--no-index', '--no-deps', '--disable-pip-version-check', '-q', pip26Wheel], { env: pipEnv(), encoding: 'utf8' }).status === 0;
    if (installed) pip26 = join(venv, 'bin', 'python');
    else report.notes.push(`pip 26 could not be installed into a venv from ${pip26Wheel}: its measurements are skipped`);
  } else report.notes.push('no pip-26.*.whl in a local PyPI copy: the pip 26 measurements are skipped');

  Object.assign(report.machine, {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    loadAtStart: load(),
    node: process.version,
    server: server.kind,
    curl: versionOf(curl, ['--version']),
    pip26: pip26 ? versionOf(pip26, ['-m', 'pip', '--version'], pipEnv()) : 'none',
    pip: versionOf(python, ['-m', 'pip', '--version'], pipEnv()),
    python: versionOf(python, ['--version']),
    rss: gnuTime ? 'GNU time: /usr/bin/time -f %M (max RSS of the command, KiB)' : 'VmHWM polled from /proc/PID/status every 25 ms, the largest in the command\'s process tree',
    tmp: work,
  });
  say('# lockhouse: benchmarks on real bytes (bench/real.js)');
  for (const [key, value] of Object.entries(report.machine)) say(`${key}: ${value}`);
  say(`runs: ${runs} of each measurement, alternating; scale ${scale}`);
  for (const note of report.notes) say(`NOTE: ${note}`);

  // What every lockhouse run pays before it does anything: Node's start, and loading lockhouse.
  const startup = { node: [], lockhouse: [] };
  for (let i = 0; i < runs; i++) {
    startup.node.push(await measure(node, ['-e', '0']));
    startup.lockhouse.push(await measure(node, [bin, '--version']));
  }
  report.startup = Object.fromEntries(Object.entries(startup).map(([k, v]) => [k, { wall: median(v.map((m) => m.wall)), rssKiB: median(v.map((m) => m.rssKiB)) }]));
  say(`startup (median of ${runs}): node -e 0 ${fmt(report.startup.node.wall)} s, ${fmt(report.startup.node.rssKiB / 1024, 0)} MiB; lockhouse --version ${fmt(report.startup.lockhouse.wall)} s, ${fmt(report.startup.lockhouse.rssKiB / 1024, 0)} MiB`);

  const lockhouseSteps = ['cold', 'warm', 'rerun', 'bundle'];
  const workloads = [];
  if (only.has('real') || only.has('profile')) {
    if (roots.length) workloads.push(['real', () => realWorkload(roots), ['curl', 'curlsync', ...(pip26 ? ['pip26'] : []), 'pip', ...lockhouseSteps]]);
    else report.notes.push('no local PyPI copy (python3 -m pip config list names no file:///…/simple with a files/ beside it): the real-bytes workload is skipped');
  }
  if (only.has('synthetic')) workloads.push(['synthetic', syntheticWorkload, ['curl', 'curlsync', ...(pip26 ? ['pip26'] : []), 'pip', ...lockhouseSteps]]);
  if (only.has('big')) workloads.push(['big', bigWorkload, ['curl', 'curlsync', ...lockhouseSteps]]);

  // Each workload's files are made (or linked) only when its turn comes, and removed after it.
  for (const [name, make, steps] of workloads) {
    const w = await make();
    if (name === 'real' && !only.has('real')) {
      writeWorkloadFiles(w);
    } else {
      const result = await runWorkload(w, stepFilter ? steps.filter((s) => stepFilter.includes(s)) : steps, pip26);
      report.workloads.push(result);
      if (result.failures.length) failed = true;
      say('');
      say(table(result));
      say('');
      say(`ratios (median wall time): ${ratios(result)}`);
      say(`load average before: ${result.loadBefore}; after: ${result.loadAfter}`);
    }
    if (name === 'real' && only.has('profile')) {
      // One cold collect of the real workload under --cpu-prof, after the timed runs.
      const profDir = join(work, 'profile');
      const out = join(profDir, 'out');
      mkdirSync(profDir, { recursive: true });
      const m = await measure(node, ['--cpu-prof', '--cpu-prof-dir', profDir, bin, 'collect', '--lock', w.lock, '-o', out, '--cache-dir', join(profDir, 'cache'), ...w.targets, '-q']);
      const verdict = await checkDir(out, w.files);
      const file = mainThreadProfile(profDir);
      say(`\n## Profile: node --cpu-prof bin/lockhouse.cjs collect (real bytes, cold), ${fmt(m.wall)} s wall, exit ${m.code}, ${verdict.bad.length ? `${verdict.bad.length} files WRONG` : 'every file verified'}`);
      if (file) {
        if (profileOut) copyFileSync(join(profDir, file), profileOut);
        report.profile = { wall: m.wall, summary: summarizeProfile(join(profDir, file)) };
        say(report.profile.summary);
      }
      // The same files bundled from the cache that collect filled.
      const bundleProf = join(profDir, 'bundle');
      const b = await measure(node, ['--cpu-prof', '--cpu-prof-dir', bundleProf, bin, 'bundle', '--lock', w.lock, '-o', join(profDir, 'app.pyz'), '--cache-dir', join(profDir, 'cache'), ...w.targets, '-q']);
      const bundleVerdict = await checkBundle(join(profDir, 'app.pyz'), w.files);
      const bundleFile = existsSync(bundleProf) ? mainThreadProfile(bundleProf) : undefined;
      say(`\n## Profile: node --cpu-prof bin/lockhouse.cjs bundle (real bytes, warm cache), ${fmt(b.wall)} s wall, exit ${b.code}, ${bundleVerdict.bad.length ? `${bundleVerdict.bad.length} files WRONG` : 'every file verified'}`);
      if (bundleFile) {
        if (profileOut) copyFileSync(join(bundleProf, bundleFile), profileOut.replace(/(\.cpuprofile)?$/, '.bundle.cpuprofile'));
        report.bundleProfile = { wall: b.wall, summary: summarizeProfile(join(bundleProf, bundleFile), 10) };
        say(report.bundleProfile.summary);
      }
      rmSync(profDir, { recursive: true, force: true });
      // The threads the CPU profile does not see: time inside fdatasync and friends, summed over threads.
      const strace = executable('strace');
      if (strace) {
        mkdirSync(profDir, { recursive: true });
        const trace = join(profDir, 'strace.txt');
        const t = await measure(strace, ['-f', '-c', '-w', '-o', trace, '-e', 'trace=fdatasync,fsync,write,pwrite64,read,openat,renameat,rename,link,linkat,close', node, bin, 'collect', '--lock', w.lock, '-o', out, '--cache-dir', join(profDir, 'cache'), ...w.targets, '-q']);
        const summary = readFileSync(trace, 'utf8').trim().split('\n').filter((line) => line.trim() && !/^-+/.test(line.trim())).slice(0, 12).join('\n');
        report.profile = { ...report.profile, strace: { wall: t.wall, summary } };
        say(`\nstrace -f -c -w (wall time inside each call, summed over all threads; the run under strace took ${fmt(t.wall)} s):\n${summary}`);
        rmSync(profDir, { recursive: true, force: true });
      }
    }
    if (name === 'big' && only.has('profile')) {
      // One cold collect of the single big wheel under --cpu-prof: one stream, nothing to overlap with.
      const profDir = join(work, 'profile-big');
      const out = join(profDir, 'out');
      const m = await measure(node, ['--cpu-prof', '--cpu-prof-dir', profDir, bin, 'collect', '--lock', w.lock, '-o', out, '--cache-dir', join(profDir, 'cache'), ...w.targets, '-q']);
      const verdict = await checkDir(out, w.files);
      const file = mainThreadProfile(profDir);
      say(`\n## Profile: node --cpu-prof bin/lockhouse.cjs collect (one big wheel, cold), ${fmt(m.wall)} s wall, exit ${m.code}, ${verdict.bad.length ? `${verdict.bad.length} files WRONG` : 'every file verified'}`);
      if (file) {
        report.bigProfile = { wall: m.wall, summary: summarizeProfile(join(profDir, file), 10) };
        say(report.bigProfile.summary);
      }
      rmSync(profDir, { recursive: true, force: true });
    }
    rmSync(w.siteDir, { recursive: true, force: true });
    rmSync(w.dir, { recursive: true, force: true });
  }

  if (only.has('plan')) {
    const lock = largestCorpusLock();
    if (!lock) report.notes.push('no ../shared/corpus: the plan measurement is skipped');
    else {
      say(`\n## Parse + select + plan: bench/plan.js on the largest lock of the corpus (${(statSync(lock).size / MB).toFixed(2)} MB)`);
      const ran = spawnSync(node, [join(root, 'bench', 'plan.js'), lock, '--runs', '20'], { encoding: 'utf8' });
      report.plan = { lock, output: ran.stdout.trim() };
      say(ran.stdout.trim());
      if (ran.status !== 0) {
        failed = true;
        say(`bench/plan.js failed: ${ran.stderr}`);
      }
    }
  }
  report.machine.loadAtEnd = load();
  say(`\nload average at the end: ${report.machine.loadAtEnd}`);
  for (const note of report.notes) say(`NOTE: ${note}`);
  const failures = report.workloads.flatMap((r) => r.failures);
  if (failures.length) say(`\nFAILED runs (a fast and wrong run is a failure):\n${failures.map((f) => `  ${f}`).join('\n')}`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(report, null, 2));
  cleanup();
}
process.exitCode = failed ? 1 : 0;
