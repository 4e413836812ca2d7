/**
 * Target flags → Targets. Without flags the target is the host, as an
 * interpreter describes it (python3, or --python PATH). Flags that give only
 * half a target borrow the other half from the host, as uv does: a
 * `--python-version` alone means this machine's platform, a
 * `--python-platform` alone means the interpreter's Python version.
 */
import { LockhouseError } from '../errors.js';
import type { Target } from '../model.js';
import { PythonProbeError, probePython } from '../io/host-python.js';
import { hostTarget, nodeHostPlatform, type HostInfo } from '../python/host.js';
import { buildTargets, uniqueTargets } from '../python/targets.js';

export interface TargetRequest {
  readonly pythonPlatforms: readonly string[];
  readonly pythonVersions: readonly string[];
  readonly platforms: readonly string[];
  readonly implementation?: string | undefined;
  readonly abis: readonly string[];
  /** The interpreter that describes the host (default python3). */
  readonly python?: string | undefined;
  /** `--all-platforms`: no targets at all. */
  readonly allPlatforms?: boolean;
}

export interface TargetContext {
  readonly env: NodeJS.ProcessEnv;
  /** Injected in tests; the real probe runs an interpreter. */
  readonly probe?: (python: string) => Promise<HostInfo>;
}

export async function resolveTargets(request: TargetRequest, context: TargetContext): Promise<Target[]> {
  const platformsGiven = request.pythonPlatforms.length > 0 || request.platforms.length > 0;
  if (request.allPlatforms) {
    if (platformsGiven || request.pythonVersions.length > 0) {
      throw new LockhouseError('USAGE', '--all-platforms cannot be combined with target flags (--python-platform, --python-version, --platform)', {
        hint: '--all-platforms already takes every artifact of the lock',
      });
    }
    return [];
  }
  const macosDeploymentTarget = context.env['MACOSX_DEPLOYMENT_TARGET'] || undefined;
  // uv's --python takes a version request (3.12, 3.13t) as well as a path:
  // the interpreter is then pythonX.Y on PATH, and the version the target's.
  const wanted = versionRequest(request.python);
  if (wanted && request.pythonVersions.length === 0) request = { ...request, pythonVersions: [wanted.version] };
  const flags = {
    pythonPlatforms: request.pythonPlatforms,
    pythonVersions: request.pythonVersions,
    platforms: request.platforms,
    implementation: request.implementation,
    abis: request.abis.length > 0 ? request.abis : undefined,
    macosDeploymentTarget,
  };
  if (platformsGiven && request.pythonVersions.length > 0) return buildTargets(flags);

  const python = wanted ? `python${wanted.minor}${wanted.freeThreaded ? 't' : ''}` : (request.python ?? 'python3');
  const probe = context.probe ?? ((command: string) => probePython(command, context.env));
  let host: HostInfo;
  try {
    host = await probe(python);
  } catch (error) {
    if (!(error instanceof PythonProbeError)) throw error;
    // No interpreter: the platform can still come from Node, but the Python version cannot.
    if (!platformsGiven && request.pythonVersions.length > 0) {
      const platform = nodeHostPlatform({ platform: process.platform, arch: process.arch, glibcVersion: glibcFromNode() });
      return buildTargets({ ...flags, pythonPlatforms: [platform] });
    }
    throw new LockhouseError('TARGET_HOST_UNKNOWN', `${error.message}, and no --python-version says which Python to collect for`, {
      hint: 'pass --python-version (and --python-platform), or --python PATH to an interpreter',
      cause: error,
    });
  }
  if (platformsGiven) {
    const [major, minor] = host.pythonVersion;
    return buildTargets({ ...flags, pythonVersions: [`${major}.${minor}${host.freeThreaded ? 't' : ''}`] });
  }
  if (request.pythonVersions.length > 0) {
    return uniqueTargets(request.pythonVersions.map((version) => hostTarget(host, { pythonVersion: version, abis: flags.abis })));
  }
  return [hostTarget(host, { abis: flags.abis })];
}

function glibcFromNode(): string | null {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ?? null;
}

/**
 * A --python value that asks for a Python version, as uv takes one — `3.12`,
 * `3.12.4`, `3.13t`, `python3.12`, `cpython3.12` — rather than naming an
 * interpreter; null for a path or a command name.
 */
export function versionRequest(value: string | undefined): { readonly version: string; readonly minor: string; readonly freeThreaded: boolean } | null {
  const match = value === undefined ? null : /^(?:c?python)?(3)\.(\d+)(\.\d+)?(t)?$/i.exec(value);
  if (!match) return null;
  const minor = `${match[1]}.${match[2]}`;
  return { version: `${minor}${match[3] ?? ''}${match[4] ? 't' : ''}`, minor, freeThreaded: Boolean(match[4]) };
}
