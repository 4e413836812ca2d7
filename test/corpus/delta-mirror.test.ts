/**
 * Delta updates on real lock histories (issue 21): for each pair OLD → NEW
 * of one project's lock in the shared corpus, both mirrored on 127.0.0.1
 * (helpers/mirror-lock.ts: synthesized files with the locks' own names),
 * collected for this machine's Python with --only-deps (the projects
 * themselves are not in the corpus), packages from git left out (the
 * mirror cannot serve them):
 * - `bundle --since OLD.pyz` carries a subset of the full NEW bundle's files
 *   and is smaller than it (the sizes themselves are printed, not asserted:
 *   they depend on the history);
 * - `verify --bundle --lock` accepts the delta;
 * - OLD extracted as the far side would, the delta installs over it offline
 *   with real pip, and `lockhouse verify -o far` passes the updated folder;
 * - applied to a wrong base (an empty folder; OLD without one file the delta
 *   expects), it is refused, and nothing in the folder changed.
 * bench/delta.js prints the same figures, with the real lock's sizes.
 * Skipped, saying why, without the corpus and tools, or python3 with pip.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { corpusDir } from '../helpers/corpus.js';
import { mirrorCorpusLock, mirrorUnavailable } from '../helpers/mirror-lock.js';
import { makeVenv, pipEnv, pipMissing, PYTHON, run } from '../helpers/pip.js';
import { readZip } from '../helpers/read-zip.js';
import { testdir } from '../helpers/testdir.js';

const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['NovaSky-AI__SkyRL__hist-2026-07-07', 'NovaSky-AI__SkyRL__hist-2026-07-12'],
  ['pallets__click__hist-2025-05-15', 'pallets__click'],
  ['PrefectHQ__prefect__hist-2025-03-07', 'PrefectHQ__prefect'],
];
const absent = PAIRS.flat().filter((name) => !existsSync(join(corpusDir, name, 'uv.lock')));
const why = mirrorUnavailable() ?? (absent.length ? `${absent.join(', ')} not in ${corpusDir}` : null) ?? pipMissing();

/** Packages a lock takes from git: the mirror cannot serve them. */
function gitPackages(lockPath: string): string[] {
  const lock = parse(readFileSync(lockPath, 'utf8')) as { package?: Array<{ name: string; source?: { git?: string } }> };
  return (lock.package ?? []).filter((pkg) => pkg.source?.git).map((pkg) => pkg.name);
}

