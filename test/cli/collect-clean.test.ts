/**
 * `collect --clean` removes only what lockhouse put in DIR, and refuses a
 * DIR that is the project's folder: `collect -o . --clean` in a project
 * folder once deleted its README.md and its lock, without a prompt. And
 * without --clean, the files a changed lock no longer needs are named in
 * one warning instead of staying in DIR without a word. Against a real
 * index server on 127.0.0.1, through the real command line.
 */
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const PURE = makeWheel({ name: 'pure', version: '1.0' });
const OLD = makeWheel({ name: 'old', version: '2.0' });
const NEXT = makeWheel({ name: 'next', version: '3.0' });
const OLD_SDIST = makeSdist({ name: 'old', version: '2.0' });
const artifacts: Artifact[] = [PURE, OLD, NEXT, OLD_SDIST];

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server.close();
});

const PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\n';
const fileRequests = (): number => server.requests.count(/^\/files\//, 'GET');

describe('--clean never deletes what is not lockhouse\'s', () => {
  it('`collect -o . --clean` in a project folder is refused (OUTPUT_CLEAN_REFUSED, exit 2) before anything is fetched, and removes nothing', async () => {
    const project = testdir({ 'uv.lock': fixtureUvLock([PURE, OLD], { base: server.url }), 'pyproject.toml': PYPROJECT, 'README.md': '# my project\n' });
    server.resetLog();
    const run = await startLockhouse(['collect', '-o', '.', '--clean', '--no-cache', ...TARGET], process.env, project).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error[OUTPUT_CLEAN_REFUSED]: --clean refused for ${project}: it holds the lock ${join(project, 'uv.lock')}`);
    expect(run.stderr).toContain('hint: collect into a folder of its own');
    expect(fileRequests()).toBe(0);
    expect(readdirSync(project).sort()).toEqual(['README.md', 'pyproject.toml', 'uv.lock']);
  });

  it('refused too where DIR is the project folder of a lock kept elsewhere, or holds a pyproject.toml', async () => {
    const lock = join(testdir({ 'uv.lock': fixtureUvLock([PURE], { base: server.url }) }), 'uv.lock');
    const project = testdir({ 'pyproject.toml': PYPROJECT, 'README.md': 'x' });
    const isProject = await runCli(['collect', '--lock', lock, '--project', project, '-o', project, '--clean', '--no-cache', ...TARGET]);
    expect(isProject.code).toBe(2);
    expect(isProject.stderr).toContain(`it is the project's folder ${project}`);
    const other = testdir({ 'pyproject.toml': PYPROJECT });
    const holds = await runCli(['collect', '--lock', lock, '-o', other, '--clean', '--no-cache', ...TARGET]);
    expect(holds.code).toBe(2);
    expect(holds.stderr).toContain("it holds a pyproject.toml: it is a project's folder");
    expect(existsSync(join(project, 'README.md'))).toBe(true);
  });

  it('in a wheelhouse of its own: removes the wheels and sdists this collection does not contain, keeps every other file', async () => {
    const project = testdir({ 'uv.lock': fixtureUvLock([PURE, OLD, OLD_SDIST], { base: server.url }), 'pyproject.toml': PYPROJECT });
    const lock = join(project, 'uv.lock');
    const out = join(project, 'wheelhouse');
    const collect = (...flags: string[]) => runCli(['collect', '--lock', lock, '-o', out, '--no-cache', ...TARGET, ...flags]);
    expect((await collect('--sdist', '--emit-requirements', join(out, 'requirements.txt'))).code).toBe(0);
    // What the user keeps in DIR, and a wheel nobody recorded.
    writeFileSync(join(out, 'README.md'), 'how to install');
    writeFileSync(join(out, 'uv.lock'), readFileSync(lock));
    writeFileSync(join(out, 'backup.tar.gz'), 'not an sdist name');
    writeFileSync(join(out, 'stray-0.1-py3-none-any.whl'), 'downloaded by hand');
    writeFileSync(join(out, `${OLD.filename}.metadata`), 'Metadata-Version: 2.1\n');
    symlinkSync(join(out, PURE.filename), join(out, 'link-1.0-py3-none-any.whl'));

    // The lock changes: old is gone, next arrives.
    writeFileSync(lock, fixtureUvLock([PURE, NEXT], { base: server.url }));
    const run = await collect('--clean');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('--clean removed 5 file(s) this collection does not contain');
    expect(readdirSync(out).filter((name) => !name.startsWith('.')).sort()).toEqual(
      ['README.md', 'backup.tar.gz', 'link-1.0-py3-none-any.whl', 'lockhouse.json', NEXT.filename, PURE.filename, 'uv.lock'].sort(),
    );
  });
});

describe('without --clean', () => {
  it('the files a changed lock no longer needs are named in one warning with the hint, and stay', async () => {
    const project = testdir({ 'uv.lock': fixtureUvLock([PURE, OLD], { base: server.url }), 'pyproject.toml': PYPROJECT });
    const lock = join(project, 'uv.lock');
    const out = join(project, 'wheelhouse');
    const collect = () => runCli(['collect', '--lock', lock, '-o', out, '--no-cache', ...TARGET]);
    const first = await collect();
    expect(first.code).toBe(0);
    expect(first.stderr).not.toContain('not part of this collection');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(lock, fixtureUvLock([PURE], { base: server.url }));
    const run = await collect();
    expect(run.code).toBe(0);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('not part of this collection'));
    expect(warnings).toEqual([`lockhouse warning: 1 file(s) in ${out} are not part of this collection: ${OLD.filename} (--clean removes them)`]);
    expect(existsSync(join(out, OLD.filename))).toBe(true);
  });
});
