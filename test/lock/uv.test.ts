import { describe, expect, it } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';
import type { LockGraph, Package } from '../../src/model.js';

const SHA = (c: string): string => c.repeat(64);

/** A lock with the header uv writes today, plus the given tables. */
function lock(body: string, header = 'version = 1\nrevision = 3\nrequires-python = ">=3.10"\n'): string {
  return `${header}\n${body}`;
}

function parse(text: string): LockGraph {
  return parseLock(text, 'uv.lock');
}

function pkg(graph: LockGraph, name: string, version?: string): Package {
  const found = graph.packages.find((p) => p.name === name && (version === undefined || p.version === version));
  if (!found) throw new Error(`no package ${name} ${version ?? ''}`);
  return found;
}

function failure(text: string): { code: string; message: string; hint: string | undefined } {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof LockhouseError) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error('expected a LockhouseError');
}

const PROJECT = `
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "anyio" }]
`;

const ANYIO = `
[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/packages/e6/anyio-4.4.0.tar.gz", hash = "sha256:${SHA('a')}", size = 163930, upload-time = "2024-05-26T22:08:47.843Z" }
wheels = [
    { url = "https://files.pythonhosted.org/packages/7b/anyio-4.4.0-py3-none-any.whl", hash = "sha256:${SHA('b')}", size = 86780, upload-time = "2024-05-26T22:08:45.542Z" },
]
`;

describe('uv.lock header', () => {
  it('reads version, revision and requires-python, and the packages', () => {
    const graph = parse(lock(PROJECT + ANYIO));
    expect(graph.format).toBe('uv.lock');
    expect(graph.requiresPython).toBe('>=3.10');
    expect(graph.uv).toMatchObject({ version: 1, revision: 3, legacyDistribution: false, members: [] });
    expect(graph.packages.map((p) => [p.index, p.name, p.version, p.where])).toEqual([
      [0, 'app', '0.1.0', 'package[0]'],
      [1, 'anyio', '4.4.0', 'package[1]'],
    ]);
    expect(graph.warnings).toEqual([]);
  });

  it.each([
    ['absent', 'version = 1\nrequires-python = ">=3.10"\n', 0],
    ['1', 'version = 1\nrevision = 1\n', 1],
    ['2', 'version = 1\nrevision = 2\n', 2],
    ['newer than lockhouse knows', 'version = 1\nrevision = 99\nsome-future-key = { x = 1 }\n', 99],
  ])('revision %s reads (unknown keys ignored)', (_, header, revision) => {
    const graph = parse(lock(ANYIO, header));
    expect(graph.uv?.revision).toBe(revision);
    expect(graph.packages).toHaveLength(1);
  });

  it('reads a lock with no packages', () => {
    expect(parse('version = 1\nrevision = 3\nrequires-python = ">=3.9"\n').packages).toEqual([]);
  });

  it('refuses another major version, with a hint', () => {
    expect(failure(lock(ANYIO, 'version = 2\n'))).toMatchInlineSnapshot(`
      {
        "code": "LOCK_UNSUPPORTED_VERSION",
        "hint": "this lock was written by a newer uv; upgrade lockhouse, or collect from \`uv export --format pylock.toml\` instead",
        "message": "uv.lock: version: format version 2 is not supported (lockhouse reads version 1)",
      }
    `);
    expect(failure(lock(ANYIO, 'version = "1"\n')).message).toMatchInlineSnapshot(`"uv.lock: version: expected an integer, found "1""`);
  });

  it('says what a pylock saved as uv.lock is', () => {
    expect(failure('lock-version = "1.0"\ncreated-by = "uv"\n[[packages]]\nname = "a"\n')).toMatchInlineSnapshot(`
      {
        "code": "LOCK_INVALID_FIELD",
        "hint": "this looks like a PEP 751 lock (it has \`lock-version\`): name it pylock.toml or pylock.<name>.toml",
        "message": "uv.lock: version: expected an integer, but the key is missing",
      }
    `);
  });

  it('reads markers, conflicts, options and the manifest', () => {
    const graph = parse(
      lock(
        `
resolution-markers = ["sys_platform == 'linux'", "sys_platform != 'linux'"]
supported-markers = ["sys_platform == 'linux'"]
required-markers = ["platform_machine == 'x86_64'"]
conflicts = [[
    { package = "app", extra = "CPU" },
    { package = "app", group = "Dev_Tools" },
    { package = "Other.Pkg" },
]]

[options]
exclude-newer = "2025-01-01T00:00:00Z"
exclude-newer-package = { anyio = true, other = "2024-01-01T00:00:00Z" }

[manifest]
members = ["App", "lib_one"]
requirements = [{ name = "Requests", extras = ["Socks"], specifier = ">=2", marker = "python_version < '3.13'" }]
constraints = [{ name = "urllib3", specifier = "<3" }]
overrides = [{ name = "idna", git = "https://github.com/kjd/idna" }]
build-constraints = [{ name = "setuptools", specifier = "<80" }]
dependency-metadata = [{ name = "x", version = "1", requires-dist = [] }]

[manifest.dependency-groups]
Lint = [{ name = "ruff" }]
${ANYIO}`,
      ),
    );
    expect(graph.uv?.resolutionMarkers.map((m) => m.text)).toEqual(["sys_platform == 'linux'", "sys_platform != 'linux'"]);
    expect(graph.uv?.supportedMarkers.map((m) => m.text)).toEqual(["sys_platform == 'linux'"]);
    expect(graph.uv?.requiredMarkers.map((m) => m.text)).toEqual(["platform_machine == 'x86_64'"]);
    expect(graph.uv?.conflicts).toEqual([
      [
        { package: 'app', kind: 'extra', name: 'cpu' },
        { package: 'app', kind: 'group', name: 'dev-tools' },
        { package: 'other-pkg', kind: 'project' },
      ],
    ]);
    expect(graph.uv?.members).toEqual(['app', 'lib-one']);
    expect(graph.uv?.requirements).toEqual([
      { name: 'requests', extras: ['socks'], marker: expect.objectContaining({ text: "python_version < '3.13'" }) },
    ]);
    expect([...(graph.uv?.dependencyGroups ?? [])]).toEqual([['lint', [{ name: 'ruff', extras: [], marker: null }]]]);
  });
});

