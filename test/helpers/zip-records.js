// The records of a zip file, written by hand: local headers, central
// directory records and the end record (PKZIP 2.0, no data descriptors).
// One writer for the three places that make zips without yazl: valid wheels
// made in memory (artifacts.ts, storedZip below), wheels of gigabytes
// streamed to disk (bench/workloads.js), and zips that lie on purpose
// (zip-builder.ts, which overrides any field). Plain JavaScript (types in
// zip-records.d.ts): bench/ imports it too.
import { crc32 } from 'node:zlib';

/** 1980-01-01, the earliest date a zip holds; the DOS time field is 0, midnight. */
export const DOS_DATE_1980 = (1 << 5) | 1;
/** External attributes of a regular file, rw-r--r--, for a record "made by" Unix. */
export const UNIX_FILE_0644 = 0o100644 * 0x10000;
/** The names are UTF-8 (general purpose flag bit 11). */
const UTF8_NAMES = 0x0800;

const bytesOf = (name) => (typeof name === 'string' ? Buffer.from(name, 'utf8') : name);

/** Little-endian fields, in order: `[width in bytes, value]`. */
function pack(fields) {
  const out = Buffer.alloc(fields.reduce((sum, [width]) => sum + width, 0));
  let at = 0;
  for (const [width, value] of fields) at = width === 2 ? out.writeUInt16LE(value, at) : out.writeUInt32LE(value >>> 0, at);
  return out;
}

/** A local header and its name and extra field; the data follows it. */
export function localHeader({ name, method = 0, crc, compressedSize, size, extra = Buffer.alloc(0), version = 20, date = DOS_DATE_1980 }) {
  const nameBytes = bytesOf(name);
  // signature, version needed, flags, method, time (midnight), date, CRC-32, sizes, name and extra lengths
  const header = pack([[4, 0x04034b50], [2, version], [2, UTF8_NAMES], [2, method], [2, 0], [2, date], [4, crc], [4, compressedSize ?? size], [4, size], [2, nameBytes.length], [2, extra.length]]);
  return Buffer.concat([header, nameBytes, extra]);
}

/** A central directory record and its name and extra field; "made by" Unix 2.0, so `mode` counts. */
export function centralRecord({ name, method = 0, crc, compressedSize, size, offset, extra = Buffer.alloc(0), version = 20, date = DOS_DATE_1980, mode = UNIX_FILE_0644 }) {
  const nameBytes = bytesOf(name);
  // as the local header, after "made by"; then comment length, disk, internal and external attributes, the local header's offset
  const record = pack([
    [4, 0x02014b50], [2, 0x0314], [2, version], [2, UTF8_NAMES], [2, method], [2, 0], [2, date], [4, crc], [4, compressedSize ?? size], [4, size],
    [2, nameBytes.length], [2, extra.length], [2, 0], [2, 0], [2, 0], [4, mode], [4, offset],
  ]);
  return Buffer.concat([record, nameBytes, extra]);
}

/** The end of central directory record; `count` above 0xFFFF is written as 0xFFFF (a zip64 record must carry it). */
export function endRecord({ count, directorySize, directoryOffset }) {
  const entries = Math.min(count, 0xffff);
  return pack([[4, 0x06054b50], [2, 0], [2, 0], [2, entries], [2, entries], [4, directorySize], [4, directoryOffset], [2, 0]]);
}

/**
 * A zip of stored (uncompressed) entries `[name, bytes, mode?]`, dated
 * 1980-01-01, in memory. Names are written as given: `..`, `\` and absolute
 * paths too (yazl refuses them, rightly; hostile-input tests need them).
 */
export function storedZip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data, mode = 0o100644] of entries) {
    const crc = crc32(data);
    const local = localHeader({ name, crc, size: data.length });
    central.push(centralRecord({ name, crc, size: data.length, offset, mode: mode * 0x10000 }));
    parts.push(local, data);
    offset += local.length + data.length;
  }
  const directory = Buffer.concat(central);
  if (offset + directory.length > 0xffffffff || entries.length > 0xffff) throw new Error('a zip this large needs zip64, which storedZip does not write');
  return Buffer.concat([...parts, directory, endRecord({ count: entries.length, directorySize: directory.length, directoryOffset: offset })]);
}
