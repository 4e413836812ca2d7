/**
 * The parts a merge is given: each a wheelhouse another lockhouse collect
 * wrote (on another runner, brought here as a CI artifact), read as verify
 * reads a DIR — its manifest a regular file never read through a link, its
 * layout from the manifest. A part without a manifest this lockhouse reads,
 * or one that does not record its selection, cannot be checked against the
 * lock: refused, before anything is written.
 */
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { LockhouseError } from '../../errors.js';
import { filesDirOf } from '../../io/wheelhouse/layout.js';
import { readManifestFile } from '../../io/wheelhouse/manifest-file.js';
import type { Manifest, ManifestSelection } from '../../output/manifest.js';
import type { PartView } from './choose.js';

export interface Part extends PartView {
  /** The folder, absolute. */
  readonly root: string;
  /** Where its files are: the folder (flat), or its files/ (simple). */
  readonly filesDir: string;
  readonly manifest: Manifest & { readonly selection: ManifestSelection };
}

export async function readParts(paths: readonly string[], cwd: string, output: string): Promise<Part[]> {
  if (paths.length === 0) {
    throw new LockhouseError('USAGE', 'lockhouse merge needs at least one part', { hint: 'lockhouse merge PART... -o DIR, each PART a folder lockhouse collect wrote' });
  }
  const parts: Part[] = [];
  for (const path of paths) {
    const root = resolve(cwd, path);
    if (inside(root, output)) {
      throw new LockhouseError('USAGE', `the output ${output} is the part ${path}, or inside it`, { hint: 'merge into a folder outside the parts, e.g. -o wheelhouse beside parts/' });
    }
    const invalid = (why: string, hint: string): LockhouseError => new LockhouseError('MERGE_PART_INVALID', `cannot merge the part ${path}: ${why}`, { hint });
    const folder = await stat(root).catch(() => null);
    if (!folder?.isDirectory()) throw invalid(folder ? 'it is not a directory' : 'it does not exist', 'each PART is a folder lockhouse collect wrote (a CI artifact, downloaded)');
    const read = await readManifestFile(root);
    if (read.manifest === null) throw invalid(read.detail, 'a part is a wheelhouse lockhouse collect wrote, with its lockhouse.json');
    const manifest = read.manifest;
    if (!manifest.selection) {
      throw invalid('its manifest does not record the selection it was collected with (an older lockhouse wrote it)', 'collect the part again with this lockhouse');
    }
    const name = basename(root);
    const twin = parts.find((part) => part.name === name);
    if (twin) {
      throw invalid(`another part, ${relative(cwd, twin.root) || twin.root}, has the same folder name "${name}"`, "the merged manifest names each file's part by its folder name: give the parts distinct folder names");
    }
    parts.push({ name, root, filesDir: filesDirOf(root, manifest.layout ?? 'flat'), manifest: { ...manifest, selection: manifest.selection } });
  }
  return parts;
}

/** Is `path` `root` or inside it? */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
