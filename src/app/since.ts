/**
 * `--since OLD` (collect, bundle): the base a delta is made against, read
 * from what the user has of the last shipment —
 *   - a bundle lockhouse wrote (NAME.pyz): its `lockhouse.json` entry, read
 *     through the one zip reader (io/zip), a `#!` prefix allowed;
 *   - a manifest file (`lockhouse.json`, carried back or kept);
 *   - a directory holding one: a wheelhouse, or a bundle extracted into it.
 * The base's sha256 is that of the manifest's bytes as read, which the
 * delta records (`delta.since.manifestSha256`).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LockhouseError } from '../errors.js';
import { openRegularFile } from '../io/store/hash-file.js';
import { errnoCode, reason } from '../io/store/store-error.js';
import { isZipError } from '../io/zip/zip-error.js';
import { withZip } from '../io/zip/zip-reader.js';
import type { DeltaBase } from '../output/delta.js';
import { MANIFEST_FILE, readManifest } from '../output/manifest.js';

export interface SinceBase extends DeltaBase {
  /** OLD, absolute. */
  readonly path: string;
  readonly kind: 'bundle' | 'manifest' | 'directory';
}

/** The largest manifest read (as io/wheelhouse/manifest-file.ts reads DIR's). */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

const HINT = '--since takes the last shipment: a bundle lockhouse wrote (NAME.pyz), its manifest (lockhouse.json), or a folder holding one (a wheelhouse, an extracted bundle)';

export async function readSinceBase(given: string, cwd: string): Promise<SinceBase> {
  const path = resolve(cwd, given);
  // OLD is named by the user: a link there is followed, as for --lock.
  const stats = await stat(path).catch((error: unknown) => {
    throw unreadable(path, errnoCode(error) === 'ENOENT' ? 'it does not exist' : `it cannot be read (${reason(error)})`, error);
  });
  if (stats.isDirectory()) {
    const bytes = await readFileBounded(join(path, MANIFEST_FILE), true);
    return baseOf(path, 'directory', bytes, `${join(path, MANIFEST_FILE)}`);
  }
  const head = await readFileBounded(path, false, 64);
  // A manifest is JSON (an object); anything else is read as a bundle.
  if (/^\s*\{/.test(head.toString('latin1').replace(/^\uFEFF/, ''))) return baseOf(path, 'manifest', await readFileBounded(path, false), path);
  return baseOf(path, 'bundle', await readBundleManifest(path), `${path} (its ${MANIFEST_FILE})`);
}

function baseOf(path: string, kind: SinceBase['kind'], bytes: Buffer, shown: string): SinceBase {
  const manifest = readManifest(bytes.toString('utf8'));
  if (!manifest) throw unreadable(path, `${shown} is not a manifest this lockhouse reads`);
  return { path, kind, manifest, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** A regular file's bytes (the first `limit` of them, when given), bounded; in a folder OLD names, a link at the manifest's name is not followed. */
async function readFileBounded(path: string, noFollow: boolean, limit?: number): Promise<Buffer> {
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(path, { noFollow });
  } catch (error) {
    const code = errnoCode(error);
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'ELOOP' ? 'it is a symbolic link (not followed)' : code === 'ENOTREG' ? 'it is not a regular file' : `it cannot be read (${reason(error)})`;
    throw unreadable(path, why, error);
  }
  const { handle, size } = opened;
  try {
    if (limit !== undefined) {
      const buffer = Buffer.alloc(Math.min(limit, size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead);
    }
    if (size > MAX_MANIFEST_BYTES) throw unreadable(path, `it is larger than ${MAX_MANIFEST_BYTES} bytes: no manifest lockhouse wrote`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** The `lockhouse.json` entry of a bundle. */
async function readBundleManifest(path: string): Promise<Buffer> {
  try {
    return await withZip(path, {}, async (zip) => {
      for await (const entry of zip.entries()) {
        if (entry.name === MANIFEST_FILE) return await zip.read(entry, MAX_MANIFEST_BYTES);
      }
      throw unreadable(path, `it is a zip without ${MANIFEST_FILE}: not a bundle lockhouse wrote`);
    });
  } catch (error) {
    if (error instanceof LockhouseError) throw error;
    if (isZipError(error)) throw unreadable(path, `it is neither a manifest (JSON) nor a bundle: ${error.message}`, error);
    throw error;
  }
}

function unreadable(path: string, why: string, cause?: unknown): LockhouseError {
  return new LockhouseError('SINCE_UNREADABLE', `--since ${path}: ${why}`, { hint: HINT, ...(cause === undefined ? {} : { cause }) });
}
