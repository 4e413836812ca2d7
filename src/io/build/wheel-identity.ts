/**
 * What a built wheel says it is: name and version from its METADATA, tags
 * from its file name, which its WHEEL file must repeat. The wheel came out of
 * a backend that ran code from an sdist, so it is read as untrusted input:
 * - the central directory may list at most 100 000 entries (wheels of the
 *   largest projects hold some tens of thousands), checked against the count
 *   the zip declares before any entry is read;
 * - METADATA is read up to 16 MiB, WHEEL up to 1 MiB, uncompressed: a
 *   larger declared size is refused before inflating, and yauzl's own check
 *   (validateEntrySizes) fails an entry that inflates to more than it
 *   declared, so a zip bomb is an error, not an outage;
 * - exactly one top-level `.dist-info` directory, named for the file name's
 *   project, as pip requires before it installs a wheel, holding one
 *   METADATA and one WHEEL entry (two of a name: which one counts depends on
 *   the reader, so neither does), each read only when its local header
 *   agrees with its central directory record.
 * Everything else in the archive is left unread.
 *
 * readWheelMetadata reads the same way, for any wheel in a wheelhouse
 * (lockhouse index extracts METADATA for PEP 658), and refuses a symlink at
 * the wheel's path.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { LockhouseError, type ErrorCode } from '../../errors.js';
import { canonicalizeName, normalizeVersion, parseWheelFilename, type WheelFilename } from '../../python/names.js';
import type { WheelIdentity } from './types.js';

export interface WheelLimits {
  /** Entries in the central directory. */
  readonly maxEntries: number;
  /** Uncompressed bytes of METADATA. */
  readonly maxMetadataBytes: number;
  /** Uncompressed bytes of WHEEL. */
  readonly maxWheelFileBytes: number;
}

export const WHEEL_LIMITS: WheelLimits = {
  maxEntries: 100_000,
  maxMetadataBytes: 16 * 1024 * 1024,
  maxWheelFileBytes: 1024 * 1024,
};

/** Who reads the wheel decides how a bad one is reported: a built wheel is the build's failure, a wheelhouse's wheel only lacks metadata. */
interface Reader {
  readonly code: ErrorCode;
  readonly subject: string;
  readonly hint: string;
}

const BUILT: Reader = { code: 'BUILD_WRONG_WHEEL', subject: 'The built wheel', hint: 'the package’s build backend wrote it; its build log shows how' };
const LISTED: Reader = {
  code: 'INDEX_NO_METADATA',
  subject: 'The wheel',
  hint: 'it is listed without PEP 658 metadata; pip may still refuse to install it',
};

