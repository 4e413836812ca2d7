/**
 * Every Python subprocess lockhouse runs. For now: asking an interpreter
 * what it is (the host target). The script uses the standard library only
 * (no packaging), so any CPython 3.8+ answers.
 */
import { execFile } from 'node:child_process';
import type { HostInfo } from '../python/host.js';

/**
 * What an interpreter is, as JSON: HostInfo, plus `executable` (the build
 * layer, src/io/build/python.ts, runs it too and wants the resolved path).
 */
export const PYTHON_PROBE = String.raw`
import glob, json, os, platform, struct, subprocess, sys, sysconfig

def version(info):
    text = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        text += info.releaselevel[0] + str(info.serial)
    return text

def musl():
    for loader in sorted(glob.glob("/lib/ld-musl-*.so.1")):
        try:
            err = subprocess.run([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=5).stderr.decode()
        except Exception:
            continue
        for line in err.splitlines():
            if line.startswith("Version "):
                return line.split()[1]
    return None

glibc = None
try:
    text = os.confstr("CS_GNU_LIBC_VERSION")
    if text and text.startswith("glibc "):
        glibc = text.split()[1]
except (AttributeError, OSError, ValueError):
    pass

markers = {
    "implementation_name": sys.implementation.name,
    "implementation_version": version(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps({
    "executable": sys.executable,
    "markers": markers,
    "pythonVersion": list(sys.version_info[:3]),
    "freeThreaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "implementation": sys.implementation.name,
    "sysconfigPlatform": sysconfig.get_platform(),
    "pointerBits": struct.calcsize("P") * 8,
    "glibcVersion": glibc,
    "muslVersion": None if glibc or not sys.platform.startswith("linux") else musl(),
    "macosVersion": platform.mac_ver()[0] or None if sys.platform == "darwin" else None,
}))
`;

export class PythonProbeError extends Error {
  constructor(
    message: string,
    readonly python: string,
    readonly missing: boolean,
  ) {
    super(message);
    this.name = 'PythonProbeError';
  }
}

/** Ask `python` (a command on PATH or a path) what it is. */
export function probePython(python: string, env: NodeJS.ProcessEnv = process.env): Promise<HostInfo> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      python,
      ['-I', '-c', PYTHON_PROBE],
      // macOS builds report 10.16 for every version above 10.15 unless asked not to.
      { env: { ...env, SYSTEM_VERSION_COMPAT: '0' }, timeout: 20_000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          const detail = missing ? 'not found' : (stderr.trim().split('\n').pop() ?? error.message);
          reject(new PythonProbeError(`cannot ask ${python} about the host: ${detail}`, python, missing));
          return;
        }
        try {
          resolvePromise(JSON.parse(stdout) as HostInfo);
        } catch {
          reject(new PythonProbeError(`${python} answered something that is not JSON: ${stdout.slice(0, 200)}`, python, false));
        }
      },
    );
  });
}
