/**
 * Where lockhouse may write in DIR. File names come from the lock (untrusted
 * input), so a name is joined to DIR only when it is a plain file name; and
 * DIR/.lockhouse, where temporary files live, is never reached through a
 * symlink someone planted there (a checked-in or unpacked wheelhouse may
 * carry one pointing anywhere).
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { quoteName } from '../../python/names.js';
import { checkRealDirs, makeRealDirs } from '../store/real-dirs.js';
import { errnoCode, reason, storeError } from '../store/store-error.js';
import { STATE, STATE_DIR } from './layout.js';

/**
 * The folders lockhouse makes in DIR/.lockhouse besides `tmp` when it needs
 * them (layout.ts) are made with `mkdir -p`, which follows a link: a link
 * there is refused up front, as one at DIR/.lockhouse is.
 */
const STATE_FOLDERS: readonly string[] = Object.values(STATE).filter((folder) => folder !== STATE.tmp);

// C0 controls, DEL and C1 controls: never in a wheel or sdist name, and a
// way to forge terminal output when a name is printed.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Names Windows maps to devices whatever their extension ("CON.tar.gz").
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/** Why `name` is not a plain file name lockhouse may write in DIR, or null when it is. */
export function unsafeNameReason(name: string, platform: NodeJS.Platform = process.platform): string | null {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `"${name}" is a directory`;
  if (name.includes('/') || name.includes('\\')) return 'it contains a path separator';
  if (name.includes('..')) return 'it contains ".."';
  if (CONTROL.test(name)) return 'it contains a control character';
  // ":" names an alternate data stream on NTFS; no wheel or sdist name has one.
  if (name.includes(':')) return 'it contains ":"';
  if (name.startsWith(STATE_DIR)) return `names starting with "${STATE_DIR}" are lockhouse's own`;
  if (Buffer.byteLength(name) > 255) return 'it is longer than 255 bytes';
  if (platform === 'win32') {
    if (WINDOWS_DEVICE.test(name)) return 'Windows reserves it for a device';
    if (/[<>"|?*]/.test(name)) return 'Windows does not allow <>"|?* in file names';
    if (/[. ]$/.test(name)) return 'Windows drops a trailing dot or space';
  }
  return null;
}

/** DIR/<filename>, after checking the name is a plain file name. */
export function outputPath(dir: string, filename: string): string {
  const why = unsafeNameReason(filename);
  if (why !== null) {
    throw storeError('OUTPUT_UNSAFE_PATH', `refusing to write ${quoteName(filename)} in ${dir}: ${why}`, {
      hint: 'the lock names this file; a wheel or sdist name is a plain file name',
    });
  }
  return join(dir, filename);
}

export interface OutputDirs {
  /** DIR, absolute. */
  readonly root: string;
  /** DIR/.lockhouse */
  readonly state: string;
  /** DIR/.lockhouse/tmp: temporary files, on DIR's filesystem. */
  readonly tmp: string;
}

/**
 * Make DIR (DIR itself may be a symlink: the user chose it), then
 * DIR/.lockhouse and DIR/.lockhouse/tmp as real directories, refusing a
 * symlink or a file at either, or at one of the STATE_FOLDERS already there
 * (store/real-dirs.ts: the one rule for every folder lockhouse owns).
 */
export async function ensureOutputDir(dir: string): Promise<OutputDirs> {
  const root = resolve(dir);
  try {
    await mkdir(root, { recursive: true });
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST' && errnoCode(error) !== 'ENOTDIR') {
      throw storeError('OUTPUT_NOT_WRITABLE', `cannot create the output directory ${root}: ${reason(error)}`, { cause: error });
    }
  }
  const stats = await stat(root).catch(() => null);
  if (!stats?.isDirectory()) {
    throw storeError('OUTPUT_UNSAFE_PATH', `the output ${root} is not a directory`, { hint: 'pass -o a directory (it is created if missing)' });
  }
  const state = join(root, STATE_DIR);
  const tmp = join(state, STATE.tmp);
  await makeRealDirs(root, tmp, 'OUTPUT_UNSAFE_PATH');
  for (const folder of STATE_FOLDERS) await checkRealDirs(state, join(state, folder), 'OUTPUT_UNSAFE_PATH');
  return { root, state, tmp };
}

/** Make `path` a directory (its parent must exist), or check it is one: a symlink there is refused, not followed. */
export async function ensureRealDir(path: string): Promise<void> {
  await makeRealDirs(dirname(path), path, 'OUTPUT_UNSAFE_PATH');
}
