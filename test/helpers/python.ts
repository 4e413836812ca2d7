/**
 * The one place tests find Python: which interpreter (python3, or
 * $LOCKHOUSE_TEST_PYTHON), the environment it runs in, and what it has (pip,
 * build, packaging), probed once per test process in one run of it. pip.ts
 * (real pip), the build-layer tests and the reference comparisons all ask
 * here, so a machine without Python skips the same tests, saying why, and
 * the machine's own settings never leak into one of them.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env['LOCKHOUSE_TEST_PYTHON'] ?? 'python3';

/** process.env less every PIP_* and PYTHON* variable (this machine's pip configuration, a PYTHONPATH), then `extra`. */
export function pythonEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PIP_') && !key.startsWith('PYTHON')) env[key] = value;
  }
  return { ...env, ...extra };
}

/** What PYTHON is and has. */
export interface PythonFacts {
  /** sys.executable. */
  readonly executable: string;
  readonly version: readonly [number, number, number];
  readonly hasPip: boolean;
  readonly hasBuild: boolean;
  /** packaging's version, or null where it is not installed. */
  readonly packaging: string | null;
  /** packaging.pylock is there (packaging >= 26.1). */
  readonly hasPylock: boolean;
}

const PROBE = String.raw`
import importlib.util as u, json, sys
def found(name):
    try:
        return u.find_spec(name) is not None
    except ImportError:
        return False
try:
    import packaging
    packaging_version = packaging.__version__
except ImportError:
    packaging_version = None
print(json.dumps([sys.executable, list(sys.version_info[:3]), found("pip"), found("build"), packaging_version, found("packaging.pylock")]))
`;

let probed: PythonFacts | { readonly missing: string } | undefined;

/** PYTHON's facts, or why it cannot run; asked once per test process (cwd "/", so no folder's modules shadow its own). */
export function pythonFacts(): PythonFacts | { readonly missing: string } {
  if (probed) return probed;
  const probe = spawnSync(PYTHON, ['-c', PROBE], { encoding: 'utf8', env: pythonEnv(), cwd: '/' });
  if (probe.error || probe.status !== 0) {
    probed = { missing: `${PYTHON} is not available (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()})` };
    console.warn(`lockhouse tests: ${probed.missing}; the tests that run it are skipped`);
    return probed;
  }
  const [executable, version, hasPip, hasBuild, packaging, hasPylock] = JSON.parse(probe.stdout) as [
    string,
    [number, number, number],
    boolean,
    boolean,
    string | null,
    boolean,
  ];
  probed = { executable, version, hasPip, hasBuild, packaging, hasPylock };
  return probed;
}

export interface Reference {
  readonly python: string;
  readonly packaging: string;
}

const warned = new Set<string>();

/** python3 with packaging ≥ 26.1 (which has packaging.pylock), or why not (said once on stderr). */
export function findPackaging(): Reference | { readonly missing: string } {
  const facts = pythonFacts();
  if ('missing' in facts) return facts;
  if (!facts.hasPylock || facts.packaging === null) {
    const missing = `${PYTHON} has no packaging with packaging.pylock (needs packaging >= 26.1)`;
    if (!warned.has(missing)) console.warn(`lockhouse tests: ${missing}; the tests that compare with it are skipped`);
    warned.add(missing);
    return { missing };
  }
  return { python: PYTHON, packaging: facts.packaging };
}

/** Run a Python script with JSON on stdin; returns its JSON stdout. */
export function runPythonJson<T>(python: string, script: string, input: unknown): T {
  const run = spawnSync(python, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: pythonEnv(),
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`python failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/**
 * Python source defining `readable(data)`: a pylock document as packaging
 * 26.2 will take it. uv writes two things packaging rejects
 * (corpus-uvexport/README.md): a wheel `name` left out where the URL's last
 * segment, percent-decoded, is the name (`torch-2.11.0%2Bcpu-…whl`), and
 * `hashes = {}` for files from flat find-links pages. lockhouse reads both as
 * they are; for packaging they are smoothed (neither changes what is selected).
 */
export const PYLOCK_READABLE = String.raw`
import urllib.parse

def readable(data):
    for package in data.get("packages", []):
        for dist in package.get("wheels", []) + [package.get("sdist") or {}, package.get("archive") or {}]:
            if dist.get("hashes") == {}:
                dist["hashes"] = {"sha256": "0" * 64}
        for wheel in package.get("wheels", []):
            if "name" not in wheel and "url" in wheel:
                wheel["name"] = urllib.parse.unquote(wheel["url"].rsplit("/", 1)[-1])
    return data
`;
