import { describe, expect, it } from 'vitest';
import {
  InvalidFilenameError,
  canonicalizeName,
  isValidProjectName,
  normalizeVersion,
  parseSdistFilename,
  parseWheelFilename,
  percentDecodeOnce,
  sdistExtension,
  unsafeFilenameReason,
  urlFilename,
} from '../../src/python/names.js';

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidFilenameError) return error.message;
    throw error;
  }
  throw new Error('expected an InvalidFilenameError');
}

describe('canonicalizeName (PEP 503)', () => {
  it.each([
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
    ['backports_tarfile', 'backports-tarfile'],
    ['Foo__Bar-._baz', 'foo-bar-baz'],
    ['typing-extensions', 'typing-extensions'],
  ])('%s → %s', (name, expected) => {
    expect(canonicalizeName(name)).toBe(expected);
  });

  it.each([
    ['requests', true],
    ['a', true],
    ['zope.interface', true],
    ['-leading', false],
    ['trailing.', false],
    ['has space', false],
    ['', false],
  ])('isValidProjectName(%j) is %s', (name, expected) => {
    expect(isValidProjectName(name)).toBe(expected);
  });
});

describe('normalizeVersion (PEP 440)', () => {
  it.each([
    ['1.0.0', '1'],
    ['1.0', '1'],
    ['v2.1', '2.1'],
    ['1.0-1', '1.post1'],
    ['1.0.post0', '1.post0'],
    ['2.0RC1', '2rc1'],
    ['1.0.alpha.2', '1a2'],
    ['1.0c3', '1rc3'],
    ['1.0-dev', '1.dev0'],
    ['0!1.01', '1.1'],
    ['2!1.0', '2!1'],
    ['2.11.0+cu128', '2.11+cu128'],
    ['1.0+Ubuntu-1_2', '1+ubuntu.1.2'],
    ['1.30.11.dev24+g38469e585', '1.30.11.dev24+g38469e585'],
    ['99999999999999999999.0', '99999999999999999999'],
  ])('%s → %s', (version, expected) => {
    expect(normalizeVersion(version)).toBe(expected);
  });

  it.each(['', 'latest', '1.0-', '1..0', '1.0+', 'tip-of-main'])('%j is not a version', (version) => {
    expect(normalizeVersion(version)).toBeNull();
  });
});

