/**
 * The README's first command: `npm run demo` (scripts/demo.js, after the
 * build the test setup already ran) exits 0 in a fresh folder with an empty
 * cache, leaves a verified ./wheelhouse with its pylock and requirements and
 * a bundle, and — where python3 exists — pip installs the wheelhouse offline
 * and imports from it. The demo's lock matches the files it synthesizes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manifest } from '../src/output/manifest.js';
import { pipMissing } from './helpers/pip.js';
import { testdir } from './helpers/testdir.js';

const root = new URL('..', import.meta.url).pathname;

describe('npm run demo', () => {
  it('examples/demo/uv.lock records the hashes of the files the demo synthesizes', async () => {
    const { synthesize, withHashes } = await import('../scripts/demo/synthesize.js');
    const text = readFileSync(join(root, 'examples/demo/uv.lock'), 'utf8');
    expect(withHashes(text, await synthesize(text)), 'run node scripts/demo/refresh-lock.js').toBe(text);
  });

  it('collects, verifies, bundles and installs, from a fresh folder and an empty cache', () => {
    const cwd = testdir();
    const env: NodeJS.ProcessEnv = { ...process.env, LOCKHOUSE_CACHE_DIR: join(cwd, 'cache') };
    const demo = spawnSync(process.execPath, [join(root, 'scripts/demo.js')], { cwd, env, encoding: 'utf8', timeout: 240_000 });
    expect(demo.status, demo.stdout + demo.stderr).toBe(0);
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(cwd, 'wheelhouse', 'lockhouse.json'), 'utf8')));
    expect(manifest.targets).toHaveLength(3);
    expect(manifest.failures).toEqual([]);
    expect(manifest.emitted).toEqual(['pylock.toml', 'requirements.txt']);
    expect(existsSync(join(cwd, 'lockhouse-demo.pyz'))).toBe(true);
    expect(demo.stdout).toContain('is complete and intact for');
    if (pipMissing() === null) {
      expect(manifest.artifacts.some((a) => a.kind === 'built-wheel' && a.package === 'legacy-tool')).toBe(true);
      expect(demo.stdout).toMatch(/Successfully installed .*legacy-tool-0\.4/);
      expect(demo.stdout).toContain('legacy-tool 0.4 (built from its sdist)');
    } else {
      expect(demo.stdout).toContain('No python3 here');
    }
  });
});