function wrongWheel(path: string, why: string, cause?: unknown, reader: Reader = BUILT): LockhouseError {
  return new LockhouseError(reader.code, `${reader.subject} ${basename(path)} is not a sound wheel: ${why}.`, {
    hint: reader.hint,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * yauzl's own file reader (fd-slicer) makes two small reads per central
 * directory entry, each a round trip through libuv's thread pool: 8 s for a
 * wheel of 100 000 entries. This one reads 1 MiB windows and serves the
 * small reads from the last one (1.3 s), and streams entry data straight
 * from the file.
 */
class WindowedReader extends yauzl.RandomAccessReader {
  static readonly WINDOW = 1 << 20;
  private window = { start: 0, bytes: Buffer.alloc(0) };

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    const cached = this.window;
    const fill =
      position >= cached.start && position + length <= cached.start + cached.bytes.length
        ? Promise.resolve(cached)
        : (async () => {
            const size = Math.min(Math.max(length, WindowedReader.WINDOW), Math.max(0, this.size - position));
            const bytes = Buffer.allocUnsafe(size);
            const { bytesRead } = await this.handle.read(bytes, 0, size, position);
            // Each read copies from the window it filled, whatever other reads do meanwhile.
            const window = { start: position, bytes: bytes.subarray(0, bytesRead) };
            this.window = window;
            return window;
          })();
    fill.then(
      (window) => {
        const from = position - window.start;
        callback(null, window.bytes.copy(buffer, offset, from, Math.min(from + length, window.bytes.length)));
      },
      (error: Error) => callback(error),
    );
  }

  // Not handle.createReadStream: destroying such a stream closes the
  // handle, autoClose or not (Node 20), and yauzl destroys streams it is done with.
  override _readStreamForRange(start: number, end: number): Readable {
    const handle = this.handle;
    let position = start;
    return new Readable({
      highWaterMark: 64 * 1024,
      read(size) {
        const length = Math.min(size, end - position);
        if (length <= 0) {
          this.push(null);
          return;
        }
        handle.read(Buffer.allocUnsafe(length), 0, length, position).then(
          ({ bytesRead, buffer }) => {
            position += bytesRead;
            // A short file ends the stream early; yauzl's byte count then fails the entry.
            this.push(bytesRead === 0 ? null : buffer.subarray(0, bytesRead));
          },
          (error: Error) => this.destroy(error),
        );
      },
    });
  }

  override close(callback: (err: Error | null) => void): void {
    this.handle.close().then(() => callback(null), callback);
  }
}

/**
 * The zip at `path`, through a WindowedReader; the file is closed with the
 * ZipFile (or here, if it is no zip). `noFollow` refuses a symlink at
 * `path` (ELOOP), and anything but a regular file is refused either way.
 */
async function openZip(path: string, noFollow = false): Promise<yauzl.ZipFile> {
  // O_NONBLOCK: a FIFO planted where a wheel was expected must not hang open().
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  const handle = await open(path, flags);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('it is not a regular file');
    const size = stats.size;
    return await yauzl.fromRandomAccessReaderPromise(new WindowedReader(handle, size), size, {
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * What in `entry`'s local header disagrees with its central directory
 * record, or null. yauzl reads an entry by its central record and uses the
 * local header only to find the data; a reader that walks local headers
 * (a streaming unzip) would see another file. Sizes and CRC are compared
 * unless the local header defers them (a data descriptor, or zip64's
 * 0xFFFFFFFF).
 */
function localMismatch(entry: yauzl.Entry, local: yauzl.LocalFileHeader): string | null {
  if (!local.fileName.equals(entry.fileNameRaw)) return `name ${JSON.stringify(local.fileName.toString('utf8'))}`;
  if (local.compressionMethod !== entry.compressionMethod) return `method ${local.compressionMethod}, not ${entry.compressionMethod}`;
  const deferred = (local.generalPurposeBitFlag & 0x8) !== 0;
  const zip64 = local.compressedSize === 0xffffffff || local.uncompressedSize === 0xffffffff;
  if (!deferred && !zip64 && (local.compressedSize !== entry.compressedSize || local.uncompressedSize !== entry.uncompressedSize)) {
    return `sizes ${local.compressedSize}/${local.uncompressedSize}, not ${entry.compressedSize}/${entry.uncompressedSize}`;
  }
  if (!deferred && local.crc32 !== entry.crc32) return `CRC-32 ${local.crc32}, not ${entry.crc32}`;
  return null;
}

/** An entry's bytes, refusing more than `limit` (whatever the entry declares). */
async function readBounded(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number, path: string, reader: Reader = BUILT): Promise<Buffer> {
  if (entry.uncompressedSize > limit) {
    throw wrongWheel(path, `${entry.fileName} declares ${entry.uncompressedSize} bytes, more than the ${limit} lockhouse reads`, undefined, reader);
  }
  let stream: Readable;
  try {
    const mismatch = localMismatch(entry, await zip.readLocalFileHeaderPromise(entry));
    if (mismatch !== null) {
      throw wrongWheel(path, `${entry.fileName}: its local header disagrees with the central directory (${mismatch})`, undefined, reader);
    }
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    if (error instanceof LockhouseError) throw error;
    // yauzl: an offset past the end, a bad signature, an unsupported method.
    throw wrongWheel(path, `${entry.fileName} cannot be read (${(error as Error).message})`, error, reader);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw wrongWheel(path, `${entry.fileName} inflates past ${limit} bytes`, undefined, reader);
      chunks.push(chunk);
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof LockhouseError) throw error;
    // yauzl: "too many bytes in the stream…", a bad CRC, a truncated entry.
    throw wrongWheel(path, `${entry.fileName} cannot be read (${(error as Error).message})`, error, reader);
  }
  return Buffer.concat(chunks);
}

/** The header fields of an email-style file (METADATA, WHEEL): up to the first blank line, first value of each name wins. */
function headers(text: string): { first: Map<string, string>; all: Array<readonly [string, string]> } {
  const first = new Map<string, string>();
  const all: Array<readonly [string, string]> = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') break;
    if (/^[ \t]/.test(line)) continue; // a continuation line: not a field any check here reads
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    all.push([key, value]);
    if (!first.has(key)) first.set(key, value);
  }
  return { first, all };
}

/** Every python-abi-platform combination of a file name's compressed tag sets. */
function expand(tags: WheelFilename['tags']): Set<string> {
  const out = new Set<string>();
  for (const python of tags.python) for (const abi of tags.abi) for (const platform of tags.platform) out.add(`${python}-${abi}-${platform}`);
  return out;
}

interface DistInfo {
  readonly dir: string;
  readonly metadata: yauzl.Entry;
  readonly wheel: yauzl.Entry;
}

/**
 * The wheel's one top-level `.dist-info` directory, named for the file
 * name's project, with its METADATA and WHEEL entries (only the central
 * directory is read).
 */
async function findDistInfo(zip: yauzl.ZipFile, path: string, filename: WheelFilename, limits: WheelLimits, reader: Reader): Promise<DistInfo> {
  const wrong = (why: string, cause?: unknown): LockhouseError => wrongWheel(path, why, cause, reader);
  if (zip.entryCount > limits.maxEntries) {
    throw wrong(`it lists ${zip.entryCount} entries, more than the ${limits.maxEntries} lockhouse reads`);
  }
  // Top-level .dist-info directories, and the two files wanted from each.
  const infos = new Map<string, { metadata?: yauzl.Entry; wheel?: yauzl.Entry }>();
  let seen = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (++seen > limits.maxEntries) throw wrong(`it has more than ${limits.maxEntries} entries`);
      const match = /^([^/]+\.dist-info)\/(METADATA|WHEEL)?/.exec(entry.fileName);
      if (!match) continue;
      const info = infos.get(match[1]!) ?? {};
      const file = entry.fileName.length === match[0].length ? match[2] : undefined;
      // Two entries of one name: zipfile (and so pip) reads the last, a
      // streaming reader the first; which one lockhouse checked would be a guess.
      if ((file === 'METADATA' && info.metadata) || (file === 'WHEEL' && info.wheel)) {
        throw wrong(`it has two ${entry.fileName} entries`);
      }
      if (file === 'METADATA') info.metadata = entry;
      if (file === 'WHEEL') info.wheel = entry;
      infos.set(match[1]!, info);
    }
  } catch (error) {
    if (error instanceof LockhouseError) throw error;
    throw wrong(`its central directory cannot be read (${(error as Error).message})`, error);
  }

  if (infos.size !== 1) {
    throw wrong(infos.size === 0 ? 'it has no .dist-info directory' : `it has ${infos.size} .dist-info directories (${[...infos.keys()].join(', ')})`);
  }
  const [[infoDir, info]] = [...infos] as [[string, { metadata?: yauzl.Entry; wheel?: yauzl.Entry }]];
  const infoName = infoDir.slice(0, -'.dist-info'.length);
  const dash = infoName.lastIndexOf('-');
  const infoProject = dash > 0 ? canonicalizeName(infoName.slice(0, dash)) : '';
  if (infoProject !== filename.name) {
    throw wrong(`its ${infoDir} directory is not named for the project "${filename.name}" of its file name`);
  }
  if (!info.metadata) throw wrong(`it has no ${infoDir}/METADATA`);
  if (!info.wheel) throw wrong(`it has no ${infoDir}/WHEEL`);
  return { dir: infoDir, metadata: info.metadata, wheel: info.wheel };
}

/** Name and Version from METADATA's headers, which must be the file name's. */
function checkNameAndVersion(metadata: Map<string, string>, filename: WheelFilename, wrong: (why: string) => LockhouseError): { name: string; version: string } {
  const name = metadata.get('name');
  const version = metadata.get('version');
  if (!name || !version) throw wrong(`its METADATA has no ${name ? 'Version' : 'Name'} field`);
  if (canonicalizeName(name) !== filename.name) {
    throw wrong(`its METADATA names the project "${name}", its file name "${filename.name}"`);
  }
  if ((normalizeVersion(version) ?? version) !== (normalizeVersion(filename.version) ?? filename.version)) {
    throw wrong(`its METADATA says version "${version}", its file name "${filename.version}"`);
  }
  return { name, version };
}

export interface WheelMetadata {
  /** METADATA exactly as the wheel holds it: PEP 658 serves these bytes unchanged. */
  readonly bytes: Buffer;
  /** Its Requires-Python field, or null. */
  readonly requiresPython: string | null;
}

export interface ReadMetadataOptions {
  readonly limits?: WheelLimits;
  /** Refuse a symlink at `path` instead of reading its target (default true). */
  readonly noFollow?: boolean;
}

/**
 * The METADATA of the wheel at `path`, for PEP 658: read with the same
 * bounds as readWheelIdentity, from the one `.dist-info` directory named for
 * the file name's project, with Name and Version matching the file name (an
 * installer checks that metadata against the link it came from). Throws
 * INDEX_NO_METADATA when the wheel is not sound.
 */
export async function readWheelMetadata(path: string, options: ReadMetadataOptions = {}): Promise<WheelMetadata> {
  const limits = options.limits ?? WHEEL_LIMITS;
  const wrong = (why: string, cause?: unknown): LockhouseError => wrongWheel(path, why, cause, LISTED);
  let filename: WheelFilename;
  try {
    filename = parseWheelFilename(basename(path));
  } catch (error) {
    throw wrong((error as Error).message, error);
  }
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path, options.noFollow ?? true);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'it is a symbolic link' : `it is not a readable zip (${(error as Error).message})`;
    throw wrong(why, error);
  }
  try {
    const info = await findDistInfo(zip, path, filename, limits, LISTED);
    const bytes = await readBounded(zip, info.metadata, limits.maxMetadataBytes, path, LISTED);
    const fields = headers(bytes.toString('utf8')).first;
    checkNameAndVersion(fields, filename, wrong);
    return { bytes, requiresPython: fields.get('requires-python') ?? null };
  } finally {
    zip.close();
  }
}

