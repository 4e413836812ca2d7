/**
 * Zips written by hand, byte by byte, so a test can make one lie: sizes the
 * headers declare but the data does not have, a local header that names
 * another file than the central directory, two entries of one name, two
 * central records sharing one local header, an entry count the archive
 * does not hold, a deflate stream of a gigabyte of zeros. yazl writes none
 * of these, rightly. The records themselves are zip-records.js's, each field
 * overridable.
 */
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';
import { centralRecord, endRecord, localHeader } from './zip-records.js';

export interface ZipEntry {
  /** The name in the central directory. */
  readonly name: string;
  /** Bytes to store or deflate; or an already deflated stream with its real CRC and size. */
  readonly data: string | Buffer | Deflated;
  /** Deflate `data` (stored otherwise). Ignored for a Deflated. */
  readonly deflate?: boolean;
  /** The uncompressed size both headers declare, if not the real one. */
  readonly declaredSize?: number;
  /** Declare this uncompressed size in a zip64 extra field (both headers say 0xFFFFFFFF). */
  readonly zip64Size?: bigint;
  /** What the local header says instead of what the central directory says. */
  readonly local?: { readonly name?: string; readonly method?: number; readonly compressedSize?: number; readonly uncompressedSize?: number; readonly crc?: number };
  /** Point this central record at entry N's local header (no local header of its own). */
  readonly sameLocalAs?: number;
  /** The local header's offset, if not the real one (e.g. past the end of the file). */
  readonly offset?: number;
}

export interface Deflated {
  readonly deflated: Buffer;
  readonly crc: number;
  readonly size: number;
}

export interface ZipOptions {
  /** The entry count the end record declares, if not the real one. Above 65 534 a zip64 end record carries it. */
  readonly declaredCount?: number | bigint;
}

const isDeflated = (data: ZipEntry['data']): data is Deflated => typeof data === 'object' && 'deflated' in data;

export function zipOf(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    let body: Buffer;
    let crc: number;
    let size: number;
    let method: number;
    if (isDeflated(entry.data)) {
      ({ crc, size } = entry.data);
      body = entry.data.deflated;
      method = 8;
    } else {
      const raw = typeof entry.data === 'string' ? Buffer.from(entry.data) : entry.data;
      body = entry.deflate ? deflateRawSync(raw) : raw;
      crc = crc32(raw);
      size = raw.length;
      method = entry.deflate ? 8 : 0;
    }
    const declared = entry.zip64Size !== undefined ? 0xffffffff : (entry.declaredSize ?? size);
    const compressed = entry.zip64Size !== undefined ? 0xffffffff : body.length;
    const version = entry.zip64Size !== undefined ? 45 : 20;
    const extra = Buffer.alloc(entry.zip64Size !== undefined ? 20 : 0);
    if (entry.zip64Size !== undefined) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(entry.zip64Size, 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
    }
    let at = offset;
    if (entry.sameLocalAs !== undefined) {
      at = offsets[entry.sameLocalAs]!;
    } else {
      const local = localHeader({
        name: entry.local?.name ?? entry.name,
        method: entry.local?.method ?? method,
        crc: entry.local?.crc ?? crc,
        compressedSize: entry.local?.compressedSize ?? compressed,
        size: entry.local?.uncompressedSize ?? declared,
        extra,
        version,
        date: 0,
      });
      parts.push(local, body);
      offset += local.length + body.length;
    }
    offsets.push(at);
    central.push(centralRecord({ name: entry.name, method, crc, compressedSize: compressed, size: declared, offset: entry.offset ?? at, extra, version, date: 0 }));
  }
  const directory = Buffer.concat(central);
  const count = BigInt(options.declaredCount ?? entries.length);
  const zip64 = count >= 0xffffn;
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(count, 24);
    record.writeBigUInt64LE(count, 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = endRecord({ count: zip64 ? 0xffff : Number(count), directorySize: directory.length, directoryOffset: offset });
  return Buffer.concat([...parts, directory, ...tail, end]);
}

/**
 * `bytes` zeros, deflated (level 9: about 1 KiB per MiB), fed to zlib a
 * mebibyte at a time so the zeros are never in memory at once.
 */
export async function deflatedZeros(bytes: number): Promise<Deflated> {
  const chunk = Buffer.alloc(1 << 20);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (part: Buffer) => out.push(part));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = 0;
  for (let left = bytes; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(piece, crc);
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return { deflated: Buffer.concat(out), crc, size: bytes };
}
