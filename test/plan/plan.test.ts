/**
 * The plan: per package and target the best wheel, else the sdist to build,
 * else an error that says what the lock offers; each artifact once, with
 * every target it serves.
 */
import { describe, expect, it } from 'vitest';
import type { LockGraph, Target } from '../../src/model.js';
import { plan } from '../../src/plan/index.js';
import type { PlanOptions } from '../../src/plan/types.js';
import { select } from '../../src/select/index.js';
import type { SelectOptions } from '../../src/select/options.js';
import { LINUX, LINUX_311, MAC, WINDOWS, graphOf, pkg, target, uvLock } from '../helpers/uv-lock.js';

function planOf(graph: LockGraph, targets: Target[], options: PlanOptions = {}, selectOptions: SelectOptions = {}) {
  return plan(graph, select(graph, targets, selectOptions), options);
}

/** filename → targets it serves (and "(build)" when it is built). */
function rows(graph: LockGraph, targets: Target[], options: PlanOptions = {}, selectOptions: SelectOptions = {}): Record<string, string> {
  return Object.fromEntries(
    planOf(graph, targets, options, selectOptions).items.map((item) => [
      item.filename ?? `${item.kind}:${item.path ?? item.url}`,
      `${item.targets.join(' ')}${item.build ? ' (build)' : ''}`,
    ]),
  );
}

const app = (deps: string[]): string => pkg('app', { source: '{ editable = "." }', deps });

const native = graphOf(
  uvLock(
    {},
    app(['native', 'pure']),
    pkg('native', {
      sdist: true,
      wheels: [
        'native-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
        'native-1.0.0-cp312-cp312-manylinux_2_28_x86_64.whl',
        'native-1.0.0-cp39-abi3-manylinux_2_17_x86_64.whl',
        'native-1.0.0-cp312-cp312-macosx_11_0_arm64.whl',
        'native-1.0.0-cp312-cp312-macosx_10_13_universal2.whl',
        'native-1.0.0-cp312-cp312-win_amd64.whl',
      ],
    }),
    pkg('pure'),
  ),
);

describe('choosing an artifact', () => {
  it('takes the best wheel by the target tag priority', () => {
    expect(rows(native, [LINUX, MAC, WINDOWS])).toEqual({
      'directory:.': `${LINUX.id} ${MAC.id} ${WINDOWS.id} (build)`,
      'native-1.0.0-cp312-cp312-manylinux_2_28_x86_64.whl': LINUX.id,
      'native-1.0.0-cp312-cp312-macosx_11_0_arm64.whl': MAC.id,
      'native-1.0.0-cp312-cp312-win_amd64.whl': WINDOWS.id,
      'pure-1.0.0-py3-none-any.whl': `${LINUX.id} ${MAC.id} ${WINDOWS.id}`,
    });
  });

  it('an abi3 wheel serves a Python the lock has no specific wheel for; a shared file is listed once', () => {
    const rowsFor = rows(native, [LINUX_311, target('x86_64-manylinux_2_28', '3.13')]);
    expect(rowsFor['native-1.0.0-cp39-abi3-manylinux_2_17_x86_64.whl']).toBe('x86_64-manylinux_2_28-cp311 x86_64-manylinux_2_28-cp313');
  });

  it('no compatible wheel: the sdist, marked for building', () => {
    const musl = target('x86_64-unknown-linux-musl', '3.12');
    expect(rows(native, [musl])['native-1.0.0.tar.gz']).toBe(`${musl.id} (build)`);
  });

  it('the same sdist built for one target and only carried for another is to be built', () => {
    const musl = target('x86_64-unknown-linux-musl', '3.12');
    const made = planOf(native, [LINUX, musl], { sdist: true });
    const sdist = made.items.find((item) => item.filename === 'native-1.0.0.tar.gz')!;
    expect(sdist).toMatchObject({ build: true, targets: [LINUX.id, musl.id] });
  });

  it('ties between equal tags go to the higher build tag (uv)', () => {
    const built = graphOf(
      uvLock({}, app(['tagged']), pkg('tagged', { wheels: ['tagged-1.0.0-py3-none-any.whl', 'tagged-1.0.0-2-py3-none-any.whl', 'tagged-1.0.0-1-py3-none-any.whl'] })),
    );
    expect(Object.keys(rows(built, [LINUX]))).toContain('tagged-1.0.0-2-py3-none-any.whl');
  });

  it('neither a wheel nor an sdist: an error naming package, target and what the lock offers', () => {
    const made = planOf(native, [LINUX], {}, {});
    expect(made.errors).toEqual([]);
    const winOnly = graphOf(uvLock({}, app(['pywin']), pkg('pywin', { wheels: ['pywin-1.0.0-cp312-cp312-win_amd64.whl', 'pywin-1.0.0-cp312-cp312-win32.whl'] })));
    const failed = planOf(winOnly, [LINUX]);
    expect(failed.errors).toHaveLength(1);
    expect(failed.errors[0]).toMatchObject({ package: 'pywin', version: '1.0.0', target: LINUX.id });
    expect(failed.errors[0]!.message).toMatchInlineSnapshot(
      `"pywin 1.0.0 has no wheel for target x86_64-manylinux_2_28-cp312 and no sdist to build from; the lock offers wheels for platforms win32, win_amd64, and the target takes cp312-cp312-manylinux_2_28_x86_64, cp312-cp312-manylinux_2_27_x86_64, cp312-cp312-manylinux_2_26_x86_64, …"`,
    );
    // The rest of the plan still stands.
    expect(failed.items.map((item) => item.kind)).toEqual(['directory']);
  });
});

