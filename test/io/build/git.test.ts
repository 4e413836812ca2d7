import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkoutGit, checkoutPath } from '../../../src/io/build/git.js';
import { GRACE_MS } from '../../../src/io/store/sweep.js';
import { testdir } from '../../helpers/testdir.js';
import { pathWithout, testEnv } from './helpers.js';

const hasGit = spawnSync('git', ['--version']).status === 0;
if (!hasGit) console.warn('lockhouse tests: git is not on PATH; the git checkout tests are skipped');
const withGit = hasGit ? it : it.skip;

/** Git as the tests drive it: no user config (signing, hooks), a fixed author. */
const GIT_ENV = testEnv({
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'lockhouse tests',
  GIT_AUTHOR_EMAIL: 'tests@lockhouse.invalid',
  GIT_COMMITTER_NAME: 'lockhouse tests',
  GIT_COMMITTER_EMAIL: 'tests@lockhouse.invalid',
});
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

interface Repo {
  readonly url: string;
  readonly first: string;
  readonly second: string;
}

/** A bare repository (file://) with two commits; `sub/` holds a project; the second commit changes it. */
function makeRepo(root: string, extra: (work: string) => void = () => {}): Repo {
  const bare = join(root, 'origin.git');
  git(root, 'init', '-q', '--bare', bare);
  const work = join(root, 'work');
  git(root, 'init', '-q', work);
  git(work, 'remote', 'add', 'origin', bare);
  mkdirSync(join(work, 'sub'));
  writeFileSync(join(work, 'sub', 'pyproject.toml'), '[project]\nname = "sub"\nversion = "1.0"\n');
  writeFileSync(join(work, 'README'), 'top\n');
  extra(work);
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'first');
  const first = git(work, 'rev-parse', 'HEAD');
  writeFileSync(join(work, 'sub', 'pyproject.toml'), '[project]\nname = "sub"\nversion = "2.0"\n');
  git(work, 'commit', '-q', '-am', 'second');
  const second = git(work, 'rev-parse', 'HEAD');
  git(work, 'push', '-q', 'origin', 'HEAD');
  return { url: pathToFileURL(bare).href, first, second };
}

