#!/usr/bin/env node
// Delta updates on real lock histories (../shared/corpus): for each pair
// OLD → NEW of one project's lock, both made collectable on 127.0.0.1 by
// ../shared/tools/mirror-lock (synthesized files with the locks' names),
// `lockhouse bundle` writes the full OLD and NEW bundles and
// `lockhouse bundle --since OLD.pyz` the delta; printed: the delta's size
// as a fraction of the full NEW bundle, the files it carries (new names,
// and names OLD holds with other bytes), and the same fraction weighed
// with the sizes the real lock gives (the synthesized files are smaller,
// capped at 8 MiB). Then, on this machine, as the far side would: OLD
// extracted, the delta installed over it with real pip (PIP_* cleared,
// PIP_CONFIG_FILE=/dev/null), `lockhouse verify` on the updated
// wheelhouse, and the delta applied to a wrong base (an empty folder, and
// OLD without one file it expects) refused with nothing changed.
//
//   node bench/delta.js [--size-scale S] [--no-install] [--keep] [OLD_CASE NEW_CASE]...
//
// Default pairs: NovaSky-AI__SkyRL 2026-07-07 → 2026-07-12, pallets__click
// 2025-05-15 → now, PrefectHQ__prefect 2025-03-07 → now. Collected for this
// machine's Python with --only-deps (the projects themselves are not in the
// corpus) and the lock's default groups; packages from git are left out
// (mirror-lock cannot serve them).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { freePort } from '../test/helpers/ports.js';
import { bin, pipEnv, python, readOptions, shared } from './common.js';

const USAGE = `usage: node bench/delta.js [--size-scale S] [--no-install] [--keep] [OLD_CASE NEW_CASE]...`;
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const options = readOptions(argv, { valued: ['--size-scale'], flags: ['--no-install', '--keep'] });
const sizeScale = options.option('--size-scale', '0.02');
const cases = argv.filter((arg, i) => !arg.startsWith('--') && argv[i - 1] !== '--size-scale');
const corpus = join(shared, 'corpus');
const PAIRS = cases.length
  ? cases.reduce((pairs, name, i) => (i % 2 ? [...pairs.slice(0, -1), [pairs.at(-1)[0], name]] : [...pairs, [name]]), [])
  : [
      ['NovaSky-AI__SkyRL__hist-2026-07-07', 'NovaSky-AI__SkyRL__hist-2026-07-12'],
      ['pallets__click__hist-2025-05-15', 'pallets__click'],
      ['PrefectHQ__prefect__hist-2025-03-07', 'PrefectHQ__prefect'],
    ];