describe('build flags', () => {
  it('--no-binary NAME builds that package from its sdist', () => {
    expect(rows(native, [LINUX], { noBinary: ['Native'] })).toMatchObject({ 'native-1.0.0.tar.gz': `${LINUX.id} (build)` });
    expect(rows(native, [LINUX], { noBinary: [':all:'] })).not.toHaveProperty(['pure-1.0.0-py3-none-any.whl']);
  });

  it('--no-binary without an sdist is an error', () => {
    const made = planOf(native, [LINUX], { noBinary: ['pure'] });
    expect(made.errors.map((error) => error.message)).toEqual(['--no-binary pure: the lock has no sdist of pure to build from']);
  });

  it('--no-build: a package that needs a build is an error; with --sdist its sdist is kept, unbuilt', () => {
    const musl = target('x86_64-unknown-linux-musl', '3.12');
    const refused = planOf(native, [musl], { noBuild: true }, { onlyDeps: true });
    expect(refused.errors.map((error) => error.message)).toEqual([
      'native: it has no wheel for this target, and --no-build forbids building its sdist',
    ]);
    const kept = planOf(native, [musl], { noBuild: true, sdist: true }, { onlyDeps: true });
    expect(kept.errors).toEqual([]);
    expect(kept.warnings.map((warning) => warning.message)).toEqual(['native: it has no wheel for this target; its sdist is collected unbuilt (--no-build)']);
    expect(kept.items.find((item) => item.kind === 'sdist')).toMatchObject({ filename: 'native-1.0.0.tar.gz', build: false });
  });

  it('--no-build refuses local projects and git checkouts, which can only be built', () => {
    const made = planOf(native, [LINUX], { noBuild: true });
    expect(made.errors.map((error) => error.message)).toEqual(['app is a local project and must be built, but --no-build forbids building']);
  });

  it('--sdist adds every selected package sdist beside its wheel', () => {
    expect(rows(native, [LINUX], { sdist: true })).toMatchObject({ 'native-1.0.0.tar.gz': LINUX.id });
  });

  it('--requires-build-only keeps only what must be built', () => {
    const musl = target('x86_64-unknown-linux-musl', '3.12');
    const made = planOf(native, [LINUX, musl], { requiresBuildOnly: true }, { onlyDeps: true });
    expect(made.items.map((item) => item.filename)).toEqual(['native-1.0.0.tar.gz']);
    expect(made.packages.map((entry) => entry.name)).toEqual(['native']);
  });
});

describe('sources that are not files', () => {
  const trees = graphOf(
    uvLock(
      { members: ['app', 'lib'] },
      pkg('app', { source: '{ editable = "." }', deps: ['lib', 'from-git'] }),
      pkg('lib', { source: '{ directory = "packages/lib" }' }),
      pkg('from-git', { source: '{ git = "https://github.com/example/from-git?tag=v1#0123456789abcdef0123456789abcdef01234567" }' }),
    ),
  );

  it('git checkouts and local projects are planned as builds, once for all targets', () => {
    const made = planOf(trees, [LINUX, WINDOWS]);
    expect(made.items.map((item) => [item.kind, item.url ?? item.path, item.build, item.targets.length])).toEqual([
      ['directory', '.', true, 2],
      ['vcs', 'https://github.com/example/from-git', true, 2],
      ['directory', 'packages/lib', true, 2],
    ]);
  });
});

describe('--all-platforms', () => {
  it('lists every file of every package, for no target in particular', () => {
    const made = plan(native, select(native, [], { allPlatforms: true }));
    expect(made.allPlatforms).toBe(true);
    expect(made.items.filter((item) => item.kind === 'wheel')).toHaveLength(7);
    expect(made.items.filter((item) => item.kind === 'sdist')).toHaveLength(1);
    expect(made.items.every((item) => item.targets.length === 0)).toBe(true);
  });
});

describe('a macOS target older than the lock’s macOS wheels', () => {
  it('says MACOSX_DEPLOYMENT_TARGET raises it, as uv reads it', () => {
    const graph = graphOf(uvLock({}, app(['newmac']), pkg('newmac', { wheels: ['newmac-1.0.0-cp312-cp312-macosx_14_0_arm64.whl', 'newmac-1.0.0-cp312-cp312-win_amd64.whl'] })));
    const planned = planOf(graph, [MAC]);
    expect(planned.errors.map((error) => error.message)).toEqual([
      expect.stringContaining("the lock's macOS wheels need macOS 14.0 or newer, the target is macOS 13.0: set MACOSX_DEPLOYMENT_TARGET=14.0"),
    ]);
    expect(planOf(graph, [WINDOWS]).errors).toEqual([]);
  });

  it('says it too where an sdist is there but --no-build forbids building it', () => {
    const graph = graphOf(uvLock({}, app(['newmac']), pkg('newmac', { sdist: true, wheels: ['newmac-1.0.0-cp312-cp312-macosx_14_0_arm64.whl'] })));
    expect(planOf(graph, [MAC], { noBuild: true }, { onlyDeps: true }).errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/--no-build forbids building its sdist \(the lock's macOS wheels need macOS 14\.0 or newer, .*MACOSX_DEPLOYMENT_TARGET=14\.0/),
    ]);
  });
});
