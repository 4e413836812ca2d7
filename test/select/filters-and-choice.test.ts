/**
 * Filters that match nothing are errors, not empty wheelhouses: an index
 * the lock does not name (SELECT_UNKNOWN_INDEX), a selection with no
 * package at all (SELECT_EMPTY, unless allowEmpty). And what selection
 * reports of itself for the manifest: the groups and extras the flags
 * amount to, and the default groups that took part and where they came from.
 */
import { describe, expect, it } from 'vitest';
import type { LockGraph, ProjectSettings } from '../../src/model.js';
import { lockIndexes, packageIndex } from '../../src/select/filters.js';
import { select } from '../../src/select/index.js';
import type { SelectOptions } from '../../src/select/options.js';
import { LINUX, graphOf, pkg, uvLock } from '../helpers/uv-lock.js';

const NONE: ProjectSettings = { defaultGroups: null, indexes: new Map() };
const MIRROR = 'https://artifactory.example.com/api/pypi/pypi-remote/simple';

const names = (graph: LockGraph, options: SelectOptions, settings = NONE): string[] =>
  select(graph, [LINUX], options, settings).targets[0]!.packages.map((index) => graph.packages[index]!.name);

/** A project locked through a PyPI mirror (every package names the mirror), with one package from a second index. */
const mirrored = graphOf(
  uvLock(
    {},
    pkg('app', { source: '{ virtual = "." }', deps: ['requests', 'torch'], groups: { dev: ['pytest'], docs: ['sphinx'] } }),
    pkg('requests', { source: `{ registry = "${MIRROR}" }` }),
    pkg('pytest', { source: `{ registry = "${MIRROR}" }` }),
    pkg('sphinx', { source: `{ registry = "${MIRROR}" }` }),
    pkg('torch', { source: '{ registry = "https://download.pytorch.org/whl/cpu" }' }),
  ),
);

/** A pylock as pip writes it: no `index`, files on files.pythonhosted.org (and one elsewhere). */
const pipPylock = graphOf(
  [
    'lock-version = "1.0"',
    'created-by = "pip"',
    '[[packages]]',
    'name = "idna"',
    'version = "3.10"',
    `wheels = [{ url = "https://files.pythonhosted.org/packages/76/c6/idna-3.10-py3-none-any.whl", hashes = { sha256 = "${'a'.repeat(64)}" } }]`,
    '[[packages]]',
    'name = "internal"',
    'version = "1.0"',
    `wheels = [{ url = "https://files.corp.example/internal-1.0-py3-none-any.whl", hashes = { sha256 = "${'b'.repeat(64)}" } }]`,
  ].join('\n'),
  'pylock.toml',
);