describe('package sources', () => {
  it.each([
    ['{ registry = "https://pypi.org/simple" }', { kind: 'registry', index: 'https://pypi.org/simple' }],
    ['{ registry = "../../files" }', { kind: 'registry', index: '../../files' }],
    [
      '{ git = "https://github.com/org/repo?tag=v1.0&subdirectory=libs%2Fcore#0123456789abcdef0123456789abcdef01234567" }',
      {
        kind: 'vcs',
        vcs: 'git',
        url: 'https://github.com/org/repo',
        path: null,
        commit: '0123456789abcdef0123456789abcdef01234567',
        reference: { kind: 'tag', value: 'v1.0' },
        subdirectory: 'libs/core',
      },
    ],
    [
      '{ git = "https://github.com/org/repo?branch=main#0123456789ABCDEF0123456789ABCDEF01234567" }',
      expect.objectContaining({ reference: { kind: 'branch', value: 'main' }, commit: '0123456789abcdef0123456789abcdef01234567' }),
    ],
    [
      '{ git = "https://github.com/org/repo?rev=0123456789abcdef0123456789abcdef01234567#0123456789abcdef0123456789abcdef01234567" }',
      expect.objectContaining({ reference: { kind: 'rev', value: '0123456789abcdef0123456789abcdef01234567' } }),
    ],
    [
      '{ git = "https://github.com/org/repo.git#0123456789abcdef0123456789abcdef01234567" }',
      expect.objectContaining({ url: 'https://github.com/org/repo.git', reference: null, subdirectory: null }),
    ],
    ['{ url = "https://example.com/pkg-1.0.tar.gz", subdirectory = "src" }', { kind: 'url', url: 'https://example.com/pkg-1.0.tar.gz', subdirectory: 'src' }],
    ['{ path = "wheels/pkg-1.0-py3-none-any.whl" }', { kind: 'path', path: 'wheels/pkg-1.0-py3-none-any.whl' }],
    ['{ directory = "libs/pkg" }', { kind: 'directory', path: 'libs/pkg' }],
    ['{ editable = "." }', { kind: 'editable', path: '.' }],
    ['{ virtual = "." }', { kind: 'virtual', path: '.' }],
  ])('source = %s', (source, expected) => {
    const graph = parse(lock(`[[package]]\nname = "pkg"\nversion = "1.0"\nsource = ${source}\n`));
    expect(graph.packages[0]?.source).toEqual(expected);
  });

  it.each([
    ['{ }', 'expected a table with exactly one of registry, git, url, path, directory, editable, virtual; found an empty table'],
    ['{ registry = "https://pypi.org/simple", editable = "." }', 'expected a table with exactly one of registry, git, url, path, directory, editable, virtual; found registry and editable'],
    ['{ git = "https://github.com/org/repo" }', 'expected a git URL ending in #<commit>, found "https://github.com/org/repo"'],
    ['{ git = "https://github.com/org/repo#main" }', 'expected a full commit hash after #, found "main"'],
    ['"pypi"', 'expected a source like "registry+https://…" or "editable+.", found "pypi"'],
  ])('refuses source = %s', (source, message) => {
    const { code, message: full } = failure(lock(`[[package]]\nname = "pkg"\nversion = "1.0"\nsource = ${source}\n`));
    expect(code).toBe('LOCK_INVALID_FIELD');
    expect(full).toBe(`uv.lock: package[0].source${source.includes('git') ? '.git' : ''} (pkg 1.0): ${message}`);
  });
});

