/**
 * lockhouse as a user gets it from a checkout: the repository's files as a
 * clean clone has them (no dist/), packed with `npm pack` (which runs the
 * package's own prepack and prepare scripts), and the tarball installed
 * with `npm install` into an empty folder.
 *
 * The clean copy takes the files git tracks or would track (ignored ones,
 * such as dist/ and node_modules/, left out), so uncommitted work is packed
 * as it will be committed. Its node_modules is a link to the checkout's: the
 * build needs the dev dependencies, and installing them again would only
 * cost time. The consumer's dependencies come from the npm registry through
 * npm's own cache (`--prefer-offline`): offline, a cache that holds them is
 * enough.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run, type Run } from '../helpers/pip.js';

export interface Packed {
  /** The tarball's path. */
  readonly tarball: string;
  /** The paths in the tarball, relative to the package's root, as `npm pack --json` lists them. */
  readonly files: readonly string[];
  readonly run: Run;
}

/** Copy the files of `repo` that a clone would have into `dest`, and link its node_modules there. */
export function cleanCopy(repo: string, dest: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const path of listed.split('\0').filter(Boolean)) {
    // --cached lists files deleted in the work tree but not yet in a commit: a clone of the next commit lacks them too.
    if (!existsSync(join(repo, path))) continue;
    mkdirSync(dirname(join(dest, path)), { recursive: true });
    copyFileSync(join(repo, path), join(dest, path));
  }
  symlinkSync(join(repo, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

/**
 * The environment for a child npm: npm gives the scripts it runs its own
 * configuration as lowercase npm_* variables (`npm test` → npm_lifecycle_event,
 * npm_config_*); a child npm must read its configuration itself.
 */
export function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));
  return { ...env, ...extra };
}

/** `npm pack` in `dir`, the tarball into `dest`. */
export async function pack(dir: string, dest: string): Promise<Packed> {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir, env: npmEnv() });
  if (packed.code !== 0) return { tarball: '', files: [], run: packed };
  const [report] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(dest, report!.filename), files: report!.files.map((file) => file.path), run: packed };
}

/** An empty ES module project in `dir` with the tarball installed; null, or why npm could not reach the registry. */
export async function installTarball(tarball: string, dir: string): Promise<{ readonly run: Run; readonly offline: string | null }> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: dir, env: npmEnv() });
  const unreachable = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/.exec(installed.stderr);
  return { run: installed, offline: installed.code !== 0 && unreachable ? `npm cannot reach the registry for lockhouse's dependencies (${unreachable[1]})` : null };
}
