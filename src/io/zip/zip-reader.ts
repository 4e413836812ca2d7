/**
 * The one zip reader, and the only module of src/ that imports yauzl. Every
 * zip lockhouse reads came from someone else — a wheel a build backend
 * wrote from an sdist, a wheel dropped into a wheelhouse, a bundle carried
 * across an air gap — and is meant for Python's zipfile (pip, the bundle
 * installer), so each is read with the same bounds, and read as zipfile
 * reads it:
 * - the file is opened non-blocking (a FIFO planted where a zip was expected
 *   must not hang open()) and must be a regular file; with `noFollow` a
 *   symbolic link at the path is refused rather than followed;
 * - data before the zip (a zipapp's `#!` line, a self-extractor's stub) is
 *   allowed where its offsets do not count it, as zipfile allows it: the
 *   reader finds where the zip starts from its end records, as zipfile does;
 * - the central directory may list at most `maxEntries` entries (wheels of
 *   the largest projects hold some tens of thousands), checked against the
 *   count the zip declares before any entry is read, and counted again while
 *   walking; the entries' data may not add up to more than the file holds
 *   (entries that overlap: a zip bomb made of one stream read many times);
 * - names are decoded as zipfile decodes them (entry-name.ts) and must keep
 *   the bundle installer's rules: a name that could leave its folder (an
 *   absolute path, `..`, a backslash, an empty or `.` component, a control
 *   character), or that an Info-ZIP Unicode Path field renames, makes the
 *   zip unreadable — or, with `unsafeNames: 'list'`, is listed with the
 *   reason, for a caller that reports every entry (verify --bundle);
 * - an entry is read only when its local header agrees with its central
 *   directory record (local-header.ts);
 * - yauzl's validateEntrySizes fails an entry that inflates to more (or
 *   fewer) bytes than it declares, so a stream never yields more than the
 *   declared size; read() into memory also refuses a declared size over its
 *   bound before inflating, so a zip bomb is an error, not an outage;
 * - the data's CRC-32 is checked at its end, as zipfile checks it.
 * Failures are ZipErrors (zip-error.ts), which each caller words for its
 * users. Entries are read through a WindowedFile (windowed-file.ts).
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { decodeEntryName, entryNameProblem, unicodePathName } from './entry-name.js';
import { localMismatch } from './local-header.js';
import { WindowedFile } from './windowed-file.js';
import { ZipError } from './zip-error.js';

export interface ZipLimits {
  /** Entries in the central directory, declared or counted. */
  readonly maxEntries: number;
  /** Uncompressed bytes of one entry read into memory, when the caller names no bound of its own. */
  readonly maxReadBytes: number;
}

/** The bounds every zip is read with; tests pass smaller ones. */
export const ZIP_LIMITS: ZipLimits = {
  maxEntries: 100_000,
  maxReadBytes: 64 * 1024 * 1024,
};

/** One entry, as its central directory record describes it. */
export interface ZipEntry {
  /** The name as Python's zipfile decodes it, with `/` separators; a folder's ends with `/`. */
  readonly name: string;
  /** Why it may not be extracted under that name (entry-name.ts), or null. Only with `unsafeNames: 'list'` is an entry with one listed. */
  readonly nameProblem: string | null;
  /** Its data is encrypted (flag bit 0): nothing lockhouse reads is, and zipfile would need a password. */
  readonly encrypted: boolean;
  /** The zip version needed to extract it, times ten (20 = 2.0); zipfile refuses a zip with one above 63. */
  readonly versionNeeded: number;
  /** 0 stored, 8 deflated. */
  readonly compressionMethod: number;
  readonly compressedSize: number;
  /** The size it declares; it cannot inflate to more (validateEntrySizes). */
  readonly uncompressedSize: number;
  readonly crc32: number;
  /** The external file attributes, as recorded. */
  readonly externalAttributes: number;
  /** Their upper half: the Unix mode (file type and permissions), 0 from a zip made without one. */
  readonly mode: number;
}

export interface OpenZipOptions {
  /** Refuse a symbolic link at the path (a ZipError 'symlink') instead of reading its target. Default false. */
  readonly noFollow?: boolean;
  readonly limits?: ZipLimits;
  /** An entry whose name breaks the rules: 'refuse' (default) makes the zip unreadable; 'list' lists it with its `nameProblem`. */
  readonly unsafeNames?: 'refuse' | 'list';
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** yauzl's reader interface over a WindowedFile, from `base` on: position 0 is where the zip starts (after a prefix). */
class WindowedReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly file: WindowedFile,
    private readonly base: number,
  ) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    this.file.read(buffer, offset, length, position + this.base).then(
      (bytesRead) => callback(null, bytesRead),
      (error: Error) => callback(error),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.file.streamRange(start + this.base, end + this.base);
  }

  override close(callback: (err: Error | null) => void): void {
    this.file.close().then(() => callback(null), callback);
  }
}

