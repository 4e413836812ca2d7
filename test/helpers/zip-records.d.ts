/** 1980-01-01 as a DOS date (time 0, midnight). */
export const DOS_DATE_1980: number;
/** External attributes of a regular file, rw-r--r--. */
export const UNIX_FILE_0644: number;

export interface RecordFields {
  readonly name: string | Buffer;
  /** 0 stored (default), 8 deflated. */
  readonly method?: number;
  readonly crc: number;
  /** Default: `size`. */
  readonly compressedSize?: number;
  /** The uncompressed size. */
  readonly size: number;
  readonly extra?: Buffer;
  /** Version needed to extract: 20 (default), 45 for zip64. */
  readonly version?: number;
  /** DOS date; default 1980-01-01. */
  readonly date?: number;
}

/** A local header with its name and extra field. */
export function localHeader(fields: RecordFields): Buffer;
/** A central directory record with its name and extra field. */
export function centralRecord(fields: RecordFields & { readonly offset: number; readonly mode?: number }): Buffer;
/** The end of central directory record. */
export function endRecord(fields: { readonly count: number; readonly directorySize: number; readonly directoryOffset: number }): Buffer;
/** A zip of stored entries `[name, bytes, unix mode (default 0o100644)]`, dated 1980-01-01, in memory; names written as given. */
export function storedZip(entries: ReadonlyArray<readonly [name: string, data: Buffer, mode?: number]>): Buffer;
