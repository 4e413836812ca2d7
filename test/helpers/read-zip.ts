/** Every entry of a zip, read whole with yauzl, in the order of its central directory (for tests of the zips lockhouse writes). */
import yauzl from 'yauzl';

export interface ZipEntryRead {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  /** The Unix mode in the external attributes. */
  readonly mode: number;
  /** The CRC-32 the zip records (yauzl does not check it: compare it with the data's). */
  readonly crc32: number;
  readonly data: Buffer;
}

export function readZip(path: string): Promise<ZipEntryRead[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const entries: ZipEntryRead[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.push({
              name: entry.fileName,
              method: entry.compressionMethod,
              mode: entry.externalFileAttributes >>> 16,
              crc32: entry.crc32,
              data: Buffer.concat(chunks),
            });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
