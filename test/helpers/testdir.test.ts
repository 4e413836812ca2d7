import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeFolder, tempFolder, testdir } from './testdir.js';

describe('testdir', () => {
  let kept = '';

  it('writes the files, making their folders', () => {
    kept = testdir({ 'uv.lock': 'version = 1\n', 'wheels/a.whl': Buffer.from([1, 2]) });
    expect(readFileSync(join(kept, 'uv.lock'), 'utf8')).toBe('version = 1\n');
    expect([...readFileSync(join(kept, 'wheels/a.whl'))]).toEqual([1, 2]);
  });

  it('removes the folder when the test that made it finishes', () => {
    expect(kept).not.toBe('');
    expect(existsSync(kept)).toBe(false);
  });
});

describe('tempFolder', () => {
  let kept = '';

  it('writes the files and outlives the test that made it', () => {
    kept = tempFolder({ 'a/b.txt': 'b' });
    expect(readFileSync(join(kept, 'a/b.txt'), 'utf8')).toBe('b');
  });

  it('is there until removeFolder removes it; removing nothing is fine', () => {
    expect(existsSync(kept)).toBe(true);
    removeFolder(kept);
    expect(existsSync(kept)).toBe(false);
    removeFolder(undefined);
  });
});
