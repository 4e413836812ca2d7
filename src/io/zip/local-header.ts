/**
 * Does an entry's local header agree with its central directory record?
 * yauzl reads an entry by its central record and uses the local header only
 * to find the data; a reader that walks local headers (a streaming unzip)
 * would see another file. So an entry is read only when both say the same.
 */

/** The central directory record's fields the check compares. */
export interface CentralRecord {
  readonly fileNameRaw: Buffer;
  readonly compressionMethod: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
}

/** The local header's fields the check compares. */
export interface LocalHeader {
  readonly fileName: Buffer;
  readonly generalPurposeBitFlag: number;
  readonly compressionMethod: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
}

/**
 * What in the local header disagrees with the central record, or null.
 * Sizes and CRC are compared unless the local header defers them (a data
 * descriptor, or zip64's 0xFFFFFFFF).
 */
export function localMismatch(entry: CentralRecord, local: LocalHeader): string | null {
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