/**
 * An entry as entries() hands it out: its yauzl record and its archive
 * travel with it. (Not a WeakMap from entry to record: over a wheel of
 * 100 000 entries that costs 35 MB.)
 */
interface ListedEntry extends ZipEntry {
  readonly record: yauzl.Entry;
  readonly archive: ZipArchive;
}

function listed(record: yauzl.Entry, archive: ZipArchive, name: string, nameProblem: string | null): ListedEntry {
  return {
    name,
    nameProblem,
    encrypted: (record.generalPurposeBitFlag & 0x1) !== 0,
    versionNeeded: record.versionNeededToExtract,
    compressionMethod: record.compressionMethod,
    compressedSize: record.compressedSize,
    uncompressedSize: record.uncompressedSize,
    crc32: record.crc32,
    externalAttributes: record.externalFileAttributes,
    mode: record.externalFileAttributes >>> 16,
    record,
    archive,
  };
}

function isListed(entry: ZipEntry): entry is ListedEntry {
  return 'record' in entry && 'archive' in entry;
}

/** An open zip. Walk its entries once with entries(); read() or stream() any entry seen, during or after the walk; close() when done. */
export class ZipArchive {
  constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly limits: ZipLimits,
    private readonly unsafeNames: 'refuse' | 'list',
    /** The zip's size in bytes (after a prefix): the most its entries' local headers and data can take. */
    readonly size: number,
  ) {}

  /** The number of entries the zip declares (at most maxEntries: openZip refuses more). */
  get entryCount(): number {
    return this.zip.entryCount;
  }

  /**
   * Every entry in central directory order, one record read at a time. Once
   * per archive. (A plain iterator, not an async generator: over 100 000
   * entries the generator's extra turn per entry made the walk a tenth slower.)
   */
  entries(): AsyncIterableIterator<ZipEntry> {
    const records = this.zip.eachEntry();
    const limit = this.limits.maxEntries;
    let seen = 0;
    let occupied = 0;
    const next = (): Promise<IteratorResult<ZipEntry, undefined>> =>
      records.next().then(
        (result: IteratorResult<yauzl.Entry>) => {
          if (result.done) return { done: true, value: undefined };
          if (++seen > limit) throw new ZipError('too-many-entries', `it has more than ${limit} entries`);
          const record = result.value;
          // Each entry's local header (30 bytes and its name at least) and data are its own bytes of the file.
          occupied += 30 + record.fileNameLength + record.compressedSize;
          if (occupied > this.size) {
            throw new ZipError('directory', `its entries take ${occupied} bytes or more of a zip of ${this.size}: entries that overlap (a zip bomb)`);
          }
          const raw = record.fileNameRaw;
          const name = decodeEntryName(raw, record.generalPurposeBitFlag);
          const shown = name ?? raw.toString('latin1');
          const renamed = name === null ? null : unicodePathName(raw, record.extraFields);
          const problem =
            name === null
              ? 'a name that says it is UTF-8 and is not'
              : (entryNameProblem(name) ?? (renamed !== null && renamed !== name ? `an Info-ZIP Unicode Path field that renames it ${JSON.stringify(renamed)}` : null));
          if (problem !== null && this.unsafeNames === 'refuse') {
            throw new ZipError('directory', `its central directory cannot be read (the entry ${JSON.stringify(shown)} has ${problem})`);
          }
          return { done: false, value: listed(record, this, shown, problem) };
        },
        (error: unknown) => {
          throw new ZipError('directory', `its central directory cannot be read (${message(error)})`, { cause: error });
        },
      );
    return {
      next,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /**
   * The entry's bytes, in memory: refused before inflating when it declares
   * more than `maxBytes`, and stopped should it inflate past them.
   */
  async read(entry: ZipEntry, maxBytes: number = this.limits.maxReadBytes): Promise<Buffer> {
    if (entry.uncompressedSize > maxBytes) {
      throw new ZipError('entry-too-large', `${entry.name} declares ${entry.uncompressedSize} bytes, more than the ${maxBytes} lockhouse reads`, { entry: entry.name });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await this.stream(entry)) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      // validateEntrySizes stops it at the declared size first; this holds should that ever change.
      if (size > maxBytes) throw new ZipError('entry-too-large', `${entry.name} inflates past ${maxBytes} bytes`, { entry: entry.name });
      chunks.push(buffer);
    }
    return Buffer.concat(chunks);
  }

  /**
   * The entry's bytes as a stream, once its local header is found to agree
   * with its central record. It ends after the declared size at most; any
   * failure on the way (more bytes than declared, a corrupt deflate stream,
   * a truncated file, a CRC-32 at the end that is not the record's) is a
   * ZipError.
   */
  async stream(entry: ZipEntry): Promise<Readable> {
    if (!isListed(entry) || entry.archive !== this) throw new Error(`${entry.name} is not an entry this archive listed`);
    const record = entry.record;
    const unreadable = (error: unknown): ZipError =>
      new ZipError('entry-unreadable', `${entry.name} cannot be read (${message(error)})`, { entry: entry.name, cause: error });
    let stream: Readable;
    try {
      const mismatch = localMismatch(record, await this.zip.readLocalFileHeaderPromise(record));
      if (mismatch !== null) {
        throw new ZipError('header-mismatch', `${entry.name}: its local header disagrees with the central directory (${mismatch})`, { entry: entry.name });
      }
      stream = await this.zip.openReadStreamPromise(record);
    } catch (error) {
      // yauzl: an offset past the end, a bad signature, an unsupported method.
      throw error instanceof ZipError ? error : unreadable(error);
    }
    async function* checked(): AsyncGenerator<Buffer> {
      let crc = 0;
      try {
        for await (const chunk of stream) {
          crc = crc32(chunk as Buffer, crc);
          yield chunk as Buffer;
        }
      } catch (error) {
        // yauzl or zlib: "too many bytes in the stream…", an invalid deflate stream, a truncated entry.
        throw unreadable(error);
      }
      // yauzl does not check it; zipfile does (and so pip and the bundle installer).
      if (crc !== record.crc32) throw unreadable(new Error(`its CRC-32 is ${crc}, the zip says ${record.crc32}`));
    }
    return Readable.from(checked(), { objectMode: false });
  }

  /** Closes the file once no stream of it is open. */
  close(): void {
    this.zip.close();
  }
}

