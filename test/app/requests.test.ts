/**
 * The library's request helpers: what a caller leaves out (or gives as
 * undefined) takes the default of the flag that sets it, what a caller gives
 * is kept, and the command line states the same defaults in its help.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCES_DEFAULTS, bundleFromRequest, bundleRequest, collectRequest, mergeRequest, planRequest, verifyRequest } from '../../src/app/requests.js';
import { createCli } from '../../src/cli/main.js';

const NO_ENV = {};

describe('planRequest', () => {
  it('completes the lock and target parts; no selection or build flags', () => {
    expect(planRequest({ targets: { pythonPlatforms: ['linux'], pythonVersions: ['3.12'] } })).toEqual({
      lock: { lock: undefined, project: undefined, cwd: process.cwd() },
      targets: { pythonPlatforms: ['linux'], pythonVersions: ['3.12'], platforms: [], abis: [] },
      select: {},
      plan: {},
    });
  });

  it('keeps what is given, and a complete request unchanged', () => {
    const given = planRequest({
      lock: { lock: 'pylock.toml', project: 'app', cwd: '/srv' },
      targets: { platforms: ['win_amd64'], pythonVersions: ['3.11'], implementation: 'cp', python: 'python3.11', allPlatforms: false },
      select: { noDev: true, extras: ['socks'] },
      plan: { noBuild: true },
    });
    expect(given.lock).toEqual({ lock: 'pylock.toml', project: 'app', cwd: '/srv' });
    expect(given.targets).toEqual({ pythonPlatforms: [], pythonVersions: ['3.11'], platforms: ['win_amd64'], abis: [], implementation: 'cp', python: 'python3.11', allPlatforms: false });
    expect(given.select).toEqual({ noDev: true, extras: ['socks'] });
    expect(planRequest(given)).toEqual(given);
  });
});

describe('collectRequest', () => {
  it('fills every field a caller leaves out with the default of its flag', () => {
    const request = collectRequest({}, { LOCKHOUSE_CACHE_DIR: '/var/cache/lockhouse' });
    expect(request).toEqual({
      plan: planRequest(),
      output: 'wheelhouse',
      layout: 'flat',
      emitPylock: null,
      emitRequirements: null,
      emitSbom: null,
      clean: false,
      dryRun: false,
      findLinks: [],
      mirrors: [],
      allowOutsidePaths: false,
      defaultMirrors: [],
      cacheDir: '/var/cache/lockhouse',
      offline: false,
      verify: false,
      allowUnhashed: false,
      allowWeakHashes: false,
      concurrency: 64,
      retries: 3,
      timeoutMs: 30_000,
      minBytesPerSecond: 1024,
      maxFileBytes: 8 * 2 ** 30,
      buildJobs: 2,
      buildIsolation: true,
    });
  });

  it('takes the platform cache folder without LOCKHOUSE_CACHE_DIR, and no cache for null', () => {
    expect(collectRequest({}, NO_ENV).cacheDir).toMatch(/lockhouse/);
    expect(collectRequest({ cacheDir: null }, { LOCKHOUSE_CACHE_DIR: '/var/cache/lockhouse' }).cacheDir).toBeNull();
    expect(collectRequest({ cacheDir: '/tmp/c' }, { LOCKHOUSE_CACHE_DIR: '/var/cache/lockhouse' }).cacheDir).toBe('/tmp/c');
  });

  it('takes the site-wide mirrors from LOCKHOUSE_MIRROR (several, separated by spaces) unless given', () => {
    const env = { LOCKHOUSE_MIRROR: ' pypi=http://mirror/simple  internal=http://mirror/internal ' };
    expect(collectRequest({}, env).defaultMirrors).toEqual(['pypi=http://mirror/simple', 'internal=http://mirror/internal']);
    expect(collectRequest({ defaultMirrors: [] }, env).defaultMirrors).toEqual([]);
  });

  it('gives a field set to undefined its default, as one left out; keeps given values', () => {
    const request = collectRequest(
      { output: undefined, concurrency: undefined, retries: 0, timeoutMs: 5000, mirrors: ['pypi=http://mirror/simple'], clean: true, layout: 'simple' },
      NO_ENV,
    );
    expect(request).toMatchObject({ output: 'wheelhouse', concurrency: 64, retries: 0, timeoutMs: 5000, mirrors: ['pypi=http://mirror/simple'], clean: true, layout: 'simple' });
    expect(Object.values(request).includes(undefined)).toBe(false);
  });

  it('passes a complete request through unchanged', () => {
    const request = collectRequest({ output: join('out', 'w'), emitPylock: 'p.toml', offline: true, buildPython: 'python3.12', plan: { select: { onlyDeps: true } } }, NO_ENV);
    expect(collectRequest(request, { LOCKHOUSE_CACHE_DIR: '/elsewhere' })).toEqual(request);
  });
});

describe('bundleRequest and verifyRequest', () => {
  it('a bundle: its path, a temporary wheelhouse, and none of what only collect decides', () => {
    const request = bundleRequest({ output: 'app.pyz', offline: true }, NO_ENV);
    expect(request).toMatchObject({ output: 'app.pyz', wheelhouse: null, emitSbom: null, offline: true, concurrency: 64 });
    for (const field of ['layout', 'clean', 'dryRun', 'emitPylock', 'emitRequirements']) expect(request, field).not.toHaveProperty(field);
  });

  it('a verify: ./wheelhouse, the lock\'s hash policy', () => {
    expect(verifyRequest({ plan: { select: { noDev: true } } })).toEqual({
      output: 'wheelhouse',
      allowUnhashed: false,
      allowWeakHashes: false,
      plan: planRequest({ select: { noDev: true } }),
    });
  });
});

describe('mergeRequest and bundleFromRequest', () => {
  it('a merge: the parts into ./wheelhouse, flat, nothing emitted, the selection the parts record', () => {
    expect(mergeRequest({ parts: ['parts/a', 'parts/b'] })).toEqual({
      parts: ['parts/a', 'parts/b'],
      output: 'wheelhouse',
      layout: 'flat',
      emitPylock: null,
      emitRequirements: null,
      clean: false,
      allowUnhashed: false,
      allowWeakHashes: false,
      given: {},
      plan: planRequest(),
    });
  });

  it('a bundle of a wheelhouse: DIR and the bundle, verified for the selection DIR records', () => {
    expect(bundleFromRequest({ from: 'wheelhouse', output: 'app.pyz', given: { groups: ['--no-dev'] }, plan: { select: { noDev: true } } })).toEqual({
      from: 'wheelhouse',
      output: 'app.pyz',
      allowUnhashed: false,
      allowWeakHashes: false,
      given: { groups: ['--no-dev'] },
      plan: planRequest({ select: { noDev: true } }),
    });
  });
});

describe('the command line', () => {
  it('states the defaults the helpers fill in', () => {
    const collect = createCli()
      .definitions()
      .find((definition) => definition.path === 'lockhouse collect')!;
    const described = (flag: string): string => collect.options.find((option) => option.definition.split(' ')[0]!.split(',').includes(flag))!.description!;
    expect(described('--concurrency')).toContain(`(default ${SOURCES_DEFAULTS.concurrency})`);
    expect(described('--retries')).toContain(`(default ${SOURCES_DEFAULTS.retries})`);
    expect(described('--timeout')).toContain(`(default ${SOURCES_DEFAULTS.timeoutMs / 1000})`);
    expect(described('--build-jobs')).toContain(`(default ${SOURCES_DEFAULTS.buildJobs})`);
    expect(described('--min-rate')).toContain(`(default ${SOURCES_DEFAULTS.minBytesPerSecond / 1024}K;`);
    expect(described('--max-file-size')).toContain(`(default ${SOURCES_DEFAULTS.maxFileBytes / 2 ** 30}G)`);
  });
});