describe('artifacts', () => {
  it('derives the file name from the URL, parses hashes, and keeps size and upload time', () => {
    const anyio = pkg(parse(lock(ANYIO)), 'anyio');
    expect(anyio.sdist).toEqual({
      kind: 'sdist',
      filename: 'anyio-4.4.0.tar.gz',
      url: 'https://files.pythonhosted.org/packages/e6/anyio-4.4.0.tar.gz',
      path: null,
      hashes: { sha256: SHA('a') },
      size: 163930,
      uploadTime: '2024-05-26T22:08:47.843Z',
      wheelTags: null,
      buildTag: null,
      where: 'package[0].sdist',
    });
    expect(anyio.wheels).toEqual([
      {
        kind: 'wheel',
        filename: 'anyio-4.4.0-py3-none-any.whl',
        url: 'https://files.pythonhosted.org/packages/7b/anyio-4.4.0-py3-none-any.whl',
        path: null,
        hashes: { sha256: SHA('b') },
        size: 86780,
        uploadTime: '2024-05-26T22:08:45.542Z',
        wheelTags: { python: ['py3'], abi: ['none'], platform: ['any'] },
        buildTag: null,
        where: 'package[0].wheels[0]',
      },
    ]);
  });

  it('percent-decodes a URL file name once, and keeps other hash algorithms', () => {
    const torch = pkg(
      parse(
        lock(`
[[package]]
name = "torch"
version = "2.11.0+cpu"
source = { registry = "https://download.pytorch.org/whl/cpu" }
wheels = [
    { url = "https://download.pytorch.org/whl/cpu/torch-2.11.0%2Bcpu-cp312-cp312-linux_x86_64.whl", hash = "sha512:${'C'.repeat(128)}" },
    { url = "https://download.pytorch.org/whl/cpu/torch-2.11.0%2Bcpu-cp312-cp312-win_amd64.whl", hash = "md5:${'d'.repeat(32)}" },
]
`),
      ),
      'torch',
    );
    expect(torch.wheels.map((w) => [w.filename, w.hashes])).toEqual([
      ['torch-2.11.0+cpu-cp312-cp312-linux_x86_64.whl', { sha512: 'c'.repeat(128) }],
      ['torch-2.11.0+cpu-cp312-cp312-win_amd64.whl', { md5: 'd'.repeat(32) }],
    ]);
  });

  it('reads a flat local registry: wheel paths are relative to it, so they are joined onto it', () => {
    const graph = parse(
      lock(`
[[package]]
name = "idna"
version = "3.10"
source = { registry = "../../files" }
sdist = { path = "idna-3.10.tar.gz" }
wheels = [{ path = "idna-3.10-py3-none-any.whl" }, { path = "/abs/idna-3.10-py2-none-any.whl" }]
`),
    );
    const idna = pkg(graph, 'idna');
    expect(idna.sdist).toMatchObject({ filename: 'idna-3.10.tar.gz', path: '../../files/idna-3.10.tar.gz', url: null, hashes: {} });
    expect(idna.wheels.map((w) => [w.filename, w.path, w.url, w.hashes])).toEqual([
      ['idna-3.10-py3-none-any.whl', '../../files/idna-3.10-py3-none-any.whl', null, {}],
      ['idna-3.10-py2-none-any.whl', '/abs/idna-3.10-py2-none-any.whl', null, {}],
    ]);
  });

  it('takes url and path from a url or path source when the artifact has none', () => {
    const graph = parse(
      lock(`
[[package]]
name = "engine"
version = "2.11.0"
source = { path = "third_party/wheels/engine-2.11.0-cp312-cp312-linux_x86_64.whl" }
wheels = [{ filename = "engine-2.11.0-cp312-cp312-linux_x86_64.whl", hash = "sha256:${SHA('e')}" }]

[[package]]
name = "tool"
version = "1.0"
source = { url = "https://example.com/archive/tool-1.0.tar.gz", subdirectory = "py" }
sdist = { hash = "sha256:${SHA('f')}" }

[[package]]
name = "snapshot"
version = "0.1"
source = { url = "https://github.com/org/snapshot/archive/refs/heads/main.zip" }
sdist = { hash = "sha256:${SHA('f')}" }

[[package]]
name = "wheel-url"
version = "1.6.1"
source = { url = "https://github.com/o/r/releases/download/v1/wheel_url-1.6.1-cp312-cp312-linux_x86_64.whl" }
wheels = [{ url = "https://github.com/o/r/releases/download/v1/wheel_url-1.6.1-cp312-cp312-linux_x86_64.whl", hash = "sha256:${SHA('a')}" }]
`),
    );
    expect(pkg(graph, 'engine').wheels[0]).toMatchObject({
      filename: 'engine-2.11.0-cp312-cp312-linux_x86_64.whl',
      path: 'third_party/wheels/engine-2.11.0-cp312-cp312-linux_x86_64.whl',
      url: null,
    });
    expect(pkg(graph, 'tool').sdist).toMatchObject({ filename: 'tool-1.0.tar.gz', url: 'https://example.com/archive/tool-1.0.tar.gz', path: null });
    // A direct URL archive may have any archive name.
    expect(pkg(graph, 'snapshot').sdist).toMatchObject({ filename: 'main.zip' });
    expect(pkg(graph, 'wheel-url').wheels[0]?.filename).toBe('wheel_url-1.6.1-cp312-cp312-linux_x86_64.whl');
  });

  it('ignores zstd wheel subtables (never fetched)', () => {
    const graph = parse(
      lock(`
[[package]]
name = "pkg"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "https://files.example/pkg-1.0-py3-none-any.whl", hash = "sha256:${SHA('a')}", size = 10, zstd = { hash = "sha256:${SHA('b')}", size = 8 } },
]
`),
    );
    expect(graph.packages[0]?.wheels.map((w) => [w.filename, w.hashes, w.size])).toEqual([['pkg-1.0-py3-none-any.whl', { sha256: SHA('a') }, 10]]);
  });

  it('leaves out the artifacts of local source trees and git checkouts (they are built)', () => {
    const graph = parse(
      lock(
        `
[[distribution]]
name = "packse"
version = "0.0.0"
source = "editable+file:///Users/zb/workspace/packse"
sdist = { url = "file:///Users/zb/workspace/packse" }
`,
        'version = 1\nrequires-python = ">=3.12"\n',
      ),
    );
    expect(graph.packages[0]).toMatchObject({ source: { kind: 'editable', path: '/Users/zb/workspace/packse' }, sdist: null, wheels: [] });
  });

  it('leaves out wheel-variant files with a warning', () => {
    const graph = parse(
      lock(`
[[package]]
name = "built-by-uv"
version = "0.1.0"
source = { registry = "../../../files" }
wheels = [
    { path = "built_by_uv-0.1.0-py3-none-any-cpu1.whl" },
    { path = "built_by_uv-0.1.0-py3-none-any.whl" },
]
variants-json = { path = "built_by_uv-0.1.0-variants.json" }
`),
    );
    expect(graph.packages[0]?.wheels.map((w) => w.filename)).toEqual(['built_by_uv-0.1.0-py3-none-any.whl']);
    expect(graph.warnings).toMatchInlineSnapshot(`
      [
        "uv.lock: built-by-uv: left out 1 wheel-variant file (built_by_uv-0.1.0-py3-none-any-cpu1.whl); lockhouse does not read wheel variants",
      ]
    `);
  });

  it('names the package and the place of a bad file name', () => {
    const bad = (wheel: string): string =>
      lock(`
[[package]]
name = "pkg"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "https://files.example/pkg-1.0-py3-none-any.whl", hash = "sha256:${SHA('a')}" },
    { url = "https://files.example/${wheel}", hash = "sha256:${SHA('a')}" },
]
`);
    expect(failure(bad('pkg-1.0-py3-none.whl'))).toMatchInlineSnapshot(`
      {
        "code": "LOCK_INVALID_FILENAME",
        "hint": "the lock names a file that is not a wheel or source distribution; regenerate the lock",
        "message": "uv.lock: package[0].wheels[1] (pkg 1.0): The wheel filename "pkg-1.0-py3-none.whl" is invalid: Must have a platform tag",
      }
    `);
    expect(failure(bad('other-1.0-py3-none-any.whl')).message).toMatchInlineSnapshot(`"uv.lock: package[0].wheels[1] (pkg 1.0): The wheel filename "other-1.0-py3-none-any.whl" does not match the package name "pkg""`);
    expect(failure(bad('pkg-2.0-py3-none-any.whl')).message).toMatchInlineSnapshot(`"uv.lock: package[0].wheels[1] (pkg 1.0): The wheel filename "pkg-2.0-py3-none-any.whl" does not match the package version 1.0"`);
    expect(failure(bad('..%2Fpkg-1.0-py3-none-any.whl')).message).toMatchInlineSnapshot(`"uv.lock: package[0].wheels[1] (pkg 1.0): The wheel filename "../pkg-1.0-py3-none-any.whl" is invalid: Must not contain "/""`);
    expect(failure(bad('pkg-1.0.tar.gz')).message).toMatchInlineSnapshot(`"uv.lock: package[0].wheels[1] (pkg 1.0): The wheel filename "pkg-1.0.tar.gz" is invalid: Must end with .whl"`);
  });

  it('accepts a wheel whose version adds a local part to the locked one (as uv does)', () => {
    const graph = parse(
      lock(`
[[package]]
name = "torch"
version = "2.11.0"
source = { registry = "https://download.pytorch.org/whl/cu128" }
wheels = [{ url = "https://download.pytorch.org/whl/cu128/torch-2.11.0%2Bcu128-cp312-cp312-win_amd64.whl" }]
`),
    );
    expect(graph.packages[0]?.wheels[0]?.filename).toBe('torch-2.11.0+cu128-cp312-cp312-win_amd64.whl');
  });

  it.each([
    ['"sha256"', 'expected "<algorithm>:<hex digest>" (e.g. "sha256:…"), found "sha256"'],
    ['"sha256:xyz"', 'the sha256 digest must be hexadecimal, found "xyz"'],
    ['"sha256:abcd"', 'a sha256 digest has 64 hex digits, found 4'],
  ])('refuses hash = %s', (hash, message) => {
    const { code, message: full } = failure(
      lock(`
[[package]]
name = "pkg"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.example/pkg-1.0.tar.gz", hash = ${hash} }
`),
    );
    expect(code).toBe('LOCK_INVALID_FIELD');
    expect(full).toBe(`uv.lock: package[0].sdist.hash (pkg 1.0): ${message}`);
  });
});

