/**
 * Git sources at their locked commit, with the system `git` (DESIGN.md
 * "Building"): credentials, proxies, SSH keys and `insteadOf` rules are
 * whatever git already uses on this machine.
 *
 * Checkouts are cached by URL and commit at
 * `<cacheRoot>/git-v1/<sha256(url)[:16]>/<commit>/`, with their `.git`
 * (backends such as setuptools-scm read versions from it). A checkout is
 * made in a temporary directory beside its final place and renamed there only
 * when HEAD is the commit (store/land.ts `landDir`), so a directory under
 * its final name is complete and is reused without running git at all.
 * Callers in one process asking for the same checkout share one promise;
 * two processes each make their own and the second rename loses,
 * harmlessly. A killed run's temporary checkout is swept, by the one rule
 * of store/sweep.ts, before a new one is made beside it, and at the start
 * of every run (store/cache.ts sweepCache). Every folder from the cache
 * root down to the checkout is a real directory (store/real-dirs.ts): a
 * checkout behind a planted link is never reused — its code would be
 * built as the locked commit's — nor made through it (CACHE_UNSAFE_PATH).
 *
 * Only the commit is fetched (`git fetch --depth 1 origin <commit>`) where
 * the server allows it: GitHub, GitLab and any git speaking protocol v2
 * serve a reachable commit by id. Older servers refuse ("not our ref"), and
 * then the whole repository is fetched and the commit checked out from it.
 */
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LockhouseError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { CACHE_DIRS } from '../store/cache.js';
import { landDir } from '../store/land.js';
import { checkRealDirs } from '../store/real-dirs.js';
import { appendLog, commandLine, logHeader, redactText } from './build-log.js';
import { capture, type Captured } from './exec.js';
import { which } from './which.js';

export interface GitCheckoutRequest {
  readonly url: string;
  /** The full commit id the lock names (40 hex digits, or 64 in a SHA-256 repository). */
  readonly commit: string;
  /** A directory inside the repository to build (uv's `subdirectory`), or none. */
  readonly subdirectory?: string | null | undefined;
  /** The cache folder; checkouts go under git-v1/. */
  readonly cacheRoot: string;
  readonly env: NodeJS.ProcessEnv;
  /** git's commands and output are appended here (credentials removed). */
  readonly logPath: string;
  readonly signal?: AbortSignal;
}

/**
 * Variables that would point git at another repository than the one being
 * made (set when lockhouse runs inside a git hook or a `git submodule
 * foreach`): git would fetch into, or check out, the user's own repository.
 */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

function gitEnv(callerEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(callerEnv)) if (!REPOSITORY_VARIABLES.includes(key)) env[key] = value;
  // Never wait at a username/password prompt nobody sees: fail, and say so.
  return { ...env, GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' };
}

/** `<cacheRoot>/git-v1/<sha256(url)[:16]>/<commit>`: where a checkout lives. */
export function checkoutPath(cacheRoot: string, url: string, commit: string): string {
  return join(cacheRoot, CACHE_DIRS.git, createHash('sha256').update(url).digest('hex').slice(0, 16), commit.toLowerCase());
}

