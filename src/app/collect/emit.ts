/**
 * --emit-pylock and --emit-requirements at the end of a collect: render the
 * collected artifacts as a PEP 751 lock and as hashed requirements, and
 * write each atomically. Nothing is emitted when some artifact failed: a
 * lock that silently leaves packages out would install an incomplete
 * environment (EMIT_INCOMPLETE, with the failures already listed). What
 * is written is scrubbed of secrets (src/secrets.ts), as every file
 * lockhouse writes is.
 */
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { LockhouseError } from '../../errors.js';
import { landBytes } from '../../io/store/land.js';
import type { Target } from '../../model.js';
import { emittedPackages } from '../../output/emitted-packages.js';
import { renderPylock } from '../../output/emit-pylock.js';
import { renderRequirements } from '../../output/emit-requirements.js';
import type { ManifestArtifact } from '../../output/manifest.js';
import { scrubSecrets } from '../../secrets.js';

export interface EmitRequest {
  /** --emit-pylock FILE (relative to cwd), or null. */
  readonly emitPylock: string | null;
  /** --emit-requirements FILE (relative to cwd), or null. */
  readonly emitRequirements: string | null;
  /** --emit-sbom FILE (relative to cwd), or null: written after the manifest, from it (outputs.ts emitSbom). */
  readonly emitSbom?: string | null;
}

export interface EmitContext {
  readonly cwd: string;
  readonly dir: string;
  readonly filesDir: string;
  readonly lockPath: string;
  readonly requiresPython: string | null;
  readonly targets: readonly Target[];
}

/** A PEP 751 file name: pylock.toml or pylock.<name>.toml. */
const PYLOCK_NAME = /^pylock\.([^.]+)\.toml$/;

/** Checks made before collecting: emitting needs targets to write markers for. Returns warnings. */
export function checkEmitRequest(request: EmitRequest, allPlatforms: boolean): string[] {
  const flags = [request.emitPylock ? '--emit-pylock' : null, request.emitRequirements ? '--emit-requirements' : null].filter(Boolean);
  if (flags.length && allPlatforms) {
    throw new LockhouseError('USAGE', `${flags.join(' and ')} cannot be used with --all-platforms: an emitted lock needs the targets it installs on`, {
      hint: 'name the targets with --python-platform and --python-version',
    });
  }
  const warnings: string[] = [];
  if (request.emitPylock) {
    const name = basename(request.emitPylock);
    if (name !== 'pylock.toml' && !PYLOCK_NAME.test(name)) {
      warnings.push(`--emit-pylock ${request.emitPylock}: PEP 751 names lock files pylock.toml or pylock.<name>.toml; installers may not recognise "${name}"`);
    }
  }
  return warnings;
}

/** The absolute paths this request will write. */
export function emitPaths(request: EmitRequest, cwd: string): string[] {
  return [request.emitPylock, request.emitRequirements, request.emitSbom].filter((path): path is string => Boolean(path)).map((path) => resolve(cwd, path));
}

export async function emitOutputs(request: EmitRequest, context: EmitContext, artifacts: readonly ManifestArtifact[]): Promise<string[]> {
  const written: string[] = [];
  if (!request.emitPylock && !request.emitRequirements) return written;
  const emitted = emittedPackages(
    context.targets.map((target) => ({ id: target.id, markers: target.markers })),
    artifacts,
  );
  const targets = context.targets.map((target) => target.id);
  if (request.emitPylock) {
    const path = resolve(context.cwd, request.emitPylock);
    const prefix = posixRelative(dirname(path), context.filesDir);
    await landBytes(path, scrubSecrets(renderPylock({ emitted, targets, requiresPython: context.requiresPython, filesPrefix: prefix === '' ? '' : `${prefix}/` })));
    written.push(path);
  }
  if (request.emitRequirements) {
    const path = resolve(context.cwd, request.emitRequirements);
    const findLinks = posixRelative(dirname(path), context.filesDir) || '.';
    await landBytes(path, scrubSecrets(renderRequirements({ emitted, targets, lockName: basename(context.lockPath), findLinks })));
    written.push(path);
  }
  return written;
}

/** `to` relative to `from`, with / between parts (an absolute path where they share no root, as on two Windows drives). */
function posixRelative(from: string, to: string): string {
  const path = relative(from, to);
  return isAbsolute(path) ? path : path.split(sep).join('/');
}