describe('wrong or missing fields', () => {
  it('names the file, the package and the TOML path, with what was expected and found', () => {
    const wheels = Array.from({ length: 4 }, (_, i) => `{ url = "https://f.example/pkg-1.0-py3-none-any.whl", hash = ${i === 3 ? '12' : `"sha256:${SHA('a')}"`} }`);
    const text = lock(`${PROJECT}${ANYIO}
[[package]]
name = "pkg"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheels.join(', ')}]
`);
    expect(failure(text)).toMatchInlineSnapshot(`
      {
        "code": "LOCK_INVALID_FIELD",
        "hint": undefined,
        "message": "uv.lock: package[2].wheels[3].hash (pkg 1.0): expected a string, found 12",
      }
    `);
  });

  it.each([
    ['a missing name', '[[package]]\nversion = "1.0"\nsource = { editable = "." }\n', 'package[0].name: expected a string, but the key is missing'],
    [
      'a size that is not an integer',
      `[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }\nsdist = { url = "https://f.example/a-1.tar.gz", size = 1.5 }\n`,
      'package[0].sdist.size (a 1): expected an integer, found 1.5',
    ],
    [
      'a string where an array belongs',
      '[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\ndependencies = "b"\n',
      'package[0].dependencies (a 1): expected an array, found "b"',
    ],
    ['a number where a source belongs', '[[package]]\nname = "a"\nversion = "1"\nsource = 3\n', 'package[0].source (a 1): expected a string or a table, found 3'],
    [
      'a wrong type inside a source table',
      '[[package]]\nname = "a"\nversion = "1"\nsource = { registry = ["x"] }\n',
      'package[0].source.registry (a 1): expected a string, found an array',
    ],
    [
      'a wrong type in a dependency',
      '[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\n[package.optional-dependencies]\nx = [{ name = "b", marker = 1 }]\n',
      'package[0].optional-dependencies.x[0].marker (a 1): expected a string, found 1',
    ],
    [
      'a registry package without a version',
      '[[package]]\nname = "a"\nsource = { registry = "https://pypi.org/simple" }\n',
      'package[0].version (a): expected a string (a package from a registry has a version), but the key is missing',
    ],
    ['an invalid project name', '[[package]]\nname = "a b"\nversion = "1"\nsource = { editable = "." }\n', 'package[0].name (a b 1): expected a project name, found "a b"'],
    [
      'both [[package]] and [[distribution]]',
      '[[package]]\nname = "a"\nsource = { editable = "." }\n[[distribution]]\nname = "b"\nsource = "editable+."\n',
      'has both [[package]] and [[distribution]] tables; uv writes one or the other',
    ],
    ['a conflict item with both extra and group', 'conflicts = [[{ package = "a", extra = "x", group = "y" }]]\n', 'conflicts[0][0]: expected `extra` or `group`, found both ("x" and "y")'],
  ])('%s', (_, body, message) => {
    const failed = failure(lock(body));
    expect(failed.code).toBe('LOCK_INVALID_FIELD');
    expect(failed.message).toBe(`uv.lock: ${message}`);
  });
});

