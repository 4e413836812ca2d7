/**
 * Filters that match nothing are errors, through the real command line:
 * `--index URL` naming no index of the lock used to collect "0 files of 0
 * packages" with exit 0 and an empty requirements.txt; `--exclude-index
 * pypi` on a lock made through a PyPI mirror excluded nothing. Now both are
 * SELECT_UNKNOWN_INDEX (exit 2) before DIR is touched, and a selection with
 * no package at all is SELECT_EMPTY unless --allow-empty.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { PlanJsonSchema } from '../../src/report/plan-json.js';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const artifacts: Artifact[] = [makeWheel({ name: 'pure', version: '1.0' }), makeWheel({ name: 'other', version: '2.0' })];

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server.close();
});

function project(): { dir: string; lock: string; out: string } {
  const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url }), 'pyproject.toml': '[project]\nname = "app"\nversion = "0.1.0"\n' });
  return { dir, lock: join(dir, 'uv.lock'), out: join(dir, 'wheelhouse') };
}

describe('--index / --exclude-index that name no index of the lock', () => {
  it('--index URL (uv\'s "use this index") is SELECT_UNKNOWN_INDEX listing the lock\'s indexes, with --mirror in the hint; nothing is written or fetched', async () => {
    const p = project();
    server.resetLog();
    const run = await runCli(['collect', '--lock', p.lock, '-o', p.out, '--no-cache', '--index', 'http://127.0.0.1:9/simple', '--emit-requirements', join(p.dir, 'requirements.txt'), ...TARGET]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error[SELECT_UNKNOWN_INDEX]: --index "http://127.0.0.1:9/simple" is no index of ${p.lock}: its packages come from ${server.url}/simple\n` +
        '  hint: --index keeps the packages locked from an index the lock names (uv\'s --index, "use this index", is not what it means here); ' +
        "to fetch the lock's files through another index, use --mirror FROM=TO\n",
    );
    expect(existsSync(p.out)).toBe(false);
    expect(existsSync(join(p.dir, 'requirements.txt'))).toBe(false);
    expect(server.requests.length).toBe(0);
  });

  it('--exclude-index pypi on a lock made through a mirror is an error that names the mirror to exclude instead', async () => {
    const p = project();
    const run = await runCli(['collect', '--lock', p.lock, '-o', p.out, '--no-cache', '--exclude-index', 'pypi', ...TARGET]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error[SELECT_UNKNOWN_INDEX]: --exclude-index "pypi" (https://pypi.org/simple) is no index of ${p.lock}`);
    expect(run.stderr).toContain(`a lock made through a PyPI mirror names the mirror: --exclude-index ${server.url}/simple`);
  });

  it('pypi names the files.pythonhosted.org files of a pylock written without index (pip lock)', async () => {
    const dir = testdir({
      'pylock.toml': [
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
        '',
      ].join('\n'),
    });
    const run = await runCli(['plan', '--lock', join(dir, 'pylock.toml'), '--exclude-index', 'pypi', ...TARGET, '--json']);
    expect(run.code).toBe(0);
    const plan = PlanJsonSchema.parse(JSON.parse(run.stdout));
    expect(plan.artifacts.map((artifact) => artifact.package)).toEqual(['internal']);
    expect(plan.skipped).toEqual([expect.objectContaining({ package: 'idna', reason: 'from an excluded index (--exclude-index): https://pypi.org/simple' })]);
  });
});

describe('a selection with no package at all', () => {
  it('is SELECT_EMPTY (exit 2), saying what left each package out; nothing is written', async () => {
    const p = project();
    const run = await runCli(['collect', '--lock', p.lock, '-o', p.out, '--no-cache', '--exclude-package', 'pure', '--exclude-package', 'other', ...TARGET]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `error[SELECT_EMPTY]: nothing to collect from ${p.lock} for x86_64-manylinux_2_28-cp312: it reaches 3 package(s) and leaves out every one: 1 virtual project, 2 excluded (--exclude-package)`,
    );
    expect(run.stderr).toContain('pass --allow-empty if an empty wheelhouse is what you want');
    expect(existsSync(p.out)).toBe(false);
  });

  it('is collected, empty, with --allow-empty, which the manifest records', async () => {
    const p = project();
    const run = await runCli(['collect', '--lock', p.lock, '-o', p.out, '--no-cache', '--exclude-package', 'pure', '--exclude-package', 'other', '--allow-empty', ...TARGET]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Collected 0 files of 0 packages');
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(p.out, 'lockhouse.json'), 'utf8')));
    expect(manifest.selection).toMatchObject({ allowEmpty: true, excludePackages: ['pure', 'other'] });
    expect((await runCli(['verify', '--lock', p.lock, '-o', p.out])).code).toBe(0);
  });
});