/** What the wheel at `path` is; throws BUILD_WRONG_WHEEL when it is not a sound wheel. */
export async function readWheelIdentity(path: string, limits: WheelLimits = WHEEL_LIMITS): Promise<WheelIdentity> {
  let filename: WheelFilename;
  try {
    filename = parseWheelFilename(basename(path));
  } catch (error) {
    throw wrongWheel(path, (error as Error).message, error);
  }

  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (error) {
    throw wrongWheel(path, `it is not a readable zip (${(error as Error).message})`, error);
  }
  try {
    const info = await findDistInfo(zip, path, filename, limits, BUILT);
    const metadata = headers((await readBounded(zip, info.metadata, limits.maxMetadataBytes, path)).toString('utf8')).first;
    const { name, version } = checkNameAndVersion(metadata, filename, (why) => wrongWheel(path, why));

    const wheelTags = headers((await readBounded(zip, info.wheel, limits.maxWheelFileBytes, path)).toString('utf8'))
      .all.filter(([key]) => key === 'tag')
      .map(([, value]) => value.toLowerCase());
    const fromName = expand(filename.tags);
    const fromWheel = new Set(wheelTags);
    const missing = [...fromName].filter((tag) => !fromWheel.has(tag));
    const extra = [...fromWheel].filter((tag) => !fromName.has(tag));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        ...(missing.length ? [`its file name has ${missing.join(', ')} which WHEEL lacks`] : []),
        ...(extra.length ? [`WHEEL has ${extra.join(', ')} which its file name lacks`] : []),
      ];
      throw wrongWheel(path, `its tags disagree: ${parts.join('; ')}`);
    }

    return {
      name: canonicalizeName(name),
      version,
      python: filename.tags.python,
      abi: filename.tags.abi,
      platform: filename.tags.platform,
    };
  } finally {
    zip.close();
  }
}
