/**
 * Real pip in tests, isolated from the machine's configuration: every PIP_*
 * and PYTHON* variable is cleared and PIP_CONFIG_FILE is /dev/null, so no
 * index URL, proxy or cache setting leaks in. Nothing here reaches a network:
 * callers pass --no-index.
 */
import { execFile } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const PYTHON = process.env['LOCKHOUSE_TEST_PYTHON'] ?? 'python3';

export function pipEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PIP_') && !key.startsWith('PYTHON')) env[key] = value;
  }
  return { ...env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
}

let probed: string | null | undefined;

/** Why python3 -m pip cannot be used here, or null when it can. Says so once on stderr. */
export function pipMissing(): string | null {
  if (probed !== undefined) return probed;
  const probe = spawnSync(PYTHON, ['-m', 'pip', '--version'], { encoding: 'utf8', env: pipEnv() });
  probed = probe.error
    ? `${PYTHON} is not available (${probe.error.message})`
    : probe.status !== 0
      ? `${PYTHON} has no pip (${probe.stderr.trim().split('\n').pop()})`
      : null;
  if (probed) console.warn(`lockhouse tests: ${probed}; the tests that run pip are skipped`);
  return probed;
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a program without blocking the event loop (a test's server must keep answering). */
export function run(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: options.env ?? pipEnv(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr: error && !stderr ? error.message : stderr });
    });
  });
}

/** `python3 -m venv DIR`; returns the venv's python. */
export async function makeVenv(dir: string): Promise<string> {
  const made = await run(PYTHON, ['-m', 'venv', dir]);
  if (made.code !== 0) throw new Error(`python3 -m venv failed: ${made.stderr}`);
  return join(dir, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
}
