/**
 * Reading a file the user names (the lock, pyproject.toml, a netrc, a CA
 * bundle) without ever waiting on what is planted at its name: a FIFO would
 * block open() — and with it a libuv thread that no signal frees, so even
 * Ctrl-C could not end the run — and a device would never end. Opened with
 * O_NONBLOCK, then only a regular file is read (ENOTREG otherwise, the
 * errno-style code of openRegularFile). Links are followed: these are the
 * user's own files, not DIR's.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { openRegularFile } from './store/hash-file.js';

export async function readRegularFile(path: string): Promise<Buffer> {
  const { handle } = await openRegularFile(path);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** The same, for the few readers that run synchronously (credentials and certificates, read once at start). */
export function readRegularFileSync(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG', path });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Words for an open's errno, for messages: "no such file", "not a regular file (a FIFO, a device or a folder)". */
export function openProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'ENOTREG' || code === 'EISDIR') return 'not a regular file (a FIFO, a device or a folder); nothing is read from it';
  return String(code ?? error);
}
