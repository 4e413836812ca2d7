/**
 * DIR/lockhouse.json on disk: one reader, one writer.
 *
 * The reader opens only a regular file, never through a symlink and never
 * waiting on a FIFO planted at the name (O_NOFOLLOW | O_NONBLOCK, then
 * fstat): a wheelhouse may come from a checkout or an archive, and what is
 * at the manifest's name is untrusted until read. It says why there is no
 * manifest rather than failing: every caller goes on without one (files are
 * then hashed, not trusted).
 *
 * The writer lands the manifest as everything lands (store/land.ts),
 * through DIR/.lockhouse/tmp, scrubbed of secrets (manifestWithoutSecrets):
 * whoever made the manifest, a library caller's included, the file carries
 * no password.
 */
import { join } from 'node:path';
import { openRegularFile } from '../store/hash-file.js';
import { landBytes } from '../store/land.js';
import { errnoCode, reason } from '../store/store-error.js';
import { readManifest, renderManifest, type Manifest } from '../../output/manifest.js';
import { scrubSecrets } from '../../secrets.js';
import { MANIFEST_FILE, statePath } from './layout.js';

/** Why a DIR has no manifest lockhouse can use. */
export type NoManifest = 'absent' | 'symlink' | 'not-regular' | 'unreadable' | 'invalid';

export type ManifestRead =
  | { readonly manifest: Manifest; readonly problem: null }
  | { readonly manifest: null; readonly problem: NoManifest; readonly detail: string };

/** The largest manifest read: 600 files make ~300 KB; a planted endless file must not fill memory. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

export function manifestPath(dir: string): string {
  return join(dir, MANIFEST_FILE);
}

export async function readManifestFile(dir: string): Promise<ManifestRead> {
  const path = manifestPath(dir);
  let text: string;
  try {
    const { handle, size } = await openRegularFile(path, { noFollow: true });
    try {
      if (size > MAX_MANIFEST_BYTES) return { manifest: null, problem: 'unreadable', detail: `${path} is larger than ${MAX_MANIFEST_BYTES} bytes` };
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { manifest: null, problem: 'absent', detail: `no manifest (${path})` };
    if (code === 'ELOOP') return { manifest: null, problem: 'symlink', detail: `${path} is a symbolic link, not read (lockhouse never follows links in DIR)` };
    if (code === 'ENOTREG') return { manifest: null, problem: 'not-regular', detail: `${path} is not a regular file, not read` };
    return { manifest: null, problem: 'unreadable', detail: `${path} cannot be read (${reason(error)})` };
  }
  const manifest = readManifest(text);
  return manifest ? { manifest, problem: null } : { manifest: null, problem: 'invalid', detail: `${path} is not a manifest this lockhouse reads` };
}

export async function writeManifestFile(dir: string, manifest: Manifest): Promise<string> {
  const path = manifestPath(dir);
  await landBytes(path, renderManifest(manifestWithoutSecrets(manifest)), { tempDir: statePath(dir, 'tmp') });
  return path;
}

/**
 * The manifest with every field that holds free text or a URL scrubbed of
 * secrets (src/secrets.ts): URLs, reasons, what a wheel was built from, the
 * lock's path, the index URLs of the selection. Names, versions, file names
 * and hashes are identifiers a re-run and verify match on: left as they are
 * (a secret is never one; a short password that happens to be part of a
 * name must not rename a file).
 */
export function manifestWithoutSecrets<T extends Manifest>(manifest: T): T {
  const text = scrubSecrets;
  const url = (value: string | null): string | null => (value === null ? null : text(value));
  return {
    ...manifest,
    lock: { ...manifest.lock, path: text(manifest.lock.path) },
    ...(manifest.selection
      ? { selection: { ...manifest.selection, indexes: manifest.selection.indexes.map(text), excludeIndexes: manifest.selection.excludeIndexes.map(text) } }
      : {}),
    artifacts: manifest.artifacts.map((artifact) => ({
      ...artifact,
      url: url(artifact.url),
      ...(artifact.builtFrom ? { builtFrom: { ...artifact.builtFrom, ref: text(artifact.builtFrom.ref), source: url(artifact.builtFrom.source) } } : {}),
    })),
    skipped: manifest.skipped.map((skip) => ({ ...skip, reason: text(skip.reason) })),
    failures: manifest.failures.map((failure) => ({ ...failure, url: url(failure.url), reason: text(failure.reason) })),
  };
}
