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

/** A local header and its name and extra field; the data follows it. */
export function localHeader({ name, method = 0, crc, compressedSize, size, extra = Buffer.alloc(0), version = 20, date = DOS_DATE_1980 }) {
  const nameBytes = bytesOf(name);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(version, 4); // version needed to extract
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(method, 8);
  header.writeUInt16LE(date, 12);
  header.writeUInt32LE(crc >>> 0, 14);
  header.writeUInt32LE(compressedSize ?? size, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, nameBytes, extra]);
}

/** A central directory record and its name and extra field. */
export function centralRecord({ name, method = 0, crc, compressedSize, size, offset, extra = Buffer.alloc(0), version = 20, date = DOS_DATE_1980, mode = UNIX_FILE_0644 }) {
  const nameBytes = bytesOf(name);
  const record = Buffer.alloc(46);
  record.writeUInt32LE(0x02014b50, 0);
  record.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0 (so the mode counts)
  record.writeUInt16LE(version, 6);
  record.writeUInt16LE(UTF8_NAMES, 8);
  record.writeUInt16LE(method, 10);
  record.writeUInt16LE(date, 14);
  record.writeUInt32LE(crc >>> 0, 16);
  record.writeUInt32LE(compressedSize ?? size, 20);
  record.writeUInt32LE(size, 24);
  record.writeUInt16LE(nameBytes.length, 28);
  record.writeUInt16LE(extra.length, 30);
  record.writeUInt32LE(mode, 38);
  record.writeUInt32LE(offset, 42);
  return Buffer.concat([record, nameBytes, extra]);
}

/** The end of central directory record; `count` above 0xFFFF is written as 0xFFFF (a zip64 record must carry it). */
export function endRecord({ count, directorySize, directoryOffset }) {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
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
