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
//   latency    224 small real wheels (5–150 kB) served by ../shared/tools/lib/serve.py
//              --latency-ms 40 (a round trip to a CDN per request): curl, pip 26
//              and a cold collect, where requests in flight matter, not bytes
//
// plus `plan` (bench/plan.js on the largest lock of ../shared/corpus, six
// targets) and `profile` (after the timed runs of the real workload: one
// `node --cpu-prof` cold collect and one bundle from the cache it filled,
// their top functions by self time, and the collect again under
// `strace -f -c -w` where strace exists; with `big`, also one profiled cold
// collect of the big wheel). Peak RSS comes from
// `/usr/bin/time -f %M` where it exists, else from polling VmHWM in
// /proc/PID/status over the command's process tree. nginx missing, a small
// Node server (test/helpers/static-server.js) serves instead. Everything lives in a work directory under the system
// temporary folder, removed at the end (--keep keeps it). Run `npm run build`
// first (`npm run bench` does). docs/performance.md explains the figures.
//
//   node bench/real.js [--runs N] [--scale S] [--only real,synthetic,big,latency,plan,profile]
//                      [--steps curl,curlsync,pip26,pip,cold,warm,rerun,bundle]
//                      [--json FILE] [--profile-out FILE] [--keep]
//
// --scale shrinks every workload (bytes and file counts) for a quick check,
// e.g. --scale 0.02 --runs 1. --steps keeps only some measurements (warm,
//
// The parts: real/workloads.js (what is served and locked), real/steps.js
// (the runners: curl, pip, lockhouse), real/measure.js (time, RSS, sha256
// checks), real/server.js (nginx or the Node server), real/report.js
// (tables, ratios, profiles), real/machine.js (tools and environments).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { bin, median, python, readOptions, root } from './common.js';
import { curl, executable, fmt, gnuTime, load, localPypiRoots, MB, node, pipEnv, say, versionOf } from './real/machine.js';
import { checkBundle, checkDir, makeMeasure } from './real/measure.js';
import { largestCorpusLock, mainThreadProfile, ratios, summarizeProfile, table } from './real/report.js';
import { startLatencyServer, startServer } from './real/server.js';
import { runWorkload } from './real/steps.js';
import { bigWorkload, latencyWorkload, realWorkload, syntheticWorkload, writeWorkloadFiles } from './real/workloads.js';

// ------------------------------------------------------------------ options

const USAGE = `usage: node bench/real.js [--runs N] [--scale S] [--only real,synthetic,big,latency,plan,profile]
                          [--steps curl,curlsync,pip26,pip,cold,warm,rerun,bundle] [--json FILE]
                          [--profile-out FILE] [--keep]
(docs/performance.md says what each part measures; a full run takes about 25 minutes.)`;
const options = readOptions(process.argv.slice(2), { valued: ['--runs', '--scale', '--only', '--steps', '--json', '--profile-out'], flags: ['--keep'], usage: USAGE });
const runs = Number(options.option('--runs', '3'));
const scale = Number(options.option('--scale', '1'));
const only = new Set(options.option('--only', 'real,synthetic,big,latency,plan,profile').split(','));
const jsonOut = options.option('--json', null);
const profileOut = options.option('--profile-out', null);
const keep = options.flag('--keep');
const stepFilter = options.option('--steps', null)?.split(',');
if (!(runs >= 1) || !(scale > 0)) throw new Error('--runs must be ≥ 1 and --scale > 0');

// ------------------------------------------------------------------ work directory, server, cleanup

const work = mkdtempSync(join(os.tmpdir(), 'lockhouse-bench-real-'));
const site = join(work, 'site');
mkdirSync(site);
const measure = makeMeasure(work);
let server = null;
let latencyServer = null;
/** The wait serve.py adds before every answer in the latency workload. */
const LATENCY_MS = 40;
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (server?.child.exitCode === null) server.child.kill('SIGTERM');
  if (latencyServer?.child.exitCode === null) latencyServer.child.kill('SIGTERM');
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

// ------------------------------------------------------------------ main

const report = { started: new Date().toISOString(), runs, scale, machine: {}, workloads: [], plan: null, profile: null, notes: [] };
let failed = false;
try {
  if (!curl) throw new Error('curl is not installed');
  server = await startServer(work, site);
  const ctx = { work, site, url: server.url, scale, runs, measure };
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
    // What Node may use (a cgroup or affinity limit lowers it): what lockhouse's thread pools size themselves by.
    cores: os.availableParallelism(),
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
    if (roots.length) workloads.push(['real', () => realWorkload(ctx, roots), ['curl', 'curlsync', ...(pip26 ? ['pip26'] : []), 'pip', ...lockhouseSteps]]);
    else report.notes.push('no local PyPI copy (python3 -m pip config list names no file:///…/simple with a files/ beside it): the real-bytes workload is skipped');
  }
  if (only.has('synthetic')) workloads.push(['synthetic', () => syntheticWorkload(ctx), ['curl', 'curlsync', ...(pip26 ? ['pip26'] : []), 'pip', ...lockhouseSteps]]);
  if (only.has('big')) workloads.push(['big', () => bigWorkload(ctx), ['curl', 'curlsync', ...lockhouseSteps]]);
  if (only.has('latency')) {
    const startLatency = async () => {
      latencyServer = await startLatencyServer(work, site, LATENCY_MS);
      if (!latencyServer) throw new Error('the latency workload needs ../shared/tools/lib/serve.py');
      say(`\nlatency server: ${latencyServer.kind} on ${latencyServer.url}`);
      return latencyWorkload({ ...ctx, url: latencyServer.url }, roots);
    };
    if (roots.length) workloads.push(['latency', startLatency, ['curl', ...(pip26 ? ['pip26'] : []), 'cold']]);
    else report.notes.push('no local PyPI copy: the latency workload (real small wheels) is skipped');
  }

  // Each workload's files are made (or linked) only when its turn comes, and removed after it.
  for (const [name, make, steps] of workloads) {
    const w = await make();
    if (name === 'real' && !only.has('real')) {
      writeWorkloadFiles(w);
    } else {
      const result = await runWorkload(ctx, w, stepFilter ? steps.filter((s) => stepFilter.includes(s)) : steps, pip26);
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
    if (name === 'latency' && latencyServer?.child.exitCode === null) latencyServer.child.kill('SIGTERM');
    if (!keep) {
      rmSync(w.siteDir, { recursive: true, force: true });
      rmSync(w.dir, { recursive: true, force: true });
    }
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
