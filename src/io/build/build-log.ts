/**
 * Build logs: their names (<name>-<version>.log, in DIR/.lockhouse/logs),
 * how a command line is written into them (shell-quoted, credentials
 * removed), the frontend's output on its way in (credentials removed: every
 * secret lockhouse registered (src/secrets.ts), the index password the
 * frontend was given, and userinfo in any URL), and their last lines for
 * an error message. appendLog scrubs whatever it writes once more: a log
 * is a sink like stderr and the manifest.
 */
import { constants } from 'node:fs';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { REDACTED as SCRUBBED, scrubSecrets } from '../../secrets.js';

/** A name or version as a file-name part: anything but letters, digits and `._+!-` becomes `_` (lock values are untrusted). */
function part(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._+!-]/g, '_').replace(/\.\.+/g, '_');
  return safe === '' ? '_' : safe;
}

/** <logsDir>/<name>-<version>.log (the wheelhouse gives DIR/.lockhouse/logs). */
export function logPathFor(logsDir: string, name: string, version: string | null): string {
  return join(logsDir, `${part(name)}-${part(version ?? 'local')}.log`);
}

/** Credentials removed from a string (an argument, a line of output): registered secrets, and userinfo in anything URL-like. */
export function redactText(text: string): string {
  return scrubSecrets(text);
}

/** What a secret is replaced with in a log. */
export const REDACTED = SCRUBBED;

/**
 * The forms a secret may take in a frontend's output: as is, and
 * percent-encoded as in a URL's userinfo. Secrets shorter than 4
 * characters are left to the URL rule: replacing every "ab" in a log would
 * hide more than it protects.
 */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // Longest first: a secret that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** `text` with URL userinfo and every form of `secrets` removed. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = redactText(text);
  for (const form of secretForms(secrets)) out = out.split(form).join(REDACTED);
  return out;
}

/**
 * A filter for one output stream of a frontend: bytes in, redacted text
 * out, a line at a time, so a secret split between two chunks is still
 * found. A line longer than `maxLine` is let out in parts, keeping back
 * enough of its end to hold any secret.
 */
export class LogRedactor {
  readonly #secrets: readonly string[];
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxLine: number;
  readonly #keep: number;
  #pending = '';

  constructor(secrets: readonly string[], maxLine = 64 * 1024) {
    this.#secrets = secrets;
    this.#maxLine = maxLine;
    // Enough for the longest secret percent-encoded, and a URL's userinfo.
    this.#keep = Math.max(1024, ...secrets.map((secret) => encodeURIComponent(secret).length * 2));
  }

  /** The redacted text of the complete lines `chunk` finishes ('' while a line is still open). */
  push(chunk: Buffer | string): string {
    this.#pending += typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const end = this.#pending.lastIndexOf('\n');
    let out = '';
    if (end >= 0) {
      out = this.#pending.slice(0, end + 1);
      this.#pending = this.#pending.slice(end + 1);
    }
    if (this.#pending.length > this.#maxLine) {
      // A line without end (a progress bar, a binary blob): out in parts.
      const cut = this.#pending.length - this.#keep;
      out += this.#pending.slice(0, cut);
      this.#pending = this.#pending.slice(cut);
    }
    return out === '' ? '' : redactSecrets(out, this.#secrets);
  }

  /** What is left, redacted: call once, when the stream has ended. */
  end(): string {
    const rest = this.#pending + this.#decoder.end();
    this.#pending = '';
    return rest === '' ? '' : redactSecrets(rest, this.#secrets);
  }
}

/** One argument as a POSIX shell would need it, for a log a person may paste into a terminal. */
function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `uv build --wheel … /path/foo-1.0.tar.gz`, quoted, credentials removed. */
export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map((arg) => quote(redactText(arg))).join(' ');
}

/** The header a log section starts with: what ran, where, when. */
export function logHeader(fields: ReadonlyArray<readonly [string, string]>, now: Date = new Date()): string {
  const lines = [`==== lockhouse ${now.toISOString()}`, ...fields.map(([key, value]) => `${key}: ${redactText(value)}`)];
  return `${lines.join('\n')}\n\n`;
}

/**
 * open(2) flags that append to a log without following a symlink at its
 * name (DIR/.lockhouse/logs may come from a checked-in or unpacked
 * wheelhouse, with a link there pointing anywhere): ELOOP instead; and
 * without waiting on a FIFO planted there (O_NONBLOCK: ENXIO when nothing
 * reads it, where a plain open would wait forever). It changes nothing for
 * a regular file.
 */
export const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The log open for appending, or null when what is at `path` is not a regular file (a link, a FIFO…). */
async function openRegularLog(path: string): Promise<FileHandle | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, APPEND_NO_FOLLOW, 0o666);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENXIO') return null;
    throw error;
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  return null;
}

/** The log open for appending: what is at its name that is not a regular file is removed, and the log made in its place. */
async function openLog(path: string): Promise<FileHandle> {
  const handle = await openRegularLog(path);
  if (handle) return handle;
  await unlink(path);
  const again = await openRegularLog(path);
  if (again) return again;
  throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG', path });
}

/** Make the log's folder and append `text` to it. Whatever is at the log's name that is not a regular file is replaced by the log, never written through. */
export async function appendLog(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await openLog(path);
  try {
    await handle.writeFile(scrubSecrets(text));
  } finally {
    await handle.close();
  }
}

/**
 * The last `count` lines of a file, reading at most its last `maxBytes`
 * (a build log can be hundreds of megabytes of compiler output). A missing
 * file has no lines.
 */
export async function readTail(path: string, count = 20, maxBytes = 64 * 1024): Promise<string[]> {
  let handle;
  try {
    // Not through a link: its target's last lines would end up in an error
    // message; not waiting on a FIFO (O_NONBLOCK, then a regular file only).
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return [];
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return [];
    const { size } = stats;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').replace(/\r\n?/g, '\n').split('\n');
    if (length < size) lines.shift(); // a partial first line
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}