function gitFailed(request: GitCheckoutRequest, why: string, cause?: unknown): LockhouseError {
  return new LockhouseError('GIT_FAILED', `Cannot check out ${redactUrl(request.url)} at ${request.commit}: ${why}.`, {
    hint: `git's output is in ${request.logPath}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** git's own last words: the line that says what went wrong. */
function lastWords(run: Captured): string {
  if (run.failure !== null) return `git did not run (${run.failure})`;
  const lines = redactText(run.stderr || run.stdout).trim().split('\n');
  return (lines.filter((line) => /^(fatal|error):/.test(line)).pop() ?? lines.pop() ?? `exit code ${run.code}`).trim();
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Make the checkout in `work`; throws GIT_FAILED. */
async function fetchInto(git: string, work: string, request: GitCheckoutRequest, commit: string): Promise<void> {
  const env = gitEnv(request.env);
  const step = async (args: readonly string[]): Promise<Captured> => {
    const run = await capture(git, args, { env, cwd: work, ...(request.signal ? { signal: request.signal } : {}) });
    await appendLog(request.logPath, `$ ${commandLine('git', args)}\n${redactText(run.output)}${run.failure ? `(${run.failure})\n` : ''}`);
    if (run.failure === 'aborted') throw request.signal?.reason ?? new Error('aborted');
    return run;
  };
  const must = async (args: readonly string[], why: string): Promise<void> => {
    const run = await step(args);
    if (run.code !== 0) throw gitFailed(request, `${why}: ${lastWords(run)}`);
  };

  // init.defaultBranch: any value keeps git's advice about it out of the log.
  await must(['-c', 'init.defaultBranch=lockhouse', 'init', '-q'], 'git init failed');
  await must(['remote', 'add', 'origin', request.url], 'git remote add failed');
  const shallow = await step(['fetch', '--depth', '1', '--no-tags', 'origin', commit]);
  if (shallow.code !== 0) {
    // The server will not serve a commit by id (protocol v0 without
    // uploadpack.allowReachableSHA1InWant), or the commit is not there: the
    // whole repository, branches and tags, tells which.
    await appendLog(request.logPath, '(fetching the commit alone failed; fetching the whole repository)\n');
    await must(['fetch', '--tags', 'origin'], 'git fetch failed');
  }
  const checkout = await step(['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', commit]);
  if (checkout.code !== 0) {
    throw gitFailed(request, `the repository has no commit ${commit} (git: ${lastWords(checkout)})`);
  }
  const head = await step(['rev-parse', 'HEAD']);
  if (head.code !== 0 || head.stdout.trim().toLowerCase() !== commit) {
    throw gitFailed(request, `HEAD is ${head.stdout.trim() || 'unknown'} after checking out ${commit}`);
  }
  if (await exists(join(work, '.gitmodules'))) {
    await must(['submodule', 'update', '--init', '--recursive'], 'git submodule update failed');
  }
  // The remote stays (relative submodule URLs resolve against it), but not
  // a password or token in it: the cache may be copied into an image.
  const shown = redactUrl(request.url);
  if (shown !== request.url) await must(['remote', 'set-url', 'origin', shown], 'git remote set-url failed');
}

async function makeCheckout(request: GitCheckoutRequest, final: string, commit: string): Promise<string> {
  // A checkout under its final name is complete (it landed whole); a link on the way throws CACHE_UNSAFE_PATH.
  if ((await checkRealDirs(request.cacheRoot, final, 'CACHE_UNSAFE_PATH')) === 'present') return final;
  const git = await which('git', request.env);
  if (git === null) {
    throw new LockhouseError('GIT_NOT_FOUND', `git is not on PATH: it is needed to check out ${redactUrl(request.url)} at ${commit}.`, {
      hint: 'install git (and put it on PATH), or leave the package out with --no-build / --exclude-package',
    });
  }
  // Another process putting the same commit there first is fine: theirs is as good.
  await landDir(
    final,
    async (work) => {
      await appendLog(request.logPath, logHeader([['git checkout', `${request.url} at ${commit}`], ['into', final], ['git', git]]));
      await fetchInto(git, work, request, commit);
    },
    { root: request.cacheRoot, unsafeCode: 'CACHE_UNSAFE_PATH' },
  );
  return final;
}

/** `subdirectory` of the checkout, refusing anything that leaves it (`..`, an absolute path, a symlink out). */
async function inside(root: string, subdirectory: string, request: GitCheckoutRequest): Promise<string> {
  const refuse = (why: string): LockhouseError => gitFailed(request, `the subdirectory "${subdirectory}" ${why}`);
  if (isAbsolute(subdirectory) || /^[A-Za-z]:/.test(subdirectory)) throw refuse('is an absolute path');
  const path = resolve(root, subdirectory);
  const outside = (from: string, to: string): boolean => {
    const rel = relative(from, to);
    return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  };
  if (outside(root, path)) throw refuse('is outside the repository');
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw refuse('does not exist at that commit');
  }
  if (outside(await realpath(root), real)) throw refuse('leads outside the repository (through a symlink)');
  if (!(await stat(real)).isDirectory()) throw refuse('is not a directory');
  return path;
}

const checkouts = new Map<string, Promise<string>>();

/**
 * The source tree of `url` at `commit` (at `subdirectory` when given), from
 * the cache or checked out into it. Throws GIT_NOT_FOUND (no git on PATH
 * and no cached checkout) and GIT_FAILED.
 */
export async function checkoutGit(request: GitCheckoutRequest): Promise<string> {
  const commit = request.commit.trim().toLowerCase();
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) {
    throw gitFailed(request, `"${request.commit}" is not a full commit id (40 or 64 hex digits)`);
  }
  const final = checkoutPath(request.cacheRoot, request.url, commit);
  let made = checkouts.get(final);
  if (!made) {
    made = makeCheckout(request, final, commit);
    checkouts.set(final, made);
    // Shared while in flight only: afterwards the directory itself is the cache.
    const forget = (): void => void checkouts.delete(final);
    made.then(forget, forget);
  }
  const root = await made;
  return request.subdirectory ? inside(root, request.subdirectory, request) : root;
}
