/**
 * Zips written by hand, byte by byte, so a test can make one lie: sizes the
 * headers declare but the data does not have, a local header that names
 * another file than the central directory, two entries of one name, two
 * central records sharing one local header, an entry count the archive
 * does not hold, a deflate stream of a gigabyte of zeros. yazl writes none
 * of these, rightly.
 */
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';

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
    const extra = Buffer.alloc(entry.zip64Size !== undefined ? 20 : 0);
    if (entry.zip64Size !== undefined) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(entry.zip64Size, 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
    }
    const name = Buffer.from(entry.name);
    let at = offset;
    if (entry.sameLocalAs !== undefined) {
      at = offsets[entry.sameLocalAs]!;
    } else {
      const localName = Buffer.from(entry.local?.name ?? entry.name);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(entry.zip64Size !== undefined ? 45 : 20, 4);
      local.writeUInt16LE(0x0800, 6);
      local.writeUInt16LE(entry.local?.method ?? method, 8);
      local.writeUInt32LE(entry.local?.crc ?? crc, 14);
      local.writeUInt32LE(entry.local?.compressedSize ?? compressed, 18);
      local.writeUInt32LE(entry.local?.uncompressedSize ?? declared, 22);
      local.writeUInt16LE(localName.length, 26);
      local.writeUInt16LE(extra.length, 28);
      parts.push(local, localName, extra, body);
      offset += 30 + localName.length + extra.length + body.length;
    }
    offsets.push(at);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(0x0314, 4);
    record.writeUInt16LE(entry.zip64Size !== undefined ? 45 : 20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(method, 10);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(compressed, 20);
    record.writeUInt32LE(declared, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(extra.length, 30);
    record.writeUInt32LE(0o100644 * 0x10000, 38);
    record.writeUInt32LE(entry.offset ?? at, 42);
    central.push(record, name, extra);
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
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : Number(count), 8);
  end.writeUInt16LE(zip64 ? 0xffff : Number(count), 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
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
