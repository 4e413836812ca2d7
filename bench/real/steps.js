// bench/real.js: the runners. Each step of a workload runs one command —
// curl, pip (26 from a venv, or python3's own), lockhouse collect (cold,
// warm, re-run) or lockhouse bundle — measured, and its output checked
// against the lock's sha256s before it counts.
import { mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bin, python } from '../common.js';
import { curl, fmt, load, MB, node, pipEnv, say } from './machine.js';
import { checkBundle, checkDir } from './measure.js';
import { writeWorkloadFiles } from './workloads.js';

export const STEPS = {
  curl: 'curl --parallel --parallel-max 16',
  curlsync: 'curl, then sync -d (fdatasync) every file',
  pip26: 'pip 26 download -r pylock.toml',
  pip: "python3's pip download -r requirements.txt (hashed)",
  cold: 'lockhouse collect, cold',
  warm: 'lockhouse collect, warm cache',
  rerun: 'lockhouse collect, re-run over complete output',
  bundle: 'lockhouse bundle, warm cache',
};


function planned(w, flags) {
  const ran = spawnSync(node, [bin, 'plan', '--lock', w.lock, ...flags, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (ran.status !== 0 && ran.status !== 1) throw new Error(`lockhouse plan failed (${ran.status}): ${ran.stderr}`);
  const plan = JSON.parse(ran.stdout);
  return new Set(plan.artifacts.filter((a) => a.url).map((a) => a.filename));
}

/** Every step of `steps`, `ctx.runs` times, alternating; `ctx.measure` runs a command (measure.js makeMeasure). */
export async function runWorkload(ctx, w, steps, pip26) {
  writeWorkloadFiles(w);
  const bytes = w.files.reduce((sum, f) => sum + f.size, 0);
  const sizes = w.files.map((f) => f.size).sort((a, b) => b - a);
  say(`\n## ${w.title}: ${w.files.length} files, ${fmt(bytes / MB, 0)} MB (${fmt(bytes / 2 ** 30, 2)} GiB); largest ${sizes.slice(0, 3).map((s) => (sizes[0] >= 10 * MB ? `${fmt(s / MB, 0)} MB` : `${fmt(s / 1e3, 0)} kB`)).join(', ')}; ${w.source}`);
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
  for (let i = 0; i < ctx.runs; i++) {
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true });
    for (const step of steps) {
      const out = join(runDir, step === 'rerun' ? 'warm' : step);
      const curlArgs = ['--silent', '--show-error', '--fail', '--parallel', '--parallel-max', '16', '--config', w.curlConfig];
      if (step === 'curl') {
        mkdirSync(out);
        const m = await ctx.measure(curl, curlArgs, { cwd: out });
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'curlsync') {
        // The same download with the durability lockhouse gives every file (fdatasync before it counts).
        mkdirSync(out);
        const m = await ctx.measure('/bin/sh', ['-c', '"$@" && exec sync -d -- *', 'sh', curl, ...curlArgs], { cwd: out });
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'pip26') {
        const m = await ctx.measure(pip26, ['-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--disable-pip-version-check', '-d', out, '-r', w.lock], { env: pipEnv() });
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'pip') {
        const m = await ctx.measure(
          python,
          ['-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--disable-pip-version-check', '--require-hashes', '-r', w.requirements, '-d', out, '--index-url', w.indexUrl],
          { env: pipEnv() },
        );
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'cold') {
        rmSync(cache, { recursive: true, force: true });
        const m = await ctx.measure(node, collectArgs(out));
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'warm' || step === 'rerun') {
        const m = await ctx.measure(node, collectArgs(out));
        await record(step, m, () => checkDir(out, w.files), i);
      } else if (step === 'bundle') {
        const pyz = join(runDir, 'app.pyz');
        const m = await ctx.measure(node, [bin, 'bundle', '--lock', w.lock, '-o', pyz, '--cache-dir', cache, ...w.targets, '-q']);
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
