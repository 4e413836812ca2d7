/**
 * Helpers for the build-layer tests: an environment without this machine's
 * pip settings, fake programs on a PATH of the test's own, and the real
 * python3 (or why it is missing), as test/helpers/python.ts finds it.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pythonFacts, type PythonFacts } from '../../helpers/python.js';

/**
 * process.env without any PIP_* variable (this machine sets PIP_FIND_LINKS,
 * and its pip.conf is out of play anyway once PIP_CONFIG_FILE is /dev/null).
 * PYTHON* variables stay, unlike test/helpers/python.ts's pythonEnv: a build
 * runs in the caller's Python environment, and the failing-build test reads
 * the backend's stdout and stderr interleaved as PYTHONUNBUFFERED=1 (set on
 * this machine and CI's) writes them.
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

/** sys.executable of python3, its version, and whether it has pip and build. */
export type RealPython = PythonFacts;

/** The real python3 here, or why there is none (said once on stderr). */
export function realPython(): RealPython | string {
  const facts = pythonFacts();
  return 'missing' in facts ? facts.missing : facts;
}