describe('checkoutGit', () => {
  withGit('checks out a commit at its subdirectory, into the cache', async () => {
    const root = testdir();
    const repo = makeRepo(root);
    const cacheRoot = join(root, 'cache');
    const logPath = join(root, 'logs', 'sub.log');
    const tree = await checkoutGit({ url: repo.url, commit: repo.first, subdirectory: 'sub', cacheRoot, env: testEnv(), logPath });
    expect(tree).toBe(join(checkoutPath(cacheRoot, repo.url, repo.first), 'sub'));
    expect(tree).toMatch(new RegExp(`/cache/git-v1/[0-9a-f]{16}/${repo.first}/sub$`));
    expect(readFileSync(join(tree, 'pyproject.toml'), 'utf8')).toContain('version = "1.0"');
    expect(git(join(tree, '..'), 'rev-parse', 'HEAD')).toBe(repo.first);
    const log = readFileSync(logPath, 'utf8');
    expect(log).toContain(`git checkout: ${repo.url} at ${repo.first}`);
    expect(log).toContain(`$ git fetch --depth 1 --no-tags origin ${repo.first}`);
    // Nothing but the checkout is left beside it.
    expect(spawnSync('ls', [join(tree, '..', '..')], { encoding: 'utf8' }).stdout.trim()).toBe(repo.first);

    // The second time, from the cache: no git runs (there is none on PATH now), nothing is logged.
    const size = log.length;
    const again = await checkoutGit({ url: repo.url, commit: repo.first, subdirectory: 'sub', cacheRoot, env: testEnv({ PATH: pathWithout('git') }), logPath });
    expect(again).toBe(tree);
    expect(readFileSync(logPath, 'utf8')).toHaveLength(size);

    // The other commit is another checkout.
    const second = await checkoutGit({ url: repo.url, commit: repo.second, subdirectory: null, cacheRoot, env: testEnv(), logPath });
    expect(readFileSync(join(second, 'sub', 'pyproject.toml'), 'utf8')).toContain('version = "2.0"');
  });

  withGit('shares one checkout between concurrent callers', async () => {
    const root = testdir();
    const repo = makeRepo(root);
    const request = { url: repo.url, commit: repo.first, cacheRoot: join(root, 'cache'), env: testEnv(), logPath: join(root, 'git.log') };
    const [a, b, c] = await Promise.all([checkoutGit(request), checkoutGit(request), checkoutGit({ ...request, subdirectory: 'sub' })]);
    expect(a).toBe(b);
    expect(c).toBe(join(a, 'sub'));
    expect(readFileSync(request.logPath, 'utf8').match(/\$ git .*init/g)).toHaveLength(1);
  });

  withGit('fetches the whole repository where the server will not serve a commit by id', async () => {
    const root = testdir();
    const repo = makeRepo(root);
    // Protocol v0 without uploadpack.allowReachableSHA1InWant: "Server does not allow request for unadvertised object".
    const env = testEnv({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.version', GIT_CONFIG_VALUE_0: '0' });
    const logPath = join(root, 'git.log');
    const tree = await checkoutGit({ url: repo.url, commit: repo.first, cacheRoot: join(root, 'cache'), env, logPath });
    expect(readFileSync(join(tree, 'sub', 'pyproject.toml'), 'utf8')).toContain('version = "1.0"');
    const log = readFileSync(logPath, 'utf8');
    expect(log).toContain('(fetching the commit alone failed; fetching the whole repository)');
    expect(log).toContain('$ git fetch --tags origin');
  });

  withGit('says so when the commit is not in the repository, and leaves nothing in the cache', async () => {
    const root = testdir();
    const repo = makeRepo(root);
    const missing = '0123456789abcdef0123456789abcdef01234567';
    const cacheRoot = join(root, 'cache');
    const logPath = join(root, 'git.log');
    const error = await checkoutGit({ url: repo.url, commit: missing, cacheRoot, env: testEnv(), logPath }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GIT_FAILED', exitCode: 1, hint: `git's output is in ${logPath}` });
    expect((error as Error).message).toBe(
      `Cannot check out ${repo.url} at ${missing}: the repository has no commit ${missing} (git: fatal: reference is not a tree: ${missing}).`,
    );
    expect(readFileSync(logPath, 'utf8')).toContain('not our ref');
    expect(spawnSync('ls', ['-A', join(checkoutPath(cacheRoot, repo.url, missing), '..')], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });

  withGit('keeps credentials out of the log and out of the cached checkout', async () => {
    const root = testdir();
    const repo = makeRepo(root);
    const url = 'https://user:s3cret@git.example/repo.git';
    // insteadOf sends the https URL to the local bare repository.
    const env = testEnv({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${repo.url}.insteadOf`, GIT_CONFIG_VALUE_0: url });
    const logPath = join(root, 'git.log');
    const tree = await checkoutGit({ url, commit: repo.first, cacheRoot: join(root, 'cache'), env, logPath });
    expect(readFileSync(logPath, 'utf8')).not.toContain('s3cret');
    expect(readFileSync(logPath, 'utf8')).toContain('git checkout: https://git.example/repo.git at');
    expect(readFileSync(join(tree, '.git', 'config'), 'utf8')).not.toContain('s3cret');
  });

  withGit('removes the temporary checkouts of dead processes once a minute old (the cache may be shared across pid namespaces)', async () => {
    const root = testdir();
    const repo = makeRepo(root);
    const cacheRoot = join(root, 'cache');
    const parent = join(checkoutPath(cacheRoot, repo.url, repo.first), '..');
    const old = join(parent, '999999999-deadbeef.tmp');
    const fresh = join(parent, '999999998-deadbeef.tmp');
    mkdirSync(join(old, '.git'), { recursive: true });
    mkdirSync(join(fresh, '.git'), { recursive: true });
    const aMinuteAgo = new Date(Date.now() - GRACE_MS - 1_000);
    for (const path of [join(old, '.git'), old]) utimesSync(path, aMinuteAgo, aMinuteAgo);
    await checkoutGit({ url: repo.url, commit: repo.first, cacheRoot, env: testEnv(), logPath: join(root, 'git.log') });
    expect(readdirSync(parent).sort()).toEqual(['999999998-deadbeef.tmp', repo.first].sort());
  });

  withGit('refuses a subdirectory outside the checkout, or missing', async () => {
    const root = testdir();
    const repo = makeRepo(root, (work) => symlinkSync('/', join(work, 'escape')));
    const request = { url: repo.url, commit: repo.first, cacheRoot: join(root, 'cache'), env: testEnv(), logPath: join(root, 'git.log') };
    for (const [subdirectory, why] of [
      ['../..', 'is outside the repository'],
      ['/etc', 'is an absolute path'],
      ['escape', 'leads outside the repository (through a symlink)'],
      ['nope', 'does not exist at that commit'],
      ['README', 'is not a directory'],
    ]) {
      const error = await checkoutGit({ ...request, subdirectory }).catch((e: unknown) => e);
      expect((error as Error).message).toContain(`the subdirectory "${subdirectory}" ${why}`);
    }
  });

  it('refuses a commit that is not a full commit id (it becomes a path)', async () => {
    const root = testdir();
    const error = await checkoutGit({ url: 'file:///nowhere', commit: '../../etc', cacheRoot: root, env: testEnv(), logPath: join(root, 'log') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GIT_FAILED' });
    expect((error as Error).message).toContain('"../../etc" is not a full commit id');
  });

  it('needs git on PATH when the checkout is not cached', async () => {
    const root = testdir();
    const commit = 'a'.repeat(40);
    const error = await checkoutGit({
      url: 'https://user:secret@git.example/repo.git',
      commit,
      cacheRoot: root,
      env: testEnv({ PATH: pathWithout('git') }),
      logPath: join(root, 'log'),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GIT_NOT_FOUND', exitCode: 1 });
    expect((error as Error).message).toBe(`git is not on PATH: it is needed to check out https://git.example/repo.git at ${commit}.`);
    expect(existsSync(join(root, 'log'))).toBe(false);
  });
});
