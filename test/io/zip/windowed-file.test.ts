/** WindowedFile: reads served from its windows are the file's bytes wherever they fall; a range streams exactly. */
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WindowedFile } from '../../../src/io/zip/windowed-file.js';
import { testdir } from '../../helpers/testdir.js';

async function opened(bytes: Buffer): Promise<WindowedFile> {
  const path = join(testdir(), 'data');
  writeFileSync(path, bytes);
  return new WindowedFile(await open(path, 'r'), bytes.length);
}

describe('WindowedFile', () => {
  const bytes = Buffer.alloc(3 * WindowedFile.WINDOW + 12_345);
  for (let i = 0; i + 4 <= bytes.length; i += 4) bytes.writeUInt32LE(i * 2654435761 >>> 0, i);

  it('reads any range, inside a window, across two, or larger than one; short at the end of the file', async () => {
    const file = await opened(bytes);
    try {
      const ranges: Array<[number, number]> = [
        [0, 46],
        [100, 46],
        [WindowedFile.WINDOW - 10, 46],
        [5, 2 * WindowedFile.WINDOW],
        [bytes.length - 30, 30],
        [17, 1],
      ];
      for (const [position, length] of ranges) {
        const out = Buffer.alloc(length);
        expect(await file.read(out, 0, length, position)).toBe(length);
        expect(out.equals(bytes.subarray(position, position + length))).toBe(true);
      }
      // Concurrent reads each copy from the window they filled.
      const many = await Promise.all([0, 2_000_000, 10, 3_000_000, 1_048_570].map(async (position) => {
        const out = Buffer.alloc(64);
        await file.read(out, 0, 64, position);
        return out.equals(bytes.subarray(position, position + 64));
      }));
      expect(many.every(Boolean)).toBe(true);
      // Walking one region in order while jumping to others (a central directory, and each entry's local header).
      for (let step = 0; step < 40; step++) {
        for (const position of [2_500_000 + step * 46, 1000 + step * 70_001, bytes.length - 100 - step]) {
          const out = Buffer.alloc(46);
          expect(await file.read(out, 0, 46, position)).toBe(46);
          expect(out.equals(bytes.subarray(position, position + 46))).toBe(true);
        }
      }
      const tail = Buffer.alloc(100);
      expect(await file.read(tail, 0, 100, bytes.length - 40)).toBe(40);
    } finally {
      await file.close();
    }
  });

  it('streams a range byte for byte, and leaves the file open when the stream is destroyed', async () => {
    const file = await opened(bytes);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of file.streamRange(1000, 1000 + 2 * WindowedFile.WINDOW)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(bytes.subarray(1000, 1000 + 2 * WindowedFile.WINDOW))).toBe(true);
      file.streamRange(0, 10).destroy();
      const out = Buffer.alloc(8);
      expect(await file.read(out, 0, 8, bytes.length - 8)).toBe(8);
    } finally {
      await file.close();
    }
  });
});
