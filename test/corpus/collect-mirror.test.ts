/**
 * Real lock shapes, collected for real: corpus locks made collectable on
 * 127.0.0.1 by ../shared/tools/mirror-lock (every file synthesized, the
 * lock's URLs and hashes rewritten to match). For each lock:
 * - `collect` for the six platforms of the corpus checks (and the Pythons the
 *   lock allows among 3.10–3.13) writes exactly the files `plan --json` lists,
 *   each with the plan's sha256; what needs a build is reported, its sdist
 *   verified into the cache;
 * - a re-run makes no request;
 * - for this machine (python3), real pip installs the collected directory
 *   offline: the roots' direct dependencies, resolved by pip from the
 *   wheels' own metadata.
 * Skipped, saying why, without the corpus, the tools or python3.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MarkerEnvironment } from '../../src/python/markers.js';
import { satisfiesRequiresPython } from '../../src/python/requires-python.js';
import { Manifest } from '../../src/output/manifest.js';
import { PlanJsonSchema, type PlanJson } from '../../src/report/plan-json.js';
import { runCli } from '../helpers/cli.js';
import { corpusDir } from '../helpers/corpus.js';
import { directDependencies } from '../helpers/lock-roots.js';
import { mirrorCorpusLock, mirrorUnavailable } from '../helpers/mirror-lock.js';
import { installOffline, pipMissing } from '../helpers/pip.js';
import { testdir } from '../helpers/testdir.js';

const PLATFORMS = [
  'x86_64-manylinux_2_28',
  'aarch64-manylinux_2_28',
  'x86_64-unknown-linux-musl',
  'aarch64-apple-darwin',
  'x86_64-apple-darwin',
  'x86_64-pc-windows-msvc',
];
const PYTHONS = ['3.10', '3.11', '3.12', '3.13'];

/** Locks whose host plan needs no build, so pip can install them whole. */
const LOCKS = ['pallets__flask', 'astral-sh__uv__scripts_benchmark', 'Comfy-Org__comfy-cli', 'PrefectHQ__fastmcp__examples_testing_demo', 'pydantic__logfire'];

const why = mirrorUnavailable();

function targetFlags(lockText: string): string[] {
  const requiresPython = /^requires-python = "([^"]*)"/m.exec(lockText)?.[1] ?? '';
  const pythons = PYTHONS.filter((version) => satisfiesRequiresPython(`${version}.0`, requiresPython));
  return [...PLATFORMS.flatMap((p) => ['--python-platform', p]), ...pythons.flatMap((v) => ['--python-version', v])];
}

const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(why !== null)(`corpus locks, mirrored on 127.0.0.1, collected (${why ?? `${LOCKS.length} locks`})`, { timeout: 300_000 }, () => {
  it.each(LOCKS)('%s', async (name) => {
    const dir = testdir();
    const mirror = await mirrorCorpusLock(join(corpusDir, name), join(dir, 'mirror'));
    try {
      const flags = [...targetFlags(readFileSync(mirror.lockPath, 'utf8')), '--only-deps'];
      const out = join(dir, 'wheelhouse');
      const cache = join(dir, 'cache');

      // Six platforms × the Pythons the lock allows.
      const plan: PlanJson = PlanJsonSchema.parse(JSON.parse((await runCli(['plan', '--lock', mirror.lockPath, ...flags, '--json'])).stdout));
      const collected = await runCli(['collect', '--lock', mirror.lockPath, '-o', out, '--cache-dir', cache, ...flags, '-q']);
      const manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
      const files = plan.artifacts.filter((a) => (a.kind === 'wheel' || a.kind === 'sdist') && !(a.kind === 'sdist' && a.build));
      const builds = plan.artifacts.filter((a) => a.build);
      const downloaded = manifest.artifacts.filter((a) => a.kind !== 'built-wheel');
      expect(downloaded.map((a) => a.filename).sort()).toEqual(files.map((a) => a.filename!).sort());
      for (const file of files) expect(sha256Of(join(out, file.filename!)), file.filename!).toBe(file.sha256);
      // Every build item was built (the mirror's sdists carry an in-tree backend), its sdist verified into the cache.
      const built = manifest.artifacts.filter((a) => a.kind === 'built-wheel');
      expect(new Set(built.map((a) => a.package))).toEqual(new Set(builds.map((a) => a.package)));
      for (const wheel of built) expect(sha256Of(join(out, wheel.filename)), wheel.filename).toBe(wheel.sha256);
      for (const sdist of builds.filter((a) => a.kind === 'sdist')) {
        const sha = sdist.sha256!;
        expect(existsSync(join(cache, 'content-v2', 'sha256', sha))).toBe(true);
      }
      expect(manifest.failures.map((f) => f.code).sort()).toEqual(plan.errors.map((e) => e.code).sort());
      expect(collected.code, collected.stderr).toBe(manifest.failures.length ? 1 : 0);

      // A re-run: nothing to fetch.
      await mirror.reset();
      expect((await runCli(['collect', '--lock', mirror.lockPath, '-o', out, '--cache-dir', cache, ...flags, '-q'])).code).toBe(collected.code);
      expect((await mirror.stats()).requests).toBe(0);

      // This machine: collect, then pip installs the roots' direct dependencies offline.
      if (pipMissing()) return;
      const hostOut = join(dir, 'host');
      const hostPlan = PlanJsonSchema.parse(JSON.parse((await runCli(['plan', '--lock', mirror.lockPath, '--only-deps', '--json'])).stdout));
      const host = await runCli(['collect', '--lock', mirror.lockPath, '-o', hostOut, '--cache-dir', cache, '--only-deps', '-q']);
      expect(host.stderr).toBe('');
      expect(host.code).toBe(0);
      const direct = directDependencies(mirror.lockPath, hostPlan.targets[0]!.markers as unknown as MarkerEnvironment);
      expect(direct.length).toBeGreaterThan(0);
      const { installed: pip } = await installOffline(join(dir, 'venv'), hostOut, direct);
      expect(pip.stderr + pip.stdout, 'pip install from the wheelhouse').toMatch(/Successfully installed/);
      expect(pip.code).toBe(0);
    } finally {
      await mirror.close();
    }
  });
});
