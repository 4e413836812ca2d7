/**
 * Issue 4's acceptance: corpus locks with sdist-only packages, made
 * collectable by mirror-lock (its sdists carry an in-tree PEP 517 backend),
 * collected for this machine with every such package built, then installed
 * by real pip offline. Skipped, saying why, without the corpus, the tools or
 * python3 with pip.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import type { MarkerEnvironment } from '../../src/python/markers.js';
import { PlanJsonSchema } from '../../src/report/plan-json.js';
import { runCli } from '../helpers/cli.js';
import { corpusDir } from '../helpers/corpus.js';
import { directDependencies } from '../helpers/lock-roots.js';
import { mirrorCorpusLock, mirrorUnavailable } from '../helpers/mirror-lock.js';
import { installOffline, pipMissing } from '../helpers/pip.js';
import { testdir } from '../helpers/testdir.js';

const why = mirrorUnavailable() ?? pipMissing();

describe.skipIf(why !== null)(`sdist-only packages of corpus locks, built and installed (${why ?? 'mirror-lock, pip'})`, { timeout: 300_000 }, () => {
  it.each(['PrefectHQ__fastmcp', 'index-tts__index-tts'])('%s', async (name) => {
    const dir = testdir();
    const mirror = await mirrorCorpusLock(join(corpusDir, name), join(dir, 'mirror'));
    try {
      const out = join(dir, 'wheelhouse');
      const plan = PlanJsonSchema.parse(JSON.parse((await runCli(['plan', '--lock', mirror.lockPath, '--only-deps', '--json'])).stdout));
      const toBuild = plan.artifacts.filter((a) => a.build).map((a) => a.package).sort();
      expect(toBuild.length).toBeGreaterThan(0);

      const collected = await runCli(['collect', '--lock', mirror.lockPath, '-o', out, '--cache-dir', join(dir, 'cache'), '--only-deps', '-v']);
      expect(collected.code, collected.stderr).toBe(0);
      const manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
      expect(manifest.artifacts.filter((a) => a.kind === 'built-wheel').map((a) => a.package).sort()).toEqual(toBuild);

      const direct = directDependencies(mirror.lockPath, plan.targets[0]!.markers as unknown as MarkerEnvironment);
      const { installed: pip } = await installOffline(join(dir, 'venv'), out, direct);
      expect(pip.stderr + pip.stdout, 'pip install from the wheelhouse').toMatch(/Successfully installed/);
      expect(pip.code).toBe(0);
    } finally {
      await mirror.close();
    }
  });
});
