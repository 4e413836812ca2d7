/**
 * URLs in a lock or a pyproject.toml that cannot be read — a `file://` URL
 * with a `%` that starts no escape, or a host that is not one, and an index
 * URL with such an escape in its user name or password — through the CLI:
 * exit 2 with the input error's code and the field it is in, never
 * `INTERNAL: URI malformed` (each crashed before), and the secret of an
 * index URL never echoed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const HASH = 'a'.repeat(64);

function uvLock(wheelUrl: string, index = 'https://pypi.org/simple'): string {
  return `version = 1
revision = 2
requires-python = ">=3.8"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "pkg" }]

[[package]]
name = "pkg"
version = "1.0"
source = { registry = "${index}" }
wheels = [{ url = "${wheelUrl}", hash = "sha256:${HASH}", size = 10 }]
`;
}

function pylock(table: string): string {
  return `lock-version = "1.0"
created-by = "test"

[[packages]]
name = "pkg"
version = "1.0"
${table}
`;
}

function pyproject(indexUrl: string): string {
  return `[project]
name = "app"
version = "0.1.0"

[[tool.uv.index]]
name = "corp"
url = "${indexUrl}"
`;
}

const CASES: ReadonlyArray<{ name: string; files: Record<string, string>; lock: string; code: string; field: RegExp; secret?: string }> = [
  {
    name: 'uv.lock: a file:// wheel URL with a bad % escape',
    files: { 'uv.lock': uvLock('file:///srv/wheels/pkg%zz/pkg-1.0-py3-none-any.whl') },
    lock: 'uv.lock',
    code: 'LOCK_INVALID_FIELD',
    field: /uv\.lock: package\[1\]\.wheels\[0\]\.url \(pkg 1\.0\): expected a file:\/\/ URL of a local path, with valid percent-escapes/,
  },
  {
    name: 'pylock.toml: a file:// wheel URL whose escapes are not UTF-8',
    files: { 'pylock.toml': pylock(`wheels = [{ url = "file:///srv/%ff/pkg-1.0-py3-none-any.whl", hashes = { sha256 = "${HASH}" } }]`) },
    lock: 'pylock.toml',
    code: 'LOCK_INVALID_FIELD',
    field: /pylock\.toml: packages\[0\]\.wheels\[0\]\.url \(pkg 1\.0\): expected a file:\/\/ URL/,
  },
  {
    name: 'pylock.toml: a file:// archive URL whose host is not a host',
    files: { 'pylock.toml': pylock(`archive = { url = "file://%zz/pkg-1.0.tar.gz", hashes = { sha256 = "${HASH}" } }`) },
    lock: 'pylock.toml',
    code: 'LOCK_INVALID_FIELD',
    field: /pylock\.toml: packages\[0\]\.archive\.url \(pkg 1\.0\): expected a file:\/\/ URL/,
  },
  {
    name: 'pyproject.toml: an index URL with a bad % escape in its user name',
    files: { 'uv.lock': uvLock('https://files.example/pkg-1.0-py3-none-any.whl'), 'pyproject.toml': pyproject('https://us%zzer:s3cr3t-pass@corp.example/simple') },
    lock: 'uv.lock',
    code: 'PYPROJECT_INVALID',
    field: /pyproject\.toml: tool\.uv\.index\[0\]\.url: the user name in the URL has a malformed percent-escape/,
    secret: 's3cr3t-pass',
  },
  {
    name: 'pyproject.toml: an index URL with a bad % escape in its password',
    files: { 'uv.lock': uvLock('https://files.example/pkg-1.0-py3-none-any.whl'), 'pyproject.toml': pyproject('https://user:s3cr3t%zzpass@corp.example/simple') },
    lock: 'uv.lock',
    code: 'PYPROJECT_INVALID',
    field: /pyproject\.toml: tool\.uv\.index\[0\]\.url: the password in the URL has a malformed percent-escape/,
    secret: 's3cr3t',
  },
];

describe('malformed URLs are input errors (exit 2) naming the field', () => {
  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const dir = testdir(testCase.files);
      for (const args of [
        ['collect', '--lock', join(dir, testCase.lock), '-o', join(dir, 'out'), '--no-cache', '--offline', ...TARGET],
        ['plan', '--lock', join(dir, testCase.lock), ...TARGET],
      ]) {
        const run = await runCli(args);
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toContain(`error[${testCase.code}]: `);
        expect(run.stderr).toMatch(testCase.field);
        expect(run.stderr).not.toContain('INTERNAL');
        if (testCase.secret) expect(run.stderr + run.stdout).not.toContain(testCase.secret);
      }
    });
  }

  it('a well-formed file:// URL still names a local file, percent-decoded once', async () => {
    const dir = testdir({ 'uv.lock': uvLock('file:///srv/wheel%20house/pkg-1.0-py3-none-any.whl') });
    // /srv is outside the lock's folder: read only when asked (test/security/local-paths.test.ts).
    const run = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'out'), '--no-cache', '--offline', '--allow-outside-paths', ...TARGET, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('cannot read /srv/wheel house/pkg-1.0-py3-none-any.whl');
  });
});