describe('parseWheelFilename', () => {
  it('splits name, version and the three tag sets, lower-casing tags', () => {
    expect(parseWheelFilename('numpy-1.26.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toEqual({
      name: 'numpy',
      version: '1.26.2',
      buildTag: null,
      tags: { python: ['cp311'], abi: ['cp311'], platform: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'] },
      variant: null,
    });
    expect(parseWheelFilename('Foo.Bar-1.0-PY2.py3-NONE-Any.whl').tags).toEqual({
      python: ['py2', 'py3'],
      abi: ['none'],
      platform: ['any'],
    });
  });

  it.each([
    ['foo-1.2.3-202206090410-py3-none-any.whl', [202206090410, '']],
    ['foo-1.2.3-1local_build-py3-none-any.whl', [1, 'local_build']],
    ['foo-1.2.3-py3-none-any.whl', null],
  ])('build tag of %s is %j', (filename, expected) => {
    expect(parseWheelFilename(filename).buildTag).toEqual(expected);
  });

  it('normalizes the name and keeps the version as written', () => {
    const wheel = parseWheelFilename('torch-2.11.0+cpu-cp312-cp312-linux_s390x.whl');
    expect([wheel.name, wheel.version]).toEqual(['torch', '2.11.0+cpu']);
    expect(parseWheelFilename('backports.tarfile-1.2.0-py3-none-any.whl').name).toBe('backports-tarfile');
  });

  it('reads a variant label (uv wheel-variant preview) after the platform tag', () => {
    expect(parseWheelFilename('built_by_uv-0.1.0-py3-none-any-cpu1.whl')).toMatchObject({
      buildTag: null,
      tags: { python: ['py3'], abi: ['none'], platform: ['any'] },
      variant: 'cpu1',
    });
    expect(parseWheelFilename('x-1-7-py3-none-any-cu128.whl')).toMatchObject({ buildTag: [7, ''], variant: 'cu128' });
  });

  it.each([
    'foo.rs',
    '.whl',
    'foo.whl',
    'foo-1.2.3.whl',
    'foo-1.2.3-py3.whl',
    'foo-1.2.3-py3-none.whl',
    'foo-1.2.3-1-py3-none-any-cu-extra.whl',
    'foo-latest-py3-none-any.whl',
    '_foo-1.0-py3-none-any.whl',
    'foo-1.0-abc-py3-none-any.whl',
    'foo-1.2.3-py3-none-target:stream.whl',
    'foo-1.2.3-py3-none-unknown..tag.whl',
    '../foo-1.0-py3-none-any.whl',
    'dir/foo-1.0-py3-none-any.whl',
    'dir\\foo-1.0-py3-none-any.whl',
    'foo-1.0-py3-none-any\u0000.whl',
  ])('refuses %j', (filename) => {
    expect(() => parseWheelFilename(filename)).toThrow(InvalidFilenameError);
  });

  it('quotes the file name and says why, in uv words', () => {
    expect(failure(() => parseWheelFilename('foo.rs'))).toMatchInlineSnapshot(`"The wheel filename "foo.rs" is invalid: Must end with .whl"`);
    expect(failure(() => parseWheelFilename('foo-1.2.3-py3.whl'))).toMatchInlineSnapshot(`"The wheel filename "foo-1.2.3-py3.whl" is invalid: Must have an ABI tag"`);
    expect(failure(() => parseWheelFilename('foo-1.2.3-1-py3-none-any-cu-extra.whl'))).toMatchInlineSnapshot(`"The wheel filename "foo-1.2.3-1-py3-none-any-cu-extra.whl" is invalid: Must have 5 to 7 components, but has more"`);
    expect(failure(() => parseWheelFilename('foo-latest-py3-none-any.whl'))).toMatchInlineSnapshot(`"The wheel filename "foo-latest-py3-none-any.whl" has an invalid version: "latest" is not a valid PEP 440 version"`);
    expect(failure(() => parseWheelFilename('_foo-1.0-py3-none-any.whl'))).toMatchInlineSnapshot(`"The wheel filename "_foo-1.0-py3-none-any.whl" has an invalid package name"`);
    expect(failure(() => parseWheelFilename('foo-1.0-abc-py3-none-any.whl'))).toMatchInlineSnapshot(`"The wheel filename "foo-1.0-abc-py3-none-any.whl" has an invalid build tag: must start with a digit"`);
    expect(failure(() => parseWheelFilename('foo-1.2.3-py3-none-target:stream.whl'))).toMatchInlineSnapshot(`"The wheel filename "foo-1.2.3-py3-none-target:stream.whl" is invalid: Tag components must contain only ASCII letters, digits, underscores, and periods"`);
    expect(failure(() => parseWheelFilename('../foo-1.0-py3-none-any.whl'))).toMatchInlineSnapshot(`"The wheel filename "../foo-1.0-py3-none-any.whl" is invalid: Must not contain "/""`);
  });
});

describe('parseSdistFilename', () => {
  it.each([
    ['anyio-4.4.0.tar.gz', undefined, 'anyio', '4.4.0', 'tar.gz'],
    ['backports_tarfile-1.2.0.tar.gz', 'backports-tarfile', 'backports-tarfile', '1.2.0', 'tar.gz'],
    ['Foo.Bar-1.0.zip', 'foo-bar', 'foo-bar', '1.0', 'zip'],
    ['python-dateutil-2.8.2.tar.gz', 'python-dateutil', 'python-dateutil', '2.8.2', 'tar.gz'],
    ['python-dateutil-2.8.2.tar.gz', undefined, 'python-dateutil', '2.8.2', 'tar.gz'],
    ['pkg-1.0.tar.bz2', undefined, 'pkg', '1.0', 'tar.bz2'],
    ['pkg-1.0.tgz', undefined, 'pkg', '1.0', 'tgz'],
    ['pkg-1.0.tar', undefined, 'pkg', '1.0', 'tar'],
    ['pkg-1.0.tar.xz', undefined, 'pkg', '1.0', 'tar.xz'],
    ['pkg-1.0.tar.zst', undefined, 'pkg', '1.0', 'tar.zst'],
    // Ambiguous legacy names split where the project name says.
    ['a-1-1.zip', 'a', 'a', '1-1', 'zip'],
    ['a-1-1.zip', 'a-1', 'a-1', '1', 'zip'],
    ['a-1-1.zip', undefined, 'a-1', '1', 'zip'],
  ])('%s (project %s) → %s %s .%s', (filename, project, name, version, extension) => {
    expect(parseSdistFilename(filename, project)).toEqual({ name, version, extension });
  });

  it('quotes the file name and says why', () => {
    expect(failure(() => parseSdistFilename('pkg-1.0.rar'))).toMatchInlineSnapshot(`"The source distribution filename "pkg-1.0.rar" is invalid: Must end with .tar.gz or .zip (or a legacy .tar.bz2, .tar.lzma, .tar.zst, .tar.xz, .tar.lz, .tar, .tgz, .tbz, .txz, .tlz)"`);
    expect(failure(() => parseSdistFilename('b-1.2.3.zip', 'a'))).toMatchInlineSnapshot(`"The source distribution filename "b-1.2.3.zip" is invalid: Name doesn't start with package name a"`);
    expect(failure(() => parseSdistFilename('a-1.2.3-gamma.3.zip', 'a'))).toMatchInlineSnapshot(`"The source distribution filename "a-1.2.3-gamma.3.zip" is invalid: "1.2.3-gamma.3" is not a valid PEP 440 version"`);
    expect(failure(() => parseSdistFilename('nodash.tar.gz'))).toMatchInlineSnapshot(`"The source distribution filename "nodash.tar.gz" is invalid: Missing name-version separator"`);
    expect(failure(() => parseSdistFilename('../pkg-1.0.tar.gz'))).toMatchInlineSnapshot(`"The source distribution filename "../pkg-1.0.tar.gz" is invalid: Must not contain "/""`);
  });

  it.each([
    ['x-1.tar.gz', 'tar.gz'],
    ['x-1.tar.lzma', 'tar.lzma'],
    ['x-1.gz', null],
    ['x-1.whl', null],
  ])('sdistExtension(%s) is %j', (filename, expected) => {
    expect(sdistExtension(filename)).toBe(expected);
  });
});

describe('file names from URLs and paths', () => {
  it.each([
    ['https://download.pytorch.org/whl/cpu/torch-2.11.0%2Bcpu-cp312-cp312-linux_s390x.whl', 'torch-2.11.0+cpu-cp312-cp312-linux_s390x.whl'],
    ['https://files.example/pkg-1.0.tar.gz#sha256=abc', 'pkg-1.0.tar.gz'],
    ['https://files.example/pkg-1.0.tar.gz?download=1', 'pkg-1.0.tar.gz'],
    // Decoded once only: %2525 becomes %25, not %.
    ['https://files.example/a%2525b.whl', 'a%25b.whl'],
    // An escape that is not UTF-8 stays as written.
    ['https://files.example/a%FFb.whl', 'a%FFb.whl'],
    // %2F decodes to a separator, which the grammar then refuses.
    ['https://files.example/..%2Fevil.whl', '../evil.whl'],
  ])('urlFilename(%s) = %s', (url, expected) => {
    expect(urlFilename(url)).toBe(expected);
  });

  it('decodes a run of escapes as UTF-8', () => {
    expect(percentDecodeOnce('caf%C3%A9')).toBe('café');
  });

  it.each([
    ['pkg-1.0.tar.gz', null],
    ['', 'Must not be empty'],
    ['a/b', 'Must not contain "/"'],
    ['a\\b', 'Must not contain "\\"'],
    ['..', 'Must not contain ".."'],
    ['a\u0007b', 'Must not contain control characters'],
    ['a\u007fb', 'Must not contain control characters'],
  ])('unsafeFilenameReason(%j) is %j', (filename, expected) => {
    expect(unsafeFilenameReason(filename)).toBe(expected);
  });
});