/** The zip at `path`, open; refused (a ZipError) when it is no zip this reader reads. */
export async function openZip(path: string, options: OpenZipOptions = {}): Promise<ZipArchive> {
  const limits = options.limits ?? ZIP_LIMITS;
  const noFollow = options.noFollow ?? false;
  let zip: yauzl.ZipFile;
  let size: number;
  try {
    ({ zip, size } = await openFile(path, noFollow));
  } catch (error) {
    if (noFollow && (error as NodeJS.ErrnoException).code === 'ELOOP') throw new ZipError('symlink', 'it is a symbolic link', { cause: error });
    throw new ZipError('unopenable', `it is not a readable zip (${message(error)})`, { cause: error });
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ZipError('too-many-entries', `it lists ${zip.entryCount} entries, more than the ${limits.maxEntries} lockhouse reads`);
  }
  return new ZipArchive(zip, limits, options.unsafeNames ?? 'refuse', size);
}

/** `use` with the zip at `path` open; it is closed whatever `use` does. */
export async function withZip<T>(path: string, options: OpenZipOptions, use: (zip: ZipArchive) => Promise<T>): Promise<T> {
  const zip = await openZip(path, options);
  try {
    return await use(zip);
  } finally {
    zip.close();
  }
}

/** yauzl over the file at `path` (from where the zip starts); the file is closed with the ZipFile (or here, if it is no zip). */
async function openFile(path: string, noFollow: boolean): Promise<{ zip: yauzl.ZipFile; size: number }> {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  const handle = await open(path, flags);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('it is not a regular file');
    const base = await prefixLength(handle, stats.size);
    const size = stats.size - base;
    const zip = await yauzl.fromRandomAccessReaderPromise(new WindowedReader(new WindowedFile(handle, stats.size), base), size, {
      autoClose: false,
      validateEntrySizes: true,
      // Names are decoded and checked here, as zipfile decodes them (entry-name.ts).
      decodeStrings: false,
    });
    return { zip, size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

const END_RECORD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_RECORD = 0x06064b50;

/**
 * How many bytes come before the zip, by zipfile's rule (`concat`): where
 * the end record is, less the central directory's size and the offset it
 * declares (and the zip64 records, which zipfile expects right before the
 * end record). 0 when the offsets count from the start of the file — no
 * prefix, or one whose offsets were adjusted (`zip -A`) — or when the end
 * records cannot be found or make no sense (yauzl then says why).
 */
async function prefixLength(handle: FileHandle, fileSize: number): Promise<number> {
  const tailSize = Math.min(fileSize, 22 + 0xffff + 20 + 56);
  const tail = Buffer.alloc(tailSize);
  await handle.read(tail, 0, tailSize, fileSize - tailSize);
  for (let i = tailSize - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== END_RECORD) continue;
    const at = fileSize - tailSize + i;
    let directorySize = tail.readUInt32LE(i + 12);
    let directoryOffset = tail.readUInt32LE(i + 16);
    let end = at;
    if (i >= 20 + 56 && tail.readUInt32LE(i - 20) === ZIP64_LOCATOR && tail.readUInt32LE(i - 20 - 56) === ZIP64_END_RECORD) {
      directorySize = Number(tail.readBigUInt64LE(i - 20 - 56 + 40));
      directoryOffset = Number(tail.readBigUInt64LE(i - 20 - 56 + 48));
      end = at - 20 - 56;
    }
    const prefix = end - directorySize - directoryOffset;
    return prefix > 0 ? prefix : 0;
  }
  return 0;
}
