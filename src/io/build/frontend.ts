/**
 * Which PEP 517 frontend builds with an interpreter (DESIGN.md "Building"):
 * `uv` where it is on PATH, else the `build` module where the interpreter
 * has it, else its `pip`. Each is asked for its version, with the same
 * environment and working directory a build gets, so a frontend that is
 * there but broken is passed over rather than failing every build.
 */
import { tmpdir } from 'node:os';
import { LockhouseError } from '../../errors.js';
import { buildEnv } from './build-env.js';
import { capture } from './exec.js';
import type { BuildPython, Frontend } from './types.js';
import { which } from './which.js';

/** `--version` answers come at once; a frontend that takes longer is not one to build with. */
const PROBE_TIMEOUT_MS = 30_000;

/** "uv 0.9.2 (abc 2025-10-01)" → "0.9.2"; "pip 25.1 from … (python 3.12)" → "25.1". */
function versionIn(output: string, program: string): string | null {
  const match = new RegExp(`^${program}\\s+(\\S+)`, 'm').exec(output.trim());
  return match ? match[1]! : null;
}

async function answers(file: string, args: readonly string[], env: NodeJS.ProcessEnv, program: string): Promise<string | null> {
  const run = await capture(file, args, { env, cwd: tmpdir(), timeoutMs: PROBE_TIMEOUT_MS });
  if (run.failure !== null || run.code !== 0) return null;
  return versionIn(run.stdout, program) ?? versionIn(run.stderr, program) ?? 'unknown version';
}

async function choose(python: BuildPython, callerEnv: NodeJS.ProcessEnv): Promise<Frontend> {
  const env = buildEnv(callerEnv);
  const uv = await which('uv', env);
  if (uv !== null) {
    const version = await answers(uv, ['--version'], env, 'uv');
    if (version !== null) return { name: 'uv', description: `uv ${version} on PATH` };
  }
  const build = await answers(python.command, ['-m', 'build', '--version'], env, 'build');
  if (build !== null) return { name: 'build', description: `build ${build} in ${python.command}` };
  const pip = await answers(python.command, ['-m', 'pip', '--version'], env, 'pip');
  if (pip !== null) return { name: 'pip', description: `pip ${pip} in ${python.command}` };
  throw new LockhouseError(
    'BUILD_NO_FRONTEND',
    `No PEP 517 frontend to build with ${python.command} (Python ${python.version.join('.')}): uv is not on PATH, and that interpreter has neither the build module nor pip.`,
    {
      hint: `put uv on PATH (https://docs.astral.sh/uv/), or give the interpreter pip (${python.command} -m ensurepip) or build (${python.command} -m pip install build), or pass --build-python with one that has them`,
    },
  );
}

const chosen = new Map<string, Promise<Frontend>>();

/**
 * The frontend for builds with `python`; found once per interpreter (and
 * PATH and PYTHONPATH) per process. Throws BUILD_NO_FRONTEND, and asks again next time.
 */
export function chooseFrontend(python: BuildPython, env: NodeJS.ProcessEnv): Promise<Frontend> {
  // What decides the answer: the interpreter, where uv might be, and where modules might be.
  const key = [python.command, env['PATH'] ?? '', env['PYTHONPATH'] ?? ''].join('\u0000');
  let found = chosen.get(key);
  if (!found) {
    found = choose(python, env);
    chosen.set(key, found);
    found.catch(() => chosen.delete(key));
  }
  return found;
}
