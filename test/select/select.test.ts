/**
 * Selection from a uv.lock, flag by flag, as uv's flags of the same names
 * behave (DESIGN.md "Lock semantics to get right").
 */
import { describe, expect, it } from 'vitest';
import type { LockGraph, ProjectSettings, Target } from '../../src/model.js';
import { select } from '../../src/select/index.js';
import type { SelectOptions } from '../../src/select/options.js';
import { LINUX, LINUX_311, WINDOWS, graphOf, pkg, target, uvLock } from '../helpers/uv-lock.js';

const NONE: ProjectSettings = { defaultGroups: null, indexes: new Map() };

function selected(graph: LockGraph, options: SelectOptions = {}, on: Target = LINUX, settings = NONE): string[] {
  const [result] = select(graph, [on], options, settings).targets;
  return result!.packages.map((index) => graph.packages[index]!.name);
}

function skipped(graph: LockGraph, options: SelectOptions = {}, on: Target = LINUX, settings = NONE): Record<string, string> {
  const [result] = select(graph, [on], options, settings).targets;
  return Object.fromEntries([...result!.skipped].map(([index, reason]) => [graph.packages[index]!.name, reason]));
}

/** A project with a dependency, an extra, two groups and a platform-specific dependency. */
const project = graphOf(
  uvLock(
    {},
    pkg('app', {
      source: '{ editable = "." }',
      version: '0.1.0',
      deps: ['requests', '{ name = "pywin32", marker = "sys_platform == \'win32\'" }'],
      optional: { cli: ['{ name = "click", extra = ["color"] }'] },
      groups: { dev: ['pytest'], docs: ['sphinx'] },
    }),
    pkg('requests', { deps: ['idna'] }),
    pkg('idna'),
    pkg('pywin32', { wheels: ['pywin32-1.0.0-cp312-cp312-win_amd64.whl'] }),
    pkg('click', { optional: { color: ['colorama'] } }),
    pkg('colorama'),
    pkg('pytest', { deps: ['iniconfig'] }),
    pkg('iniconfig'),
    pkg('sphinx'),
  ),
);

describe('roots, dependencies and markers', () => {
  it('takes the project, its dependencies and the dev group by default', () => {
    expect(selected(project)).toEqual(['app', 'requests', 'idna', 'pytest', 'iniconfig']);
  });

  it('follows markers per target', () => {
    expect(selected(project, {}, WINDOWS)).toContain('pywin32');
    expect(selected(project, {}, LINUX)).not.toContain('pywin32');
  });

  it('serves every target in one run, each with its own packages', () => {
    const result = select(project, [LINUX, WINDOWS]);
    expect(result.targets.map((entry) => entry.packages.length)).toEqual([5, 6]);
  });
});

describe('extras', () => {
  it('--extra follows the extras each edge names, transitively', () => {
    expect(selected(project, { extras: ['cli'] })).toEqual(expect.arrayContaining(['click', 'colorama']));
  });

  it('--all-extras takes every extra; --no-extra leaves one out', () => {
    expect(selected(project, { allExtras: true })).toContain('click');
    expect(selected(project, { allExtras: true, noExtras: ['cli'] })).not.toContain('click');
  });

  it('an unknown extra is an error that lists the known ones', () => {
    expect(() => selected(project, { extras: ['gui'] })).toThrowErrorMatchingInlineSnapshot(
      `[LockhouseError: --extra gui: no such extra in app (uv.lock)]`,
    );
    expect(() => selected(project, { extras: ['gui'] })).toThrow(expect.objectContaining({ hint: 'extras: cli', exitCode: 2 }));
  });
});