describe('dependency edges', () => {
  it('resolves by name, normalizing names and extras; reads optional and dev dependencies', () => {
    const graph = parse(
      lock(`
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "AnyIO", extra = ["Trio_Extra"], marker = "python_version >= '3.11'" },
]

[package.optional-dependencies]
Fast_Path = [{ name = "anyio" }]

[package.dev-dependencies]
Dev = [{ name = "anyio", marker = "sys_platform == 'linux'" }]

[package.metadata]
requires-dist = [{ name = "anyio" }]
provides-extras = ["Fast_Path", "empty"]

[package.metadata.requires-dev]
Dev = [{ name = "anyio" }]
${ANYIO}`),
    );
    const app = pkg(graph, 'app');
    expect(app.dependencies).toEqual([
      { name: 'anyio', target: 1, extras: ['trio-extra'], marker: expect.objectContaining({ text: "python_version >= '3.11'" }) },
    ]);
    expect([...app.optionalDependencies.keys()]).toEqual(['fast-path']);
    expect(app.optionalDependencies.get('fast-path')).toEqual([{ name: 'anyio', target: 1, extras: [], marker: null }]);
    expect(app.dependencyGroups.get('dev')?.[0]?.marker?.text).toBe("sys_platform == 'linux'");
    expect(app.declaredExtras).toEqual(['fast-path', 'empty']);
    expect(app.declaredGroups).toEqual(['dev']);
    expect(pkg(graph, 'anyio').declaredExtras).toBeNull();
  });

  it('reads `dependency-groups` as an alias of `dev-dependencies` (as uv does), and `upload_time` of `upload-time`', () => {
    const graph = parse(
      lock(`
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[package.dependency-groups]
test = [{ name = "anyio" }]

[package.metadata.dependency-groups]
test = [{ name = "anyio" }]

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://f.example/anyio-4.4.0-py3-none-any.whl", upload_time = "2024-05-26T22:08:45Z" }]
`),
    );
    expect(pkg(graph, 'app').dependencyGroups.get('test')?.map((d) => d.target)).toEqual([1]);
    expect(pkg(graph, 'app').declaredGroups).toEqual(['test']);
    expect(pkg(graph, 'anyio').wheels[0]?.uploadTime).toBe('2024-05-26T22:08:45Z');
  });

  const twoNumpys = `
[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]

[[package]]
name = "numpy"
version = "2.2.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.12'"]

[[package]]
name = "numpy"
version = "2.2.0+cpu"
source = { registry = "https://download.pytorch.org/whl/cpu" }
`;

  it('picks among packages locked more than once by version and source', () => {
    const graph = parse(
      lock(`
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.12'" },
    { name = "numpy", version = "2.2.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.12'" },
    { name = "numpy", version = "2.2.0+cpu", source = { registry = "https://download.pytorch.org/whl/cpu" } },
    { name = "numpy", version = "2.2.0.0", source = { registry = "https://pypi.org/simple" } },
]
${twoNumpys}`),
    );
    expect(pkg(graph, 'app').dependencies.map((d) => d.target)).toEqual([1, 2, 3, 2]);
    expect(pkg(graph, 'numpy', '1.26.4').resolutionMarkers?.map((m) => m.text)).toEqual(["python_full_version < '3.12'"]);
  });

  it('refuses an edge to a package that is not locked, naming both', () => {
    expect(failure(lock(PROJECT))).toMatchInlineSnapshot(`
      {
        "code": "LOCK_MISSING_PACKAGE",
        "hint": "the lock is incomplete or was edited by hand; regenerate it with \`uv lock\`",
        "message": "uv.lock: package[0].dependencies[0] (app 0.1.0): depends on "anyio", but the lock has no package named "anyio"",
      }
    `);
  });

  it('refuses an edge whose version or source matches no locked package', () => {
    const text = lock(`
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "numpy", version = "3.0.0", source = { registry = "https://pypi.org/simple" } }]
${twoNumpys}`);
    expect(failure(text)).toMatchInlineSnapshot(`
      {
        "code": "LOCK_MISSING_PACKAGE",
        "hint": "the lock is inconsistent; regenerate it with \`uv lock\`",
        "message": "uv.lock: package[0].dependencies[0] (app 0.1.0): depends on "numpy" 3.0.0 from registry https://pypi.org/simple, which is not locked (locked: 1.26.4 from registry https://pypi.org/simple at package[1]; 2.2.0 from registry https://pypi.org/simple at package[2]; 2.2.0+cpu from registry https://download.pytorch.org/whl/cpu at package[3])",
      }
    `);
  });

  it('refuses an edge that cannot pick between two locked packages', () => {
    const text = lock(`
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "numpy", source = { registry = "https://pypi.org/simple" } }]
${twoNumpys}`);
    expect(failure(text)).toMatchInlineSnapshot(`
      {
        "code": "LOCK_AMBIGUOUS_DEPENDENCY",
        "hint": "uv writes \`version\` and \`source\` on every edge to a name locked more than once; regenerate the lock with \`uv lock\`",
        "message": "uv.lock: package[0].dependencies[0] (app 0.1.0): depends on "numpy", which is locked 2 times (1.26.4 from registry https://pypi.org/simple at package[1]; 2.2.0 from registry https://pypi.org/simple at package[2]), and the edge does not say which",
      }
    `);
    expect(failure(text.replace(', source = { registry = "https://pypi.org/simple" }', '')).code).toBe('LOCK_AMBIGUOUS_DEPENDENCY');
  });
});

