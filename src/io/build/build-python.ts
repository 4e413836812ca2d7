/**
 * The interpreter a build runs with: `--build-python PATH` when given, else
 * `pythonX.Y` (`pythonX.Yt`) of the target on PATH, else `python3` (then
 * `python`, which is all Windows has). Each candidate is asked what it is,
 * because a name on PATH proves nothing: a pyenv shim `python3.12` exists
 * and fails when 3.12 is not selected, and a `python3` may be anything.
 * A candidate that does not answer is skipped.
 *
 * The interpreter is then named by its `sys.executable`, not by the shim or
 * link that found it: a shim picks its version from the working directory
 * and PYENV_VERSION, and a build runs elsewhere than the probe did.
 */
import { hostTarget, type HostInfo } from '../../python/host.js';
import { PYTHON_PROBE } from '../host-python.js';
import { capture } from './exec.js';
import type { BuildPython } from './types.js';
import { which } from './which.js';


/** A hung interpreter (a shim waiting on a network filesystem) must not hang lockhouse. */
const PROBE_TIMEOUT_MS = 20_000;

export type PythonProbe =
  | { readonly ok: true; readonly python: BuildPython }
  | { readonly ok: false; readonly command: string; readonly reason: string };

/**
 * The platform tag packaging's `sys_tags()` puts first for this interpreter,
 * in the order src/python/tags.ts follows (packaging 26.2): on Linux the
 * newest manylinux (glibc) or musllinux (musl) tag, e.g.
 * "manylinux_2_36_x86_64"; on macOS "macosx_14_0_arm64" for the running OS;
 * elsewhere sysconfig's platform normalized ("win_amd64"). Where the host
 * cannot be described as a target (an unreadable macOS version, a Python 2),
 * sysconfig's platform normalized ("linux_x86_64").
 */
function firstPlatformTag(info: HostInfo): string {
  const fallback = info.sysconfigPlatform.replace(/[.\- ]/g, '_').toLowerCase();
  try {
    const [major, minor] = info.pythonVersion;
    const best = hostTarget(info, { pythonVersion: `${major}.${minor}` }).tags.ordered[0];
    return best?.split('-')[2] ?? fallback;
  } catch {
    return fallback;
  }
}

const probes = new Map<string, Promise<PythonProbe>>();

async function probe(command: string, path: string, env: NodeJS.ProcessEnv): Promise<PythonProbe> {
  const failed = (reason: string): PythonProbe => ({ ok: false, command, reason });
  // SYSTEM_VERSION_COMPAT=0: macOS builds otherwise report 10.16 for every version above 10.15.
  const run = await capture(path, ['-I', '-c', PYTHON_PROBE], { env: { ...env, SYSTEM_VERSION_COMPAT: '0' }, timeoutMs: PROBE_TIMEOUT_MS });
  if (run.failure !== null) return failed(`${path} did not run: ${run.failure}`);
  if (run.code !== 0) return failed(`${path} exited with code ${run.code}: ${run.stderr.trim().split('\n').pop() ?? ''}`);
  let info: HostInfo & { executable?: unknown };
  try {
    info = JSON.parse(run.stdout) as HostInfo & { executable?: unknown };
  } catch {
    return failed(`${path} answered something that is not JSON: ${run.stdout.slice(0, 200)}`);
  }
  const [major, minor, micro] = info.pythonVersion ?? [];
  if (typeof major !== 'number' || typeof minor !== 'number' || typeof micro !== 'number') return failed(`${path} reported no version`);
  const executable = typeof info.executable === 'string' && info.executable !== '' ? info.executable : path;
  return {
    ok: true,
    python: {
      command: executable,
      version: [major, minor, micro],
      platform: firstPlatformTag(info),
      freeThreaded: info.freeThreaded === true,
      host: info,
    },
  };
}

/**
 * Ask `command` (a name on env's PATH, or a path) what it is. Asked once per
 * file per process: later calls share the first answer, success or failure.
 */
export async function probeBuildPython(command: string, env: NodeJS.ProcessEnv): Promise<PythonProbe> {
  const path = await which(command, env);
  if (path === null) return { ok: false, command, reason: `${command} is not on PATH` };
  let found = probes.get(path);
  if (!found) {
    found = probe(command, path, env);
    probes.set(path, found);
  }
  return found;
}

/** "3.12" → [3, 12, false]; "3.13t" → [3, 13, true]; "3.11.7" → [3, 11, false]; anything else → null. */
export function parseWanted(version: string): readonly [number, number, boolean] | null {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?(t?)$/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2]), match[3] === 't'] : null;
}

export interface FindBuildPythonOptions {
  /** The target's Python: "3.12", "3.13t" (a full "3.12.4" counts as 3.12). */
  readonly version?: string | undefined;
  /** --build-python PATH: the only candidate when given. */
  readonly explicit?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/** The commands tried, best first. Pure. */
export function buildPythonCandidates(options: Omit<FindBuildPythonOptions, 'env'>): string[] {
  if (options.explicit !== undefined && options.explicit !== '') return [options.explicit];
  const wanted = options.version === undefined ? null : parseWanted(options.version);
  const versioned = wanted === null ? [] : wanted[2] ? [`python${wanted[0]}.${wanted[1]}t`, `python${wanted[0]}.${wanted[1]}`] : [`python${wanted[0]}.${wanted[1]}`];
  return [...versioned, 'python3', 'python'];
}

/**
 * The build interpreter, or null when no candidate runs. With a version, a
 * candidate that is exactly that Python (free-threaded or not) wins;
 * otherwise the first candidate that runs, in the order above: the caller
 * compares `version` with the target's to know what it got. An explicit
 * interpreter is the only candidate; `probeBuildPython(explicit)` says why
 * it failed (from the cache, without running it again).
 */
export async function findBuildPython(options: FindBuildPythonOptions): Promise<BuildPython | null> {
  const wanted = options.version === undefined ? null : parseWanted(options.version);
  let first: BuildPython | null = null;
  for (const command of buildPythonCandidates(options)) {
    const result = await probeBuildPython(command, options.env);
    if (!result.ok) continue;
    const python = result.python;
    if (options.explicit || !wanted) return python;
    if (python.version[0] === wanted[0] && python.version[1] === wanted[1] && python.freeThreaded === wanted[2]) return python;
    first ??= python;
  }
  return first;
}
