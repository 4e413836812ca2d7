/**
 * Running the reference implementation (Python's packaging) from tests.
 * The environment is passed explicitly and cleared of PIP_* settings, so
 * what the machine's pip is configured with never leaks into a test.
 */
import { spawnSync } from 'node:child_process';

export interface Reference {
  readonly python: string;
  readonly packaging: string;
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PIP_') && !key.startsWith('PYTHON')) env[key] = value;
  }
  return env;
}

/** python3 with packaging ≥ 26.1 (which has packaging.pylock), or why not. */
export function findPackaging(): Reference | { readonly missing: string } {
  const python = process.env['LOCKHOUSE_TEST_PYTHON'] ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import packaging, packaging.pylock; print(packaging.__version__)'], {
    encoding: 'utf8',
    env: cleanEnv(),
  });
  const missing = probe.error
    ? `${python} is not available (${probe.error.message})`
    : probe.status !== 0
      ? `${python} has no packaging with packaging.pylock (needs packaging >= 26.1)`
      : null;
  if (missing) {
    console.warn(`lockhouse tests: ${missing}; the tests that compare with it are skipped`);
    return { missing };
  }
  return { python, packaging: probe.stdout.trim() };
}

/** Run a Python script with JSON on stdin; returns its JSON stdout. */
export function runPythonJson<T>(python: string, script: string, input: unknown): T {
  const run = spawnSync(python, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: cleanEnv(),
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
