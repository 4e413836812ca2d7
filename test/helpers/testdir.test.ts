import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testdir } from './testdir.js';

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
