/**
 * Real pip in tests, isolated from the machine's configuration: every PIP_*
 * and PYTHON* variable is cleared and PIP_CONFIG_FILE is /dev/null, so no
 * index URL, proxy or cache setting leaks in. Nothing here reaches a network:
 * callers pass --no-index.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, pythonEnv, pythonFacts } from './python.js';

export { PYTHON } from './python.js';

export function pipEnv(): NodeJS.ProcessEnv {
  return pythonEnv({ PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' });
}

let said = false;

/** Why python3 -m pip cannot be used here, or null when it can. Says so once on stderr. */
export function pipMissing(): string | null {
  const facts = pythonFacts();
  const missing = 'missing' in facts ? facts.missing : facts.hasPip ? null : `${PYTHON} has no pip module`;
  if (missing && !said) console.warn(`lockhouse tests: ${missing}; the tests that run pip are skipped`);
  said = true;
  return missing;
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

/**
 * A fresh venv at DIR with pip in it; returns the venv's python.
 *
 * `python3 -m venv` spends about ten seconds of CPU installing pip into
 * every venv (ensurepip). So the first call of a test run makes one such
 * venv, the template, and every call copies it: a venv's files name its
 * folder only in scripts and pyvenv.cfg's comments, and `python -m pip`
 * reads neither. The template lives in the run's folder that
 * test/global-setup.ts makes and removes ($LOCKHOUSE_TEST_RUN_DIR), and is
 * renamed into place whole, so test processes racing to make it each see
 * a complete one. Without that folder (a file run outside vitest's setup),
 * each venv is made from scratch.
 */
export async function makeVenv(dir: string): Promise<string> {
  const runDir = process.env['LOCKHOUSE_TEST_RUN_DIR'];
  if (!runDir) await newVenv(dir);
  else cpSync(await venvTemplate(runDir), dir, { recursive: true, verbatimSymlinks: true });
  return join(dir, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
}

async function newVenv(dir: string): Promise<void> {
  const made = await run(PYTHON, ['-m', 'venv', dir]);
  if (made.code !== 0) throw new Error(`python3 -m venv failed: ${made.stderr}`);
}

let template: Promise<string> | undefined;

function venvTemplate(runDir: string): Promise<string> {
  template ??= (async () => {
    const path = join(runDir, 'venv-template');
    if (existsSync(path)) return path;
    const building = mkdtempSync(join(runDir, 'venv-building-'));
    await newVenv(join(building, 'venv'));
    try {
      renameSync(join(building, 'venv'), path);
    } catch (error) {
      // Another test process renamed its template into place first: use that one.
      if (!existsSync(path)) throw error;
    }
    rmSync(building, { recursive: true, force: true });
    return path;
  })();
  return template;
}

/** A fresh venv at `venv` with `requirements` pip-installed into it from the folder `from` alone (--no-index): its python, and pip's run. */
export async function installOffline(venv: string, from: string, requirements: readonly string[]): Promise<{ python: string; installed: Run }> {
  const python = await makeVenv(venv);
  const installed = await run(python, ['-m', 'pip', 'install', '--no-index', '--find-links', from, ...requirements], { env: pipEnv() });
  return { python, installed };
}
