/**
 * Finding a program on the PATH of a given environment (not this process's:
 * the build layer runs programs with the caller's env, and tests pass PATHs
 * of their own). Used to say "no git on PATH" before running anything, and
 * to key caches by the file a command really names.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** PATH as Windows spells it too ("Path"). */
function pathOf(env: NodeJS.ProcessEnv): string {
  if (process.platform !== 'win32') return env['PATH'] ?? '';
  const key = Object.keys(env).find((name) => name.toUpperCase() === 'PATH');
  return key ? (env[key] ?? '') : '';
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path `command` runs with `env`, or null. A command with a path
 * separator is taken as a path (relative to this process's cwd); a bare name
 * is looked up in env's PATH, in order, as execvp does (with PATHEXT on
 * Windows).
 */
export async function which(command: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (command === '') return null;
  const extensions = process.platform === 'win32' ? ['', ...(env['PATHEXT'] ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  if (isAbsolute(command) || command.includes('/') || (process.platform === 'win32' && command.includes('\\'))) {
    for (const extension of extensions) {
      const path = resolve(command + extension);
      if (await isExecutableFile(path)) return path;
    }
    return null;
  }
  for (const dir of pathOf(env).split(delimiter)) {
    // An empty PATH entry means the current directory (POSIX); lockhouse does not run programs from there.
    if (dir === '' || !isAbsolute(dir)) continue;
    for (const extension of extensions) {
      const path = join(dir, command + extension);
      if (await isExecutableFile(path)) return path;
    }
  }
  return null;
}
