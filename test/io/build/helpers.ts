/**
 * Helpers for the build-layer tests: an environment without this machine's
 * pip settings, fake programs on a PATH of the test's own, and the real
 * python3 (or why it is missing).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * process.env without any PIP_* variable (this machine sets PIP_FIND_LINKS,
 * and its pip.conf is out of play anyway once PIP_CONFIG_FILE is /dev/null).
 */
export function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PIP_')) env[key] = value;
  return { ...env, ...extra };
}

/** `dir` in front of this process's PATH. */
export function pathWith(dir: string): string {
  return `${dir}${delimiter}${process.env['PATH'] ?? ''}`;
}

/** PATH without any directory holding `program` (git, uv). */
export function pathWithout(program: string): string {
  const dirs = (process.env['PATH'] ?? '').split(delimiter);
  return dirs.filter((dir) => !existsSync(join(dir, program))).join(delimiter);
}

/** An executable shell script `dir/name`; returns its path. */
export function fakeProgram(dir: string, name: string, script: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

export interface RealPython {
  /** sys.executable of python3. */
  readonly executable: string;
  readonly version: readonly [number, number, number];
  readonly hasPip: boolean;
  readonly hasBuild: boolean;
}

let real: RealPython | string | undefined;

/** The real python3 here, or why there is none (said once on stderr). */
export function realPython(): RealPython | string {
  if (real !== undefined) return real;
  const probe = spawnSync(
    'python3',
    ['-c', 'import importlib.util as u, json, sys; print(json.dumps([sys.executable, list(sys.version_info[:3]), bool(u.find_spec("pip")), bool(u.find_spec("build"))]))'],
    { encoding: 'utf8', env: testEnv(), cwd: '/' },
  );
  if (probe.error || probe.status !== 0) {
    real = `python3 is not available (${probe.error?.message ?? probe.stderr.trim()})`;
    console.warn(`lockhouse tests: ${real}; the tests that run it are skipped`);
    return real;
  }
  const [executable, version, hasPip, hasBuild] = JSON.parse(probe.stdout) as [string, [number, number, number], boolean, boolean];
  real = { executable, version, hasPip, hasBuild };
  return real;
}