const work = mkdtempSync(join(tmpdir(), 'lockhouse-bench-delta-'));
const servers = [];
const env = pipEnv();
const lockhouse = (args, okCodes = [0]) => {
  try {
    return { code: 0, stderr: execFileSync(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString() };
  } catch (error) {
    if (!okCodes.includes(error.status)) throw new Error(`lockhouse ${args.join(' ')} exited ${error.status}:\n${error.stderr}`);
    return { code: error.status, stderr: `${error.stdout}${error.stderr}` };
  }
};
const runPython = (args, okCodes = [0]) => {
  try {
    return { code: 0, out: execFileSync(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString() };
  } catch (error) {
    if (!okCodes.includes(error.status)) throw new Error(`${python} ${args.join(' ')} exited ${error.status}:\n${error.stderr}`);
    return { code: error.status, out: `${error.stdout}${error.stderr}` };
  }
};
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;

/** Mirror a corpus case into work/NAME and serve it; returns the rewritten lock. */
async function mirrored(name) {
  const out = join(work, name);
  const port = await freePort();
  execFileSync(join(shared, 'tools', 'mirror-lock'), [join(corpus, name), out, '--port', String(port), '--', '--size-scale', sizeScale, '-q'], { stdio: 'inherit', env });
  const server = spawn(python, [join(shared, 'tools', 'lib', 'serve.py'), out, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(server);
  await new Promise((done) => server.stdout.once('data', done));
  return join(out, 'project', 'uv.lock');
}

/** Real sizes from the corpus lock, by file name (the synthesized files are scaled down). */
function realSizes(name) {
  const lock = parse(readFileSync(join(corpus, name, 'uv.lock'), 'utf8'));
  const sizes = new Map();
  for (const pkg of lock.package ?? []) {
    for (const file of [...(pkg.wheels ?? []), ...(pkg.sdist ? [pkg.sdist] : [])]) {
      const url = file.url ?? file.path ?? file.filename ?? '';
      const filename = decodeURIComponent(url.split('/').pop() ?? '');
      if (filename && typeof file.size === 'number') sizes.set(filename, file.size);
    }
  }
  return sizes;
}

/** Packages the lock takes from git: mirror-lock cannot serve them, so they are left out. */
function gitPackages(lockPath) {
  const lock = parse(readFileSync(lockPath, 'utf8'));
  return (lock.package ?? []).filter((pkg) => pkg.source?.git).map((pkg) => pkg.name);
}

const entryOf = (pyz, name) => JSON.parse(runPython(['-c', `import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())`, pyz, name]).out);

/** Every regular file under `dir` with its sha256 and mtime: what "nothing changed" compares. */
function tree(dir) {
  const out = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(`${path} ${createHash('sha256').update(readFileSync(path)).digest('hex')} ${statSync(path).mtimeMs}`);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort().join('\n');
}

const rows = [];
try {
  for (const [oldCase, newCase] of PAIRS) {
    const name = newCase.replace(/__hist-.*$/, '');
    console.log(`\n== ${oldCase} → ${newCase}`);
    const oldLock = await mirrored(oldCase);
    const newLock = await mirrored(newCase);
    const dir = join(work, `${name}-out`);
    mkdirSync(dir, { recursive: true });
    const exclude = [...new Set([...gitPackages(oldLock), ...gitPackages(newLock)])].flatMap((pkg) => ['--exclude-package', pkg]);
    const flags = ['--only-deps', '--cache-dir', join(work, 'cache'), '-q', ...exclude];
    const oldPyz = join(dir, 'old.pyz');
    const newPyz = join(dir, 'new.pyz');
    const deltaPyz = join(dir, 'delta.pyz');
    lockhouse(['bundle', '--lock', oldLock, '-o', oldPyz, ...flags]);
    lockhouse(['bundle', '--lock', newLock, '-o', newPyz, ...flags]);
    lockhouse(['bundle', '--lock', newLock, '-o', deltaPyz, '--since', oldPyz, ...flags]);
    const verified = lockhouse(['verify', '--bundle', deltaPyz, '--lock', newLock], [0, 1]);
    const full = statSync(newPyz).size;
    const delta = statSync(deltaPyz).size;
    const manifest = entryOf(deltaPyz, 'lockhouse.json');
    const before = new Map(entryOf(oldPyz, 'lockhouse.json').artifacts.map((a) => [a.filename, a.sha256]));
    const carried = new Set(manifest.delta.carries);
    const rebytes = manifest.artifacts.filter((a) => carried.has(a.filename) && before.has(a.filename)).length;
    const real = realSizes(newCase);
    const realOf = (list) => list.reduce((sum, a) => sum + (real.get(a.filename) ?? 0), 0);
    const realAll = realOf(manifest.artifacts);
    const realCarried = realOf(manifest.artifacts.filter((a) => carried.has(a.filename)));
    const row = {
      pair: `${oldCase.replace(/^.*__hist-/, '')} → ${newCase.includes('__hist-') ? newCase.replace(/^.*__hist-/, '') : 'current'}`,
      name,
      files: `${carried.size} of ${manifest.artifacts.length} (${carried.size - rebytes} new names, ${rebytes} same name, other bytes)`,
      full: mib(full),
      delta: mib(delta),
      fraction: pct(delta, full),
      realFraction: realAll ? `${pct(realCarried, realAll)} (${mib(realCarried)} of ${mib(realAll)})` : 'n/a',
      verifyBundle: verified.code === 0 ? 'intact, complete for the lock' : `exit ${verified.code}`,
    };
    console.log(`full ${row.full}, delta ${row.delta} = ${row.fraction}; carries ${row.files}; at the lock's real sizes ${row.realFraction}; verify --bundle --lock: ${row.verifyBundle}`);

    if (!options.flag('--no-install')) {
      // The far side: OLD extracted and kept; the delta installed over it, offline.
      const far = join(dir, 'far');
      runPython([oldPyz, 'extract', far]);
      const venv = join(dir, 'venv');
      const started = process.hrtime.bigint();
      const installed = runPython([deltaPyz, 'install', '--wheelhouse', far, '--venv', venv], [0, 1]);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const count = installed.code === 0 ? JSON.parse(execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'list', '--format=json'], { env }).toString()).length : 0;
      row.install = installed.code === 0 ? `pip installed offline: ${count} packages in the venv (${seconds.toFixed(1)} s)` : `FAILED: ${installed.out.slice(-2000)}`;
      const farVerified = lockhouse(['verify', '-o', far, '--lock', newLock], [0, 1]);
      row.verifyFar = farVerified.code === 0 ? 'lockhouse verify -o far: complete and intact' : `lockhouse verify -o far: exit ${farVerified.code}\n${farVerified.stderr}`;
      // Wrong bases: nothing may change.
      const empty = join(dir, 'empty');
      mkdirSync(empty);
      const lacking = join(dir, 'lacking');
      runPython([oldPyz, 'extract', lacking]);
      const expects = entryOf(deltaPyz, 'bundle.json').delta.expects;
      if (expects.length) rmSync(join(lacking, 'wheels', expects[0].filename));
      const refusals = [empty, lacking].map((base) => {
        const snapshot = tree(base);
        const refused = runPython([deltaPyz, 'extract', base], [1]);
        return refused.code === 1 && tree(base) === snapshot && /is not a wheelhouse this delta applies to/.test(refused.out);
      });
      row.wrongBase = refusals.every(Boolean) ? 'refused, nothing changed (an empty folder; OLD without one expected file)' : `NOT REFUSED CLEANLY: ${refusals}`;
      console.log(`${row.install}\n${row.verifyFar}\nwrong base: ${row.wrongBase}`);
    }
    rows.push(row);
  }
  console.log(`\nsize scale ${sizeScale} (files synthesized at that fraction of the lock's sizes, capped at 8 MiB); this machine's Python, --only-deps\n`);
  console.log('| pair | delta / full bundle | at the lock\'s real sizes | files carried |');
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.name} ${row.pair} | ${row.delta} / ${row.full} = **${row.fraction}** | ${row.realFraction} | ${row.files} |`);
} finally {
  for (const server of servers) server.kill();
  if (options.flag('--keep')) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