describe('pre-0.3 [[distribution]] locks', () => {
  it('reads string sources and the old dependency shape, folding the distribution marker into the edges to it', () => {
    const graph = parse(
      `version = 1
requires-python = ">=3.12"

[[distribution]]
name = "backports-tarfile"
version = "1.2.0"
source = "registry+https://pypi.org/simple"
marker = "python_version < '3.12'"
sdist = { url = "https://files.pythonhosted.org/packages/86/backports_tarfile-1.2.0.tar.gz", hash = "sha256:${SHA('a')}", size = 86406 }
wheels = [{ url = "https://files.pythonhosted.org/packages/b9/backports.tarfile-1.2.0-py3-none-any.whl", hash = "sha256:${SHA('b')}", size = 30181 }]

[[distribution]]
name = "jaraco-context"
version = "5.3.0"
source = "registry+https://pypi.org/simple"
sdist = { url = "https://files.pythonhosted.org/packages/jaraco.context-5.3.0.tar.gz", hash = "sha256:${SHA('c')}", size = 1 }

[[distribution.dependencies]]
name = "backports-tarfile"
version = "1.2.0"
source = "registry+https://pypi.org/simple"

[[distribution]]
name = "packse"
version = "0.0.0"
source = "editable+."

[[distribution.dependencies]]
name = "jaraco-context"
version = "5.3.0"
source = "registry+https://pypi.org/simple"
extra = "testing"

[[distribution.dependencies]]
name = "backports-tarfile"
version = "1.2.0"
source = "registry+https://pypi.org/simple"
marker = "sys_platform == 'win32'"

[distribution.dev-dependencies]

[[distribution.dev-dependencies.dev]]
name = "jaraco-context"
version = "5.3.0"
source = "registry+https://pypi.org/simple"
`,
    );
    expect(graph.uv).toMatchObject({ legacyDistribution: true, revision: 0 });
    expect(graph.packages.map((p) => p.where)).toEqual(['distribution[0]', 'distribution[1]', 'distribution[2]']);
    expect(pkg(graph, 'backports-tarfile')).toMatchObject({ source: { kind: 'registry', index: 'https://pypi.org/simple' }, marker: null });
    expect(pkg(graph, 'jaraco-context').dependencies.map((d) => [d.target, d.marker?.text])).toEqual([[0, "python_version < '3.12'"]]);
    const packse = pkg(graph, 'packse');
    expect(packse.source).toEqual({ kind: 'editable', path: '.' });
    expect(packse.dependencies.map((d) => [d.name, d.extras, d.marker?.text])).toEqual([
      ['jaraco-context', ['testing'], undefined],
      ['backports-tarfile', [], "(sys_platform == 'win32') and (python_version < '3.12')"],
    ]);
    expect(packse.dependencyGroups.get('dev')?.map((d) => d.target)).toEqual([1]);
  });

  it.each([
    ['"git+https://github.com/org/repo?rev=v1#0123456789abcdef0123456789abcdef01234567"', { kind: 'vcs', url: 'https://github.com/org/repo', reference: { kind: 'rev', value: 'v1' } }],
    ['"direct+https://example.com/pkg-1.0.tar.gz?subdirectory=src"', { kind: 'url', url: 'https://example.com/pkg-1.0.tar.gz', subdirectory: 'src' }],
    ['"url+https://example.com/pkg-1.0.tar.gz"', { kind: 'url', url: 'https://example.com/pkg-1.0.tar.gz', subdirectory: null }],
    ['"path+file:///srv/wheels/pkg-1.0-py3-none-any.whl"', { kind: 'path', path: '/srv/wheels/pkg-1.0-py3-none-any.whl' }],
    ['"directory+file:///C:/work/pkg"', { kind: 'directory', path: 'C:/work/pkg' }],
    ['"editable+."', { kind: 'editable', path: '.' }],
  ])('source = %s', (source, expected) => {
    const graph = parse(`version = 1\n[[distribution]]\nname = "pkg"\nversion = "1.0"\nsource = ${source}\n`);
    expect(graph.packages[0]?.source).toMatchObject(expected);
  });

  it('reads the 0.2.3x form: [[distribution]] with inline-table sources', () => {
    const graph = parse(
      `version = 1\nrequires-python = ">=3.11"\n\n[[distribution]]\nname = "benchmark"\nversion = "0.0.1"\nsource = { editable = "." }\ndependencies = [{ name = "tomli" }]\n\n[[distribution]]\nname = "tomli"\nversion = "2.0.1"\nsource = { registry = "https://pypi.org/simple" }\n`,
    );
    expect(graph.uv?.legacyDistribution).toBe(true);
    expect(pkg(graph, 'benchmark').dependencies[0]?.target).toBe(1);
  });
});
