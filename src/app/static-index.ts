/**
 * `lockhouse index DIR` as a library call: index a wheelhouse as lockhouse
 * collect left it. The files are where the layout rule says (layout.ts);
 * files the manifest lists keep its sha256 while the re-run trust rule
 * holds (unless `verify`), the others are hashed.
 */
import { resolve } from 'node:path';
import { detectLayout, filesDirOf } from '../io/wheelhouse/layout.js';
import { readManifestFile } from '../io/wheelhouse/manifest-file.js';
import { writeSimpleIndex, type IndexDirSummary, type IndexLog, type KnownFile } from '../io/wheelhouse/static-index.js';

export type { IndexDirSummary, IndexLog };

export interface IndexWheelhouseRequest {
  readonly dir: string;
  /** Hash every file, trusting nothing the manifest says. */
  readonly verify: boolean;
  readonly log: IndexLog;
}

export async function indexWheelhouse(request: IndexWheelhouseRequest): Promise<IndexDirSummary> {
  const dir = resolve(request.dir);
  const read = await readManifestFile(dir);
  // Only a missing manifest goes unmentioned: anything else at its name is worth a word.
  if (read.problem !== null && read.problem !== 'absent') request.log('warn', `${read.detail}: every file is hashed`);
  const layout = await detectLayout(dir, read.manifest);
  const known = new Map<string, KnownFile>();
  if (!request.verify) for (const artifact of read.manifest?.artifacts ?? []) known.set(artifact.filename, artifact);
  return writeSimpleIndex({ dir, filesDir: filesDirOf(dir, layout), known, log: request.log });
}
