#!/usr/bin/env node
// Parse + select + plan of a lock for the six targets of issue 2, timed per
// stage: the first run in a fresh process (what a CLI user waits for) and
// the median of the following runs (a warm JIT). Default lock: the largest of
// ../shared/corpus. Run `npm run build` first (`npm run bench` does).
//
//   node bench/plan.js [LOCK] [--runs N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseLock } from '../dist/lock/parse.js';
import { plan } from '../dist/plan/index.js';
import { buildTargets } from '../dist/python/targets.js';
import { select } from '../dist/select/index.js';
import { CORPUS_TARGETS as PAIRS } from '../test/helpers/corpus-target-list.js';
import { median, readOptions, shared } from './common.js';

const options = readOptions(process.argv.slice(2), { valued: ['--runs'] });
const runs = Number(options.option('--runs', '20'));
const lockPath = options.positional ?? join(shared, 'corpus', 'NovaSky-AI__SkyRL__hist-2026-07-07', 'uv.lock');

const text = readFileSync(lockPath, 'utf8');
const samples = [];
for (let run = 0; run <= runs; run++) {
  const t0 = performance.now();
  const graph = parseLock(text, lockPath);
  const t1 = performance.now();
  const targets = PAIRS.flatMap(([platform, version]) => buildTargets({ pythonPlatforms: [platform], pythonVersions: [version], platforms: [] }));
  const t2 = performance.now();
  // One target at a time, so a target the lock refuses (outside its
  // requires-python) is reported and the others are still planned.
  const refused = [];
  const chosen = targets.flatMap((target) => {
    try {
      return select(graph, [target]).targets;
    } catch (error) {
      refused.push(`${target.id}: ${error.code}`);
      return [];
    }
  });
  const t3 = performance.now();
  const result = plan(graph, { targets: chosen, allPlatforms: null });
  const t4 = performance.now();
  samples.push({ parse: t1 - t0, targets: t2 - t1, select: t3 - t2, plan: t4 - t3, total: t4 - t0, graph, result, refused });
}

const ms = (value) => `${value.toFixed(1)} ms`;
const [first, ...rest] = samples;
const { graph, result, refused } = first;
console.log(`lock: ${lockPath}`);
console.log(`  ${graph.packages.length} packages, ${graph.packages.reduce((n, p) => n + p.wheels.length + (p.sdist ? 1 : 0), 0)} files; ${PAIRS.length} targets`);
console.log(`  plan: ${result.packages.length} packages, ${result.items.length} artifacts, ${result.errors.length} errors`);
if (refused.length) console.log(`  refused, as uv would: ${refused.join('; ')}`);
console.log(`stage      first run   median of ${rest.length} more`);
for (const stage of ['parse', 'targets', 'select', 'plan', 'total']) {
  console.log(`${stage.padEnd(9)}  ${ms(first[stage]).padStart(9)}   ${ms(median(rest.map((s) => s[stage]))).padStart(9)}`);
}
