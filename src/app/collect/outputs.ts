/**
 * The end of a collect: the files emitted beside the wheelhouse (a pylock,
 * hashed requirements — or, when something failed, an EMIT_INCOMPLETE
 * failure instead), --clean (or, without it, a word about what it would
 * remove), the manifest, and for the simple layout the static index of
 * what DIR/files now holds.
 */
import { basename, dirname, relative, resolve, sep } from 'node:path';
import type { Log } from '../../model.js';
import type { Manifest } from '../../output/manifest.js';
import { removeFiles, staleFiles } from '../../io/wheelhouse/clean.js';
import { writeSimpleIndex } from '../../io/wheelhouse/static-index.js';
import type { Wheelhouse } from '../../io/wheelhouse/wheelhouse.js';
import { sbomText, writeSbom, type SbomCollection } from '../sbom.js';
import type { TargetContext } from '../resolve-targets.js';
import { emitOutputs, emitPaths, type EmitContext, type EmitRequest } from './emit.js';
import type { Recorded } from './record.js';

/** Emit what was asked, or record why not. Returns the emitted files inside DIR (relative, POSIX), which the manifest lists. */
export async function emitOrExplain(request: EmitRequest, context: EmitContext, recorded: Recorded): Promise<string[]> {
  const emitted = emitPaths(request, context.cwd).flatMap((path) => insideDir(context.dir, path) ?? []);
  if (recorded.failures.length === 0) {
    await emitOutputs(request, context, recorded.artifacts);
  } else if (request.emitPylock || request.emitRequirements) {
    const flags = [request.emitPylock ? `--emit-pylock ${request.emitPylock}` : null, request.emitRequirements ? `--emit-requirements ${request.emitRequirements}` : null].filter(Boolean);
    recorded.failures.push({
      code: 'EMIT_INCOMPLETE',
      package: null,
      version: null,
      filename: null,
      target: null,
      url: null,
      reason: `${flags.join(' and ')} not written: ${recorded.failures.length} artifact(s) failed, and a lock without them would install an incomplete environment`,
    });
  }
  return emitted;
}

/** How many stale names the warning lists before "and N more" (-v lists every one): one line, however many there are. */
const NAMED = 20;

/**
 * The files in DIR this collection does not contain that lockhouse put
 * there (io/wheelhouse/clean.ts): removed with --clean; without it, named
 * in one warning (an old lock's wheels would otherwise stay unnoticed).
 */
export async function tidyWheelhouse(wheelhouse: Wheelhouse, request: EmitRequest, cwd: string, recorded: Recorded, clean: boolean, log: Log): Promise<void> {
  const emittedHere = emitPaths(request, cwd)
    .filter((path) => dirname(path) === wheelhouse.filesDir)
    .map((path) => basename(path));
  const keep = new Set([...recorded.artifacts.map((artifact) => artifact.filename), ...emittedHere]);
  const prefix = wheelhouse.filesDir === wheelhouse.dir ? '' : `${relative(wheelhouse.dir, wheelhouse.filesDir).split(sep).join('/')}/`;
  const stale = await staleFiles({ filesDir: wheelhouse.filesDir, prefix, keep, previous: wheelhouse.previous.manifest });
  if (stale.length === 0) return;
  if (clean) {
    const removed = await removeFiles(wheelhouse.filesDir, stale);
    if (removed.length) log('info', `--clean removed ${removed.length} file(s) this collection does not contain`, { removed });
    return;
  }
  const named = stale.slice(0, NAMED).join(', ') + (stale.length > NAMED ? ` and ${stale.length - NAMED} more` : '');
  log('warn', `${stale.length} file(s) in ${wheelhouse.filesDir} are not part of this collection: ${named} (--clean removes them)`);
  if (stale.length > NAMED) log('debug', 'not part of this collection', { stale });
}

/** The static index of what DIR/files holds now, from the hashes just verified. */
export async function indexWheelhouse(wheelhouse: Wheelhouse, manifest: Manifest, log: Log): Promise<void> {
  const known = new Map(manifest.artifacts.map((artifact) => [artifact.filename, artifact]));
  const index = await writeSimpleIndex({ dir: wheelhouse.dir, filesDir: wheelhouse.filesDir, known, log });
  log('info', `static index: ${index.projects} project(s), ${index.files} file(s) under ${wheelhouse.dir}/simple`);
}

/**
 * --emit-sbom FILE: the SBOM of what the manifest records (app/sbom.ts),
 * rendered from the manifest just written as `lockhouse sbom DIR` would.
 * Written even when some artifact failed, unlike the emitted lock files: it
 * lists what DIR holds, not what to install, and says how many failed.
 */
export async function emitSbom(request: EmitRequest, cwd: string, collection: SbomCollection, context: TargetContext & { readonly version: string }, log: Log): Promise<void> {
  if (!request.emitSbom) return;
  const path = await writeSbom(resolve(cwd, request.emitSbom), await sbomText(collection, context));
  log('info', `SBOM (CycloneDX 1.6): ${path}, ${collection.manifest.artifacts.length} component(s)`);
}

/** `path` relative to DIR (POSIX) when it is inside DIR, else null: emitted files inside DIR are recorded in the manifest (verify and --clean leave them be); outside it, they are the user's. */
function insideDir(dir: string, path: string): string | null {
  const rel = relative(dir, path);
  return rel && !rel.startsWith('..') && !rel.includes(':') ? rel.split(sep).join('/') : null;
}