/** Every path under `dir` with its sha256 (files), size and mtime: what "nothing changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const stats = lstatSync(path);
      if (entry.isDirectory()) walk(path);
      out[relative(dir, path)] = entry.isFile() ? `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${stats.size} ${stats.mtimeMs}` : `${stats.mode} ${stats.mtimeMs}`;
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const wheels = async (pyz: string): Promise<Map<string, number>> =>
  new Map((await readZip(pyz)).filter((entry) => entry.name.startsWith('wheels/')).map((entry) => [entry.name, entry.data.length]));
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

describe.skipIf(why !== null)(`delta bundles on real lock histories (${why ?? 'corpus, mirror-lock, python3 and pip'})`, { timeout: 900_000 }, () => {
  it.each(PAIRS.map(([from, to]) => ({ from, to })))('$from → $to', async ({ from, to }) => {
    const dir = testdir();
    const oldMirror = await mirrorCorpusLock(join(corpusDir, from), join(dir, 'old-mirror'));
    const newMirror = await mirrorCorpusLock(join(corpusDir, to), join(dir, 'new-mirror'));
    try {
      const exclude = [...new Set([...gitPackages(oldMirror.lockPath), ...gitPackages(newMirror.lockPath)])].flatMap((pkg) => ['--exclude-package', pkg]);
      const flags = ['--only-deps', '--cache-dir', join(dir, 'cache'), ...exclude];
      const [oldPyz, newPyz, deltaPyz] = ['old.pyz', 'new.pyz', 'delta.pyz'].map((name) => join(dir, name)) as [string, string, string];
      for (const [lock, out, extra] of [
        [oldMirror.lockPath, oldPyz, []],
        [newMirror.lockPath, newPyz, []],
        [newMirror.lockPath, deltaPyz, ['--since', oldPyz]],
      ] as const) {
        const made = await runCli(['bundle', '--lock', lock, '-o', out, ...flags, ...extra]);
        expect(made.code, made.stderr).toBe(0);
      }
      const full = await wheels(newPyz);
      const delta = await wheels(deltaPyz);
      for (const name of delta.keys()) expect(full.has(name), name).toBe(true);
      const sizes = { full: statSync(newPyz).size, delta: statSync(deltaPyz).size };
      console.info(
        `${from} → ${to}: the delta carries ${delta.size} of ${full.size} files; ${mib(sizes.delta)} of the full bundle's ${mib(sizes.full)} = ${((100 * sizes.delta) / sizes.full).toFixed(1)}%`,
      );
      expect(sizes.delta).toBeLessThan(sizes.full);

      const verified = await runCli(['verify', '--bundle', deltaPyz, '--lock', newMirror.lockPath]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);

      // The far side: OLD extracted and kept, then the delta installed over it with real pip, offline.
      const env = { ...pipEnv(), PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PYTHONDONTWRITEBYTECODE: '1' };
      const far = join(dir, 'far');
      const extracted = await run(PYTHON, [oldPyz, 'extract', far], { env });
      expect(extracted.code, extracted.stderr).toBe(0);
      const venv = join(dir, 'venv');
      const python = await makeVenv(venv);
      await oldMirror.reset();
      await newMirror.reset();
      const installed = await run(PYTHON, [deltaPyz, 'install', '--wheelhouse', far, '--venv', venv], { env });
      expect(installed.code, installed.stderr + installed.stdout.slice(-3000)).toBe(0);
      expect((await oldMirror.stats()).requests + (await newMirror.stats()).requests).toBe(0);
      const listed = await run(python, ['-m', 'pip', 'list', '--format=json'], { env });
      const manifest = JSON.parse(readFileSync(join(far, 'lockhouse.json'), 'utf8')) as { artifacts: Array<{ package: string }> };
      const names = new Set((JSON.parse(listed.stdout) as Array<{ name: string }>).map((pkg) => pkg.name.toLowerCase().replace(/[-_.]+/g, '-')));
      for (const artifact of manifest.artifacts) expect(names.has(artifact.package.toLowerCase().replace(/[-_.]+/g, '-')), artifact.package).toBe(true);
      const farVerified = await runCli(['verify', '-o', far, '--lock', newMirror.lockPath]);
      expect(farVerified.code, farVerified.stdout + farVerified.stderr).toBe(0);

      // A wrong base: refused, nothing changed.
      const expects = (JSON.parse((await readZip(deltaPyz)).find((entry) => entry.name === 'bundle.json')!.data.toString()) as { delta: { expects: Array<{ filename: string }> } }).delta.expects;
      const empty = join(dir, 'empty');
      mkdirSync(empty);
      const lacking = join(dir, 'lacking');
      expect((await run(PYTHON, [oldPyz, 'extract', lacking], { env })).code).toBe(0);
      if (expects.length) rmSync(join(lacking, 'wheels', expects[0]!.filename));
      for (const base of expects.length ? [empty, lacking] : []) {
        const before = snapshot(base);
        const refused = await run(PYTHON, [deltaPyz, 'extract', base], { env });
        expect(refused.code, refused.stderr).toBe(1);
        expect(refused.stderr).toMatch(/is not a wheelhouse this delta applies to: .*; nothing was changed/);
        expect(snapshot(base)).toEqual(before);
      }
    } finally {
      await oldMirror.close();
      await newMirror.close();
    }
  });
});