describe('--index / --exclude-index name an index of the lock, or are an error', () => {
  it('the lock\'s indexes: each package\'s, normalized', () => {
    expect(lockIndexes(mirrored)).toEqual(['https://artifactory.example.com/api/pypi/pypi-remote/simple', 'https://download.pytorch.org/whl/cpu']);
  });

  it('an index URL no package was locked from is SELECT_UNKNOWN_INDEX, listing the lock\'s, with --mirror in the hint', () => {
    expect(() => names(mirrored, { indexes: ['http://127.0.0.1:9/simple'] })).toThrow(
      expect.objectContaining({
        code: 'SELECT_UNKNOWN_INDEX',
        message: `--index "http://127.0.0.1:9/simple" is no index of uv.lock: its packages come from ${MIRROR}, https://download.pytorch.org/whl/cpu`,
        hint: expect.stringMatching(/uv's --index, "use this index", is not what it means here.*--mirror FROM=TO/),
      }),
    );
  });

  it('--exclude-index pypi on a lock made through a PyPI mirror excludes nothing silently no more: it is an error naming the mirror', () => {
    expect(() => names(mirrored, { excludeIndexes: ['pypi'] })).toThrow(
      expect.objectContaining({ code: 'SELECT_UNKNOWN_INDEX', hint: expect.stringContaining("names the mirror: --exclude-index with the mirror's URL") }),
    );
  });

  it('an index the lock does name works, whatever its trailing slash and host case', () => {
    expect(names(mirrored, { excludeIndexes: ['https://DOWNLOAD.pytorch.org/whl/cpu/'] })).not.toContain('torch');
    expect(names(mirrored, { indexes: [`${MIRROR}/`] })).toEqual(['requests', 'pytest']);
  });

  it('pypi names the files on files.pythonhosted.org of a pylock that gives no index (pip, pdm)', () => {
    expect(packageIndex(pipPylock.packages[0]!)).toBe('https://pypi.org/simple');
    expect(packageIndex(pipPylock.packages[1]!)).toBeNull();
    expect(names(pipPylock, { excludeIndexes: ['pypi'] })).toEqual(['internal']);
    expect(names(pipPylock, { indexes: ['pypi'] })).toEqual(['idna']);
  });
});

describe('a selection with no package at all', () => {
  it('is SELECT_EMPTY, counting what was left out and why', () => {
    expect(() => names(mirrored, { indexes: ['https://download.pytorch.org/whl/cpu'], excludePackages: ['torch'] })).toThrow(
      expect.objectContaining({
        code: 'SELECT_EMPTY',
        message: 'nothing to collect from uv.lock for x86_64-manylinux_2_28-cp312: it reaches 4 package(s) and leaves out every one: 1 virtual project, 2 not from a selected index (--index), 1 excluded (--exclude-package)',
        hint: expect.stringContaining('--allow-empty'),
      }),
    );
  });

  it('is what was wanted with allowEmpty', () => {
    expect(names(mirrored, { indexes: ['https://download.pytorch.org/whl/cpu'], excludePackages: ['torch'], allowEmpty: true })).toEqual([]);
  });

  it('with --all-platforms too', () => {
    const empty = graphOf(uvLock({}, pkg('app', { source: '{ virtual = "." }' })));
    expect(() => select(empty, [], { allPlatforms: true })).toThrow(expect.objectContaining({ code: 'SELECT_EMPTY', message: expect.stringContaining('with --all-platforms') }));
  });
});

describe('what the flags amount to (the manifest records it)', () => {
  it('the default groups: uv\'s dev without a pyproject.toml, [tool.uv] default-groups with one, the caller\'s when given', () => {
    expect(select(mirrored, [LINUX]).choice).toMatchObject({
      dependencies: true,
      knownGroups: ['dev', 'docs'],
      groups: ['dev'],
      defaultGroups: { groups: ['dev'], from: 'uv-default' },
    });
    const settings: ProjectSettings = { defaultGroups: ['docs'], indexes: new Map() };
    expect(select(mirrored, [LINUX], {}, settings).choice).toMatchObject({ groups: ['docs'], defaultGroups: { groups: ['docs'], from: 'pyproject' } });
    expect(select(mirrored, [LINUX], { defaultGroups: 'all' }, settings).choice).toMatchObject({ groups: ['dev', 'docs'], defaultGroups: { groups: 'all', from: 'given' } });
  });

  it('--no-dev and --no-default-groups spell different flags and select the same groups; --only-group leaves the defaults and the projects out', () => {
    expect(select(mirrored, [LINUX], { noDev: true }).choice).toMatchObject({ groups: [], defaultGroups: { groups: ['dev'] } });
    expect(select(mirrored, [LINUX], { noDefaultGroups: true }).choice).toMatchObject({ groups: [], defaultGroups: null });
    expect(select(mirrored, [LINUX], { onlyGroups: ['docs'] }).choice).toMatchObject({ dependencies: false, groups: ['docs'], defaultGroups: null });
  });

  it('the index filters as the URLs they named', () => {
    expect(select(mirrored, [LINUX], { excludeIndexes: ['https://download.pytorch.org/whl/cpu/'] }).choice.excludeIndexes).toEqual(['https://download.pytorch.org/whl/cpu']);
  });
});

describe("uv's --no-emit-project and --no-emit-workspace", () => {
  const workspace = graphOf(
    uvLock(
      { members: ['app', 'lib'] },
      pkg('app', { source: '{ editable = "." }', deps: ['lib', 'pure'] }),
      pkg('lib', { source: '{ editable = "libs/lib" }', deps: ['dep'] }),
      pkg('pure'),
      pkg('dep'),
    ),
  );
  const taken = (options: Parameters<typeof select>[2]) => {
    const selection = select(workspace, [LINUX], options);
    return { names: selection.targets[0]!.packages.map((index) => workspace.packages[index]!.name).sort(), choice: selection.choice };
  };

  it('--no-emit-project leaves out the project at the root, keeps the other members and every dependency', () => {
    const { names, choice } = taken({ noEmitProject: true });
    expect(names).toEqual(['dep', 'lib', 'pure']);
    expect(choice.noEmit).toEqual(['app']);
  });

  it('--no-emit-workspace leaves out every member, keeps what they need', () => {
    const { names, choice } = taken({ noEmitWorkspace: true });
    expect(names).toEqual(['dep', 'pure']);
    expect(choice.noEmit).toEqual(['app', 'lib']);
  });

  it('needs a uv.lock', () => {
    const pylock = graphOf('lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nversion = "1"\n[[packages.wheels]]\nname = "a-1-py3-none-any.whl"\nurl = "https://x/a-1-py3-none-any.whl"\nhashes = { sha256 = "' + 'a'.repeat(64) + '" }\n', 'pylock.toml');
    expect(() => select(pylock, [LINUX], { noEmitWorkspace: true })).toThrow(/--no-emit-workspace needs a uv\.lock/);
  });
});
