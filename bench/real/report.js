// bench/real.js: the report — a table and ratios per workload, the
// largest corpus lock for the plan measurement, and CPU profiles summed up
// by function and by where the code lives.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { median, root, shared } from '../common.js';
import { fmt, MB } from './machine.js';
import { STEPS } from './steps.js';

export function table(r) {
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

export function ratios(r) {
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

export function largestCorpusLock() {
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
export function mainThreadProfile(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
}

/** Top functions by self time of a .cpuprofile, and the time by where the code lives. */
export function summarizeProfile(path, top = 15) {
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
