/**
 * The options that say what a wheelhouse command writes besides DIR's files —
 * its layout, and the pylock, requirements and SBOM it emits — one
 * definition for `collect` and `merge` (and the SBOM's for `bundle`), so the
 * flags mean one thing wherever they are taken. `what` names the files
 * ("collected", "merged", "bundled") in the help.
 */
import { Option } from 'clipanion';
import { oneOf } from './validate.js';

export function layoutOption(): string {
  return Option.String('--layout', 'flat', {
    description: 'flat: the files in DIR, for pip --find-links (default); simple: DIR/files plus a static PEP 503/691 index in DIR/simple, for pip --index-url',
  });
}

export function emitPylockOption(what: string): string | undefined {
  return Option.String('--emit-pylock', {
    description: `Also write a PEP 751 pylock.toml that points at the ${what} files by relative path, with their hashes and per-target markers`,
  });
}

export function emitRequirementsOption(): string | undefined {
  return Option.String('--emit-requirements', {
    description: 'Also write pinned requirements with --hash lines, for pip install --no-index --find-links DIR --require-hashes -r FILE',
  });
}

export function emitSbomOption(what: string, extra = ', as lockhouse sbom does'): string | undefined {
  return Option.String('--emit-sbom', {
    description: `Also write a CycloneDX 1.6 SBOM of the files ${what} (purl, hashes, origin, targets, built-from, dependencies)${extra}`,
  });
}

/** What those options ask for, as a collect or merge request takes it (--layout checked). */
export function outputsOf(given: { readonly layout: string; readonly emitPylock?: string | undefined; readonly emitRequirements?: string | undefined; readonly emitSbom?: string | undefined }) {
  return {
    layout: oneOf('--layout', given.layout, ['flat', 'simple'] as const),
    emitPylock: given.emitPylock ?? null,
    emitRequirements: given.emitRequirements ?? null,
    emitSbom: given.emitSbom ?? null,
  };
}
