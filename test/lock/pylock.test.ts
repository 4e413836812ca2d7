import { describe, expect, it } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';
import type { LockGraph } from '../../src/model.js';

const SHA = (c: string): string => c.repeat(64);

function parse(text: string, path = 'pylock.toml'): LockGraph {
  return parseLock(text, path);
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

const HEAD = 'lock-version = "1.0"\ncreated-by = "uv"\n';

/** The PEP 751 example, trimmed. */
const SPEC_EXAMPLE = `
lock-version = '1.0'
environments = ["sys_platform == 'win32'", "sys_platform == 'linux'"]
requires-python = '== 3.12'
created-by = 'mousebender'

[[packages]]
name = 'attrs'
version = '25.1.0'
requires-python = '>= 3.8'

    [[packages.wheels]]
    name = 'attrs-25.1.0-py3-none-any.whl'
    upload-time = 2025-01-25T11:30:10.164985+00:00
    url = 'https://files.pythonhosted.org/packages/fc/30/attrs-25.1.0-py3-none-any.whl'
    size = 63152
    hashes = {sha256 = '${SHA('c')}'}

    [[packages.attestation-identities]]
    environment = 'release-pypi'
    kind = 'GitHub'
    repository = 'python-attrs/attrs'
    workflow = 'pypi-package.yml'

[[packages]]
name = 'numpy'
version = '2.2.3'
requires-python = '>= 3.10'

    [[packages.wheels]]
    name = 'numpy-2.2.3-cp312-cp312-win_amd64.whl'
    upload-time = 2025-02-13T16:51:21.821880+00:00
    url = 'https://files.pythonhosted.org/packages/42/6e/numpy-2.2.3-cp312-cp312-win_amd64.whl'
    size = 12626357
    hashes = {sha256 = '${SHA('8')}'}

    [[packages.wheels]]
    name = 'numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'
    url = 'https://files.pythonhosted.org/packages/39/04/numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'
    hashes = {sha256 = '${SHA('5')}'}

[tool.mousebender]
command = ['.', 'lock', '--platform', 'cpython3.12-windows-x64']
`;

describe('pylock.toml header', () => {
  it('reads the PEP 751 example', () => {
    const graph = parse(SPEC_EXAMPLE);
    expect(graph).toMatchObject({ format: 'pylock', requiresPython: '== 3.12', uv: null, warnings: [] });
    expect(graph.pylock).toMatchObject({ lockVersion: '1.0', createdBy: 'mousebender', extras: [], dependencyGroups: [], defaultGroups: [] });
    expect(graph.pylock?.environments?.map((m) => m.text)).toEqual(["sys_platform == 'win32'", "sys_platform == 'linux'"]);
    const numpy = graph.packages[1];
    expect(numpy).toMatchObject({ index: 1, name: 'numpy', version: '2.2.3', requiresPython: '>= 3.10', where: 'packages[1]', marker: null, sdist: null });
    expect(numpy?.source).toEqual({ kind: 'registry', index: null });
    expect(numpy?.wheels[0]).toEqual({
      kind: 'wheel',
      filename: 'numpy-2.2.3-cp312-cp312-win_amd64.whl',
      url: 'https://files.pythonhosted.org/packages/42/6e/numpy-2.2.3-cp312-cp312-win_amd64.whl',
      path: null,
      hashes: { sha256: SHA('8') },
      size: 12626357,
      uploadTime: '2025-02-13T16:51:21.821Z',
      wheelTags: { python: ['cp312'], abi: ['cp312'], platform: ['win_amd64'] },
      buildTag: null,
      where: 'packages[1].wheels[0]',
    });
  });

  it('reads extras, dependency groups, default groups and package markers (pdm)', () => {
    const graph = parse(`
lock-version = "1.0"
requires-python = ">=3.9"
environments = ["python_version >= \\"3.9\\""]
extras = ["socks"]
dependency-groups = ["default", "Dev"]
default-groups = ["default"]
created-by = "pdm"

[[packages]]
name = "pysocks"
version = "1.7.1"
marker = "'socks' in extras"
requires-python = ">=2.7"
index = "https://pypi.org/simple"
dependencies = [{ name = "six" }]
sdist = { name = "PySocks-1.7.1.tar.gz", url = "https://files.pythonhosted.org/packages/PySocks-1.7.1.tar.gz", hashes = { sha256 = "${SHA('3')}" } }
wheels = [{ name = "PySocks-1.7.1-py3-none-any.whl", url = "https://files.pythonhosted.org/packages/PySocks-1.7.1-py3-none-any.whl", hashes = { sha256 = "${SHA('2')}" } }]

[packages.tool.pdm]
dependencies = []

[tool.pdm]
hashes = true
`);
    expect(graph.pylock).toMatchObject({ createdBy: 'pdm', extras: ['socks'], dependencyGroups: ['default', 'Dev'], defaultGroups: ['default'] });
    const [pysocks] = graph.packages;
    expect(pysocks).toMatchObject({ name: 'pysocks', source: { kind: 'registry', index: 'https://pypi.org/simple' }, dependencies: [] });
    expect(pysocks?.marker?.text).toBe("'socks' in extras");
    expect(pysocks?.sdist?.filename).toBe('PySocks-1.7.1.tar.gz');
  });

  it.each([
    ['1.0', []],
    ['1.1', ['pylock.toml: lock-version 1.1 is newer than 1.0; reading the fields lockhouse knows']],
    ['1', []],
  ])('lock-version %s reads, warning about a newer minor version', (version, warnings) => {
    expect(parse(`lock-version = "${version}"\ncreated-by = "x"\npackages = []\n`).warnings).toEqual(warnings);
  });

  it('refuses another major version', () => {
    expect(failure('lock-version = "2.0"\ncreated-by = "x"\npackages = []\n')).toMatchInlineSnapshot(`
      {
        "code": "LOCK_UNSUPPORTED_VERSION",
        "hint": "this lock was written for a newer PEP 751 format; upgrade lockhouse, or regenerate it with the tool that wrote it",
        "message": "pylock.toml: lock-version: version 2.0 is not supported (lockhouse reads 1.x)",
      }
    `);
    expect(failure('lock-version = 1.0\ncreated-by = "x"\npackages = []\n').message).toMatchInlineSnapshot(`"pylock.toml: lock-version: expected a version string like "1.0", found 1"`);
  });

  it('tolerates a missing created-by', () => {
    expect(parse('lock-version = "1.0"\npackages = []\n').pylock?.createdBy).toBeNull();
  });
});

describe('package sources', () => {
  it('maps vcs to a vcs source', () => {
    const graph = parse(`${HEAD}
[[packages]]
name = "autobean"

[packages.vcs]
type = "git"
url = "https://github.com/SEIAROTg/autobean"
requested-revision = "main"
commit-id = "b14d040eaa75a55731ef650e76425d7d356ec2b9"
subdirectory = "src"
`);
    expect(graph.packages[0]).toMatchObject({
      version: null,
      source: {
        kind: 'vcs',
        vcs: 'git',
        url: 'https://github.com/SEIAROTg/autobean',
        path: null,
        commit: 'b14d040eaa75a55731ef650e76425d7d356ec2b9',
        reference: { kind: 'rev', value: 'main' },
        subdirectory: 'src',
      },
      sdist: null,
      wheels: [],
    });
  });

  it.each([
    ['{ path = ".", editable = true }', { kind: 'editable', path: '.' }],
    ['{ path = "../libs/x", editable = false }', { kind: 'directory', path: '../libs/x' }],
    ['{ path = "../libs/x" }', { kind: 'directory', path: '../libs/x' }],
    ['{ path = "repo/", subdirectory = "python" }', { kind: 'directory', path: 'repo/python' }],
  ])('maps directory = %s', (directory, expected) => {
    const graph = parse(`${HEAD}\n[[packages]]\nname = "x"\ndirectory = ${directory}\n`);
    expect(graph.packages[0]?.source).toEqual(expected);
  });

  it('maps an archive to a url or path source with one artifact, a wheel or an sdist by its name', () => {
    const graph = parse(`${HEAD}
[[packages]]
name = "fava"
archive = { url = "https://github.com/Evernight/fava/raw/5eaeb1c/prebuilt_wheels/fava-1.30.11.dev24+g38469e585.tar.gz", subdirectory = "py", hashes = { sha1 = "${'A'.repeat(40)}" } }

[[packages]]
name = "pkg-prerelease"
archive = { path = "../packages/pkg_prerelease-1.0a1-py3-none-any.whl", size = 1234, hashes = { sha256 = "${SHA('5')}" } }

[[packages]]
name = "snapshot"
archive = { url = "https://github.com/org/snapshot/archive/refs/heads/main.zip", hashes = { sha256 = "${SHA('6')}" } }
`);
    const [fava, prerelease, snapshot] = graph.packages;
    expect(fava?.source).toEqual({
      kind: 'url',
      url: 'https://github.com/Evernight/fava/raw/5eaeb1c/prebuilt_wheels/fava-1.30.11.dev24+g38469e585.tar.gz',
      subdirectory: 'py',
    });
    expect(fava?.sdist).toMatchObject({ kind: 'sdist', filename: 'fava-1.30.11.dev24+g38469e585.tar.gz', hashes: { sha1: 'a'.repeat(40) }, where: 'packages[0].archive' });
    expect(fava?.wheels).toEqual([]);
    expect(prerelease?.source).toEqual({ kind: 'path', path: '../packages/pkg_prerelease-1.0a1-py3-none-any.whl' });
    expect(prerelease?.wheels.map((w) => [w.filename, w.path, w.size])).toEqual([
      ['pkg_prerelease-1.0a1-py3-none-any.whl', '../packages/pkg_prerelease-1.0a1-py3-none-any.whl', 1234],
    ]);
    expect(prerelease?.sdist).toBeNull();
    expect(snapshot?.sdist?.filename).toBe('main.zip');
  });
});

describe('files', () => {
  it('takes the name from `name`, else the path, else the URL percent-decoded once', () => {
    const graph = parse(`${HEAD}
[[packages]]
name = "torch"
version = "2.11.0+cpu"
index = "https://download.pytorch.org/whl/cpu"
wheels = [
    { url = "https://download-r2.pytorch.org/whl/cpu/torch-2.11.0%2Bcpu-cp312-cp312-linux_s390x.whl", upload-time = 2026-04-28T00:06:06Z, hashes = { sha256 = "${SHA('2')}" } },
    { name = "torch-2.11.0+cpu-cp312-cp312-win_amd64.whl", url = "https://download-r2.pytorch.org/whl/cpu/torch-2.11.0%2Bcpu-cp312-cp312-win_amd64.whl", hashes = { sha256 = "${SHA('3')}" } },
    { path = "wheels/torch-2.11.0+cpu-cp312-cp312-macosx_11_0_arm64.whl", url = "https://example.com/ignored-name.whl", hashes = { sha256 = "${SHA('4')}" } },
]
`);
    expect(graph.packages[0]?.wheels.map((w) => [w.filename, w.uploadTime])).toEqual([
      ['torch-2.11.0+cpu-cp312-cp312-linux_s390x.whl', '2026-04-28T00:06:06.000Z'],
      ['torch-2.11.0+cpu-cp312-cp312-win_amd64.whl', null],
      ['torch-2.11.0+cpu-cp312-cp312-macosx_11_0_arm64.whl', null],
    ]);
  });

  it('accepts `hashes = {}` as "no hash" (uv writes it for flat find-links pages)', () => {
    const graph = parse(`${HEAD}
[[packages]]
name = "torch-cluster"
version = "1.6.3+pt211cu130"
wheels = [{ url = "https://data.pyg.org/whl/torch-2.11.0%2Bcu130/torch_cluster-1.6.3%2Bpt211cu130-cp312-cp312-linux_x86_64.whl", hashes = {} }]
`);
    expect(graph.packages[0]?.wheels.map((w) => [w.filename, w.hashes])).toEqual([['torch_cluster-1.6.3+pt211cu130-cp312-cp312-linux_x86_64.whl', {}]]);
  });

  it('lower-cases hash algorithms and digests, and checks known digest lengths', () => {
    const text = (hashes: string): string =>
      `${HEAD}\n[[packages]]\nname = "a"\nversion = "1"\nsdist = { url = "https://f.example/a-1.tar.gz", hashes = ${hashes} }\n`;
    expect(parse(text(`{ SHA256 = "${'AB'.repeat(32)}", blake2b = "${'0'.repeat(128)}" }`)).packages[0]?.sdist?.hashes).toEqual({
      sha256: 'ab'.repeat(32),
      blake2b: '0'.repeat(128),
    });
    expect(failure(text('{ sha256 = "abc" }')).message).toMatchInlineSnapshot(`"pylock.toml: packages[0].sdist.hashes.sha256 (a 1): a sha256 digest has 64 hex digits, found 3"`);
  });

  it.each([
    ['a wheel of another project', 'wheels = [{ url = "https://f.example/b-1-py3-none-any.whl", hashes = {} }]', 'LOCK_INVALID_FILENAME'],
    ['a wheel of another version', 'wheels = [{ url = "https://f.example/a-2-py3-none-any.whl", hashes = {} }]', 'LOCK_INVALID_FILENAME'],
    ['a registry sdist with a non-sdist name', 'sdist = { url = "https://f.example/a-1.exe", hashes = {} }', 'LOCK_INVALID_FILENAME'],
    ['a file with neither url nor path', 'wheels = [{ name = "a-1-py3-none-any.whl", hashes = {} }]', 'LOCK_INVALID_FIELD'],
    ['a file without hashes', 'wheels = [{ url = "https://f.example/a-1-py3-none-any.whl" }]', 'LOCK_INVALID_FIELD'],
    ['sdist and an archive', 'sdist = { url = "https://f.example/a-1.tar.gz", hashes = {} }\narchive = { url = "https://f.example/a-1.tar.gz", hashes = {} }', 'LOCK_INVALID_FIELD'],
    ['vcs and a directory', 'vcs = { type = "git", url = "https://g.example/a", commit-id = "abc" }\ndirectory = { path = "." }', 'LOCK_INVALID_FIELD'],
    ['no source at all', '', 'LOCK_INVALID_FIELD'],
    ['vcs with neither url nor path', 'vcs = { type = "git", commit-id = "abc" }', 'LOCK_INVALID_FIELD'],
  ])('refuses %s', (_, body, code) => {
    expect(failure(`${HEAD}\n[[packages]]\nname = "a"\nversion = "1"\n${body}\n`).code).toBe(code);
  });

  it('names the file, the package and the TOML path', () => {
    const wheels = Array.from({ length: 4 }, (_, i) => `{ url = "https://f.example/a-1-py3-none-any.whl", hashes = { sha256 = ${i === 3 ? 'true' : `"${SHA('1')}"`} } }`);
    expect(failure(`${HEAD}\n[[packages]]\nname = "x"\ndirectory = { path = "." }\n\n[[packages]]\nname = "a"\nversion = "1"\nwheels = [${wheels.join(', ')}]\n`))
      .toMatchInlineSnapshot(`
        {
          "code": "LOCK_INVALID_FIELD",
          "hint": undefined,
          "message": "pylock.toml: packages[1].wheels[3].hashes.sha256 (a 1): expected a string, found true",
        }
      `);
    expect(failure(`${HEAD}\n[[packages]]\nname = "a"\nwheels = [{ url = "https://f.example/a-1-py3-none.whl", hashes = {} }]\n`)).toMatchInlineSnapshot(`
      {
        "code": "LOCK_INVALID_FILENAME",
        "hint": "the lock names a file that is not a wheel or source distribution; regenerate the lock",
        "message": "pylock.toml: packages[0].wheels[0] (a): The wheel filename "a-1-py3-none.whl" is invalid: Must have a platform tag",
      }
    `);
    expect(failure(`${HEAD}\n[[packages]]\nname = "a"\nversion = "1"\nsdist = { url = "https://f.example/a-1.tar.gz", hashes = {} }\nwheels = []\narchive = { path = "a.tar.gz", hashes = {} }\n`).message)
      .toMatchInlineSnapshot(`"pylock.toml: packages[0] (a 1): has archive as well as sdist or wheels; a package has one kind of source"`);
    expect(failure(`${HEAD}\n[[packages]]\nversion = "1"\n`).message).toMatchInlineSnapshot(`"pylock.toml: packages[0].name: expected a string, but the key is missing"`);
  });
});