describe('dependency groups, as uv', () => {
  it.each<[string, SelectOptions, string[], string[]]>([
    ['--no-dev', { noDev: true }, ['requests'], ['pytest']],
    ['--group docs', { groups: ['docs'] }, ['sphinx', 'pytest'], []],
    ['--no-default-groups', { noDefaultGroups: true }, ['requests'], ['pytest', 'sphinx']],
    ['--all-groups', { allGroups: true }, ['pytest', 'sphinx'], []],
    ['--all-groups --no-group dev', { allGroups: true, noGroups: ['dev'] }, ['sphinx'], ['pytest']],
    ['--only-group docs', { onlyGroups: ['docs'] }, ['sphinx'], ['app', 'requests', 'pytest']],
    ['--only-dev', { onlyDev: true }, ['pytest', 'iniconfig'], ['app', 'requests', 'sphinx']],
    ['--dev --no-dev (no-group wins)', { dev: true, noDev: true }, [], ['pytest']],
  ])('%s', (_flag, options, present, absent) => {
    const got = selected(project, options);
    for (const name of present) expect(got).toContain(name);
    for (const name of absent) expect(got).not.toContain(name);
  });

  it('takes the default groups from [tool.uv] default-groups, "all" included', () => {
    expect(selected(project, {}, LINUX, { ...NONE, defaultGroups: ['docs'] })).toEqual(expect.arrayContaining(['sphinx']));
    expect(selected(project, {}, LINUX, { ...NONE, defaultGroups: ['docs'] })).not.toContain('pytest');
    expect(selected(project, {}, LINUX, { ...NONE, defaultGroups: 'all' })).toEqual(expect.arrayContaining(['sphinx', 'pytest']));
  });

  it('an unknown group is an error; dev is tolerated, as uv does', () => {
    expect(() => selected(project, { groups: ['lint'] })).toThrow(expect.objectContaining({ code: 'SELECT_UNKNOWN_GROUP', hint: 'groups: dev, docs' }));
    const noGroups = graphOf(uvLock({}, pkg('solo', { source: '{ editable = "." }' })));
    expect(selected(noGroups, { dev: true })).toEqual(['solo']);
  });

  it('--all-groups with --only-group is a usage error', () => {
    expect(() => selected(project, { allGroups: true, onlyGroups: ['docs'] })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('workspaces', () => {
  const workspace = graphOf(
    uvLock(
      { members: ['api', 'worker'] },
      pkg('api', { source: '{ editable = "packages/api" }', deps: ['fastapi'] }),
      pkg('worker', { source: '{ editable = "packages/worker" }', deps: ['celery', 'api'] }),
      pkg('fastapi'),
      pkg('celery'),
    ),
  );

  it('starts from every member by default', () => {
    expect(selected(workspace).sort()).toEqual(['api', 'celery', 'fastapi', 'worker']);
  });

  it('--package narrows to members (and what they need, members included)', () => {
    expect(selected(workspace, { packages: ['api'] }).sort()).toEqual(['api', 'fastapi']);
    expect(selected(workspace, { packages: ['worker'] }).sort()).toEqual(['api', 'celery', 'fastapi', 'worker']);
  });

  it('--package of a non-member is an error naming the members', () => {
    expect(() => selected(workspace, { packages: ['fastapi'] })).toThrow(
      expect.objectContaining({ code: 'SELECT_UNKNOWN_PACKAGE', hint: 'members: api, worker' }),
    );
  });

  it('--only-deps leaves the local projects out, with the reason, and keeps what they need', () => {
    expect(selected(workspace, { onlyDeps: true }).sort()).toEqual(['celery', 'fastapi']);
    expect(skipped(workspace, { onlyDeps: true })).toEqual({ api: 'local project (--only-deps)', worker: 'local project (--only-deps)' });
  });
});

describe('forks: a name locked at two versions', () => {
  const forked = graphOf(
    uvLock(
      {},
      pkg('app', {
        source: '{ virtual = "." }',
        deps: [
          `{ name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.12'" }`,
          `{ name = "numpy", version = "2.1.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.12'" }`,
        ],
      }),
      pkg('numpy', { version: '1.26.4' }),
      pkg('numpy', { version: '2.1.0' }),
    ),
  );
  const version = (on: Target): string[] =>
    select(forked, [on]).targets[0]!.packages.map((index) => forked.packages[index]!.version ?? '');

  it('the edge that holds for the target picks the version', () => {
    expect(version(LINUX_311)).toEqual(['1.26.4']);
    expect(version(LINUX)).toEqual(['2.1.0']);
  });

  it('a virtual root has nothing to collect, and says so', () => {
    expect(skipped(forked)).toEqual({ app: 'virtual project: nothing to collect' });
  });
});

describe('conflicting extras (uv conflict markers)', () => {
  // torch is locked twice, from two indexes, one per conflicting extra.
  const torch = graphOf(
    uvLock(
      { conflicts: '[[{ package = "ml", extra = "cpu" }, { package = "ml", extra = "gpu" }]]' },
      pkg('ml', {
        source: '{ editable = "." }',
        version: '1.0.0',
        deps: ['numpy'],
        optional: {
          cpu: [`{ name = "torch", version = "2.5.0+cpu", source = { registry = "https://download.pytorch.org/whl/cpu" }, marker = "extra == 'extra-2-ml-cpu'" }`],
          gpu: [
            `{ name = "torch", version = "2.5.0+cu124", source = { registry = "https://download.pytorch.org/whl/cu124" }, marker = "extra == 'extra-2-ml-gpu'" }`,
            `{ name = "triton", marker = "extra == 'extra-2-ml-gpu' and extra != 'extra-2-ml-cpu'" }`,
          ],
        },
      }),
      pkg('numpy'),
      pkg('torch', { version: '2.5.0+cpu', source: '{ registry = "https://download.pytorch.org/whl/cpu" }', wheels: ['torch-2.5.0+cpu-cp312-cp312-manylinux_2_28_x86_64.whl'] }),
      pkg('torch', { version: '2.5.0+cu124', source: '{ registry = "https://download.pytorch.org/whl/cu124" }', wheels: ['torch-2.5.0+cu124-cp312-cp312-manylinux_2_28_x86_64.whl'] }),
      pkg('triton'),
    ),
  );
  const versions = (options: SelectOptions): string[] =>
    select(torch, [LINUX], options).targets[0]!.packages.map((index) => `${torch.packages[index]!.name}==${torch.packages[index]!.version}`);

  it('each extra takes its own torch', () => {
    expect(versions({ extras: ['cpu'] })).toEqual(['ml==1.0.0', 'numpy==1.0.0', 'torch==2.5.0+cpu']);
    expect(versions({ extras: ['gpu'] })).toEqual(['ml==1.0.0', 'numpy==1.0.0', 'torch==2.5.0+cu124', 'triton==1.0.0']);
  });

  it('neither extra: no torch at all', () => {
    expect(versions({})).toEqual(['ml==1.0.0', 'numpy==1.0.0']);
  });

  it('both sides of a declared conflict are an error naming both', () => {
    expect(() => versions({ extras: ['cpu', 'gpu'] })).toThrowErrorMatchingInlineSnapshot(
      `[LockhouseError: extra \`ml[cpu]\` and extra \`ml[gpu]\` are declared as conflicting (tool.uv.conflicts): they cannot be collected together]`,
    );
    expect(() => versions({ allExtras: true })).toThrow(expect.objectContaining({ code: 'SELECT_CONFLICT' }));
  });

  it('an extra switched on through the graph counts too', () => {
    const transitive = graphOf(
      uvLock(
        { conflicts: '[[{ package = "lib", extra = "a" }, { package = "lib", extra = "b" }]]' },
        pkg('app', { source: '{ editable = "." }', deps: ['{ name = "lib", extra = ["a"] }'], optional: { more: ['{ name = "lib", extra = ["b"] }'] } }),
        pkg('lib', {
          optional: {
            a: [`{ name = "x", marker = "extra == 'extra-3-lib-a'" }`],
            b: [`{ name = "y", marker = "extra == 'extra-3-lib-b'" }`],
          },
        }),
        pkg('x'),
        pkg('y'),
      ),
    );
    expect(selected(transitive)).toEqual(['app', 'lib', 'x']);
    expect(() => selected(transitive, { extras: ['more'] })).toThrow(expect.objectContaining({ code: 'SELECT_CONFLICT' }));
  });
});

describe('targets the lock does not cover are refused, as uv does', () => {
  it('outside requires-python', () => {
    const lock = graphOf(uvLock({ requiresPython: '>=3.12' }, pkg('app', { source: '{ editable = "." }' })));
    expect(() => select(lock, [LINUX_311])).toThrowErrorMatchingInlineSnapshot(
      `[LockhouseError: target x86_64-manylinux_2_28-cp311 (Python 3.11.0) is outside the requires-python ">=3.12" of uv.lock]`,
    );
  });

  it('outside supported-markers', () => {
    const lock = graphOf(
      uvLock({ extra: `supported-markers = ["sys_platform == 'linux'"]` }, pkg('app', { source: '{ editable = "." }' })),
    );
    expect(selected(lock, {}, LINUX)).toEqual(['app']);
    expect(() => select(lock, [WINDOWS])).toThrow(expect.objectContaining({ code: 'TARGET_UNSUPPORTED_ENVIRONMENT' }));
  });
});

describe('a lock without a project: [manifest] requirements and groups', () => {
  const script = graphOf(
    uvLock(
      {
        extra: [
          '',
          '[manifest]',
          `requirements = [{ name = "rich" }, { name = "colorama", marker = "sys_platform == 'win32'" }]`,
          '',
          '[manifest.dependency-groups]',
          'dev = [{ name = "pytest" }]',
        ].join('\n'),
      },
      pkg('rich'),
      pkg('colorama'),
      pkg('pytest'),
    ),
  );

  it('collects the requirements (by marker) and the default groups', () => {
    expect(selected(script)).toEqual(['rich', 'pytest']);
    expect(selected(script, {}, WINDOWS)).toEqual(['rich', 'colorama', 'pytest']);
    expect(selected(script, { noDev: true })).toEqual(['rich']);
  });
});

describe('leaving packages out', () => {
  const lock = graphOf(
    uvLock(
      {},
      pkg('app', { source: '{ editable = "." }', deps: ['boto3', 'torch', 'git-dep'] }),
      pkg('boto3', { deps: ['botocore', 'urllib3'] }),
      pkg('botocore', { deps: ['urllib3'] }),
      pkg('urllib3'),
      pkg('torch', { source: '{ registry = "https://download.pytorch.org/whl/cpu" }', deps: ['filelock'] }),
      pkg('filelock'),
      pkg('git-dep', { source: '{ git = "https://github.com/example/git-dep?rev=v1#0123456789abcdef0123456789abcdef01234567" }' }),
    ),
  );
  const settings: ProjectSettings = { defaultGroups: null, indexes: new Map([['pytorch-cpu', 'https://download.pytorch.org/whl/cpu/']]) };

  it('--exclude-package prunes a package and what only it needs', () => {
    expect(selected(lock, { excludePackages: ['boto3'] })).toEqual(['app', 'torch', 'filelock', 'git-dep']);
    expect(skipped(lock, { excludePackages: ['boto3'] })).toEqual({ boto3: 'excluded (--exclude-package)' });
  });

  it('--no-emit-package leaves its files out but keeps what it needs', () => {
    expect(selected(lock, { noEmitPackages: ['boto3'] })).toContain('botocore');
    expect(skipped(lock, { noEmitPackages: ['boto3'] })).toEqual({ boto3: 'not emitted (--no-emit-package)' });
  });

  it('--exclude-index by [[tool.uv.index]] name, or by URL whatever its trailing slash and host case', () => {
    for (const value of ['pytorch-cpu', 'https://DOWNLOAD.pytorch.org/whl/cpu/']) {
      expect(selected(lock, { excludeIndexes: [value] }, LINUX, settings)).not.toContain('torch');
      expect(selected(lock, { excludeIndexes: [value] }, LINUX, settings)).toContain('filelock');
    }
  });

  it('--index pypi keeps only what pypi serves, saying why for the rest', () => {
    const left = skipped(lock, { indexes: ['pypi'] }, LINUX, settings);
    expect(left).toEqual({
      app: 'not from a selected index (--index): its source is editable',
      torch: 'not from a selected index (--index): locked from https://download.pytorch.org/whl/cpu',
      'git-dep': 'not from a selected index (--index): its source is vcs',
    });
  });

  it('an index name that is not in pyproject.toml is an error listing the known names', () => {
    expect(() => selected(lock, { indexes: ['internal'] }, LINUX, settings)).toThrow(
      expect.objectContaining({ code: 'SELECT_UNKNOWN_INDEX', hint: expect.stringContaining('known: pytorch-cpu, pypi') }),
    );
  });
});

describe('--all-platforms', () => {
  it('takes every package of the lock, markers unevaluated — but no source tree to build: mirroring takes the files the lock names', () => {
    const result = select(project, [], { allPlatforms: true });
    expect(result.targets).toEqual([]);
    const trees = project.packages.filter((pkg) => ['editable', 'directory', 'vcs'].includes(pkg.source.kind));
    expect(trees.length).toBeGreaterThan(0);
    expect(result.allPlatforms!.packages).toHaveLength(project.packages.length - trees.length);
    for (const tree of trees) expect(result.allPlatforms!.skipped.get(tree.index)).toMatch(/--all-platforms takes the files the lock names, and builds nothing/);
  });

  it('refuses flags that narrow by walking the graph', () => {
    expect(() => select(project, [], { allPlatforms: true, extras: ['cli'], noDev: true })).toThrowErrorMatchingInlineSnapshot(
      `[LockhouseError: --all-platforms takes every package in the lock; --extra, --no-dev cannot narrow it]`,
    );
  });
});

it('targets are data: the same lock for another target changes only what markers say', () => {
  const mac = target('aarch64-apple-darwin', '3.13');
  expect(selected(project, {}, mac)).toEqual(selected(project, {}, LINUX));
});

describe('pylock specifics', () => {
  const pylock = graphOf(
    [
      'lock-version = "1.0"',
      'created-by = "test"',
      '[[packages]]',
      'name = "a"',
      'version = "1.0"',
      'wheels = [{ url = "https://x.example/a-1.0-py3-none-any.whl", hashes = { sha256 = "' + 'a'.repeat(64) + '" } }]',
      '[[packages]]',
      'name = "b"',
      'version = "2.0"',
      'index = "https://pypi.org/simple"',
      'wheels = [{ url = "https://x.example/b-2.0-py3-none-any.whl", hashes = { sha256 = "' + 'b'.repeat(64) + '" } }]',
    ].join('\n'),
    'pylock.toml',
  );

  it('--exclude-package leaves out the package itself (there is no graph to prune)', () => {
    expect(selected(pylock, { excludePackages: ['a'] })).toEqual(['b']);
  });

  it('--index: a package written without an index is left out, saying the lock does not say', () => {
    expect(skipped(pylock, { indexes: ['pypi'] })).toEqual({ a: 'not from a selected index (--index): the lock does not say which index it is from' });
  });

  it('--package is refused: a pylock has no workspace members', () => {
    expect(() => selected(pylock, { packages: ['a'] })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
