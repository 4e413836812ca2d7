/**
 * --emit-pylock FILE (DESIGN.md "Output flags"): a PEP 751 lock of what was
 * collected, for installing offline from the wheelhouse. Each package points
 * at its collected files by relative `path` (relative to the lock's folder,
 * as PEP 751 says) with their sha256 and size; the lock's `url` stays beside
 * `path` where there is one (installers take `path` first). Built wheels are
 * listed as wheels, so production installs them and never builds.
 *
 * Per-package `marker`s keep the lock right for every collected target
 * (target-markers.ts); `environments` lists the targets, so an installer on
 * a machine that is none of them refuses instead of installing half.
 * `[tool.lockhouse] targets` names them. Byte-identical for the same input:
 * packages sorted by name and version, files by name, no timestamps. Pure.
 */
import type { ManifestArtifact } from './manifest.js';
import type { EmittedPackages } from './emitted-packages.js';
import { tomlArrayLines, tomlInline, tomlString, type TomlValue } from './toml-text.js';

export interface PylockInput {
  readonly emitted: EmittedPackages;
  /** The ids of the targets collected, for `[tool.lockhouse]`. */
  readonly targets: readonly string[];
  /** The source lock's requires-python, if it has one. */
  readonly requiresPython: string | null;
  /** From the emitted lock's folder to the artifacts' folder, POSIX: '' (the same folder) or ending in '/'. */
  readonly filesPrefix: string;
}

const PYLOCK_CREATED_BY = 'lockhouse';

export function renderPylock(input: PylockInput): string {
  const { emitted, filesPrefix } = input;
  let out = '';
  out += `lock-version = "1.0"\n`;
  out += `created-by = ${tomlString(PYLOCK_CREATED_BY)}\n`;
  if (input.requiresPython) out += `requires-python = ${tomlString(input.requiresPython)}\n`;
  out += tomlArrayLines('environments', emitted.groups.environments);
  for (const pkg of emitted.packages) {
    out += `\n[[packages]]\n`;
    out += `name = ${tomlString(pkg.name)}\n`;
    out += `version = ${tomlString(pkg.version)}\n`;
    if (pkg.marker) out += `marker = ${tomlString(pkg.marker)}\n`;
    if (pkg.sdist) out += `sdist = ${tomlInline(fileEntry(pkg.sdist, filesPrefix))}\n`;
    if (pkg.wheels.length) out += tomlArrayLines('wheels', pkg.wheels.map((wheel) => fileEntry(wheel, filesPrefix)));
  }
  out += `\n[tool.lockhouse]\n`;
  out += tomlArrayLines('targets', input.targets);
  return out;
}

function fileEntry(artifact: ManifestArtifact, filesPrefix: string): TomlValue {
  return {
    name: artifact.filename,
    url: artifact.url ?? undefined,
    path: `${filesPrefix === '' ? './' : filesPrefix}${artifact.filename}`,
    size: artifact.size,
    hashes: { sha256: artifact.sha256 },
  };
}
