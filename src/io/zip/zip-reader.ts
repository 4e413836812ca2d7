/**
 * The one zip reader, and the only module of src/ that imports yauzl. Every
 * zip lockhouse reads came from someone else — a wheel a build backend
 * wrote from an sdist, a wheel dropped into a wheelhouse, a bundle carried
 * across an air gap — so each is read with the same bounds:
 * - the file is opened non-blocking (a FIFO planted where a zip was expected
 *   must not hang open()) and must be a regular file; with `noFollow` a
 *   symbolic link at the path is refused rather than followed;
 * - the central directory may list at most `maxEntries` entries (wheels of
 *   the largest projects hold some tens of thousands), checked against the
 *   count the zip declares before any entry is read, and counted again while
 *   walking;
 * - names are read as yauzl's strictFileNames reads them: an absolute path,
 *   a `..` component or a backslash makes the central directory unreadable;
 * - an entry is read only when its local header agrees with its central
 *   directory record (local-header.ts);
 * - yauzl's validateEntrySizes fails an entry that inflates to more (or
 *   fewer) bytes than it declares, so a stream never yields more than the
 *   declared size; read() into memory also refuses a declared size over its
 *   bound before inflating, so a zip bomb is an error, not an outage.
 * Failures are ZipErrors (zip-error.ts), which each caller words for its
 * users. Entries are read through a WindowedFile (windowed-file.ts).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
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
  /** The name, with `/` separators; a folder's ends with `/`. */
  readonly name: string;
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
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** yauzl's reader interface over a WindowedFile. */
class WindowedReader extends yauzl.RandomAccessReader {
  constructor(private readonly file: WindowedFile) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    this.file.read(buffer, offset, length, position).then(
      (bytesRead) => callback(null, bytesRead),
      (error: Error) => callback(error),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.file.streamRange(start, end);
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

function listed(record: yauzl.Entry, archive: ZipArchive): ListedEntry {
  return {
    name: record.fileName,
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
    const next = (): Promise<IteratorResult<ZipEntry, undefined>> =>
      records.next().then(
        (result: IteratorResult<yauzl.Entry>) => {
          if (result.done) return { done: true, value: undefined };
          if (++seen > limit) throw new ZipError('too-many-entries', `it has more than ${limit} entries`);
          return { done: false, value: listed(result.value, this) };
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
   * a truncated file) is a ZipError. The data's CRC-32 is not checked
   * (yauzl does not): callers that care hash what they read.
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
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (error) {
        // yauzl or zlib: "too many bytes in the stream…", an invalid deflate stream, a truncated entry.
        throw unreadable(error);
      }
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
  try {
    zip = await openFile(path, noFollow);
  } catch (error) {
    if (noFollow && (error as NodeJS.ErrnoException).code === 'ELOOP') throw new ZipError('symlink', 'it is a symbolic link', { cause: error });
    throw new ZipError('unopenable', `it is not a readable zip (${message(error)})`, { cause: error });
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ZipError('too-many-entries', `it lists ${zip.entryCount} entries, more than the ${limits.maxEntries} lockhouse reads`);
  }
  return new ZipArchive(zip, limits);
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

/** yauzl over the file at `path`; the file is closed with the ZipFile (or here, if it is no zip). */
async function openFile(path: string, noFollow: boolean): Promise<yauzl.ZipFile> {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  const handle = await open(path, flags);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('it is not a regular file');
    return await yauzl.fromRandomAccessReaderPromise(new WindowedReader(new WindowedFile(handle, stats.size)), stats.size, {
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}
