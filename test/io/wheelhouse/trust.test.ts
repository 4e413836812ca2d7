/** Re-runs trust a file whose size and mtime are what the manifest recorded. */
import { lstatSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTrusted, isUnchanged, recordOf } from '../../../src/io/wheelhouse/trust.js';
import { tempdir } from '../store/helpers.js';

describe('manifest trust', () => {
  it('trusts an untouched file, also after its record went through JSON', async () => {
    const dir = tempdir();
    const path = join(dir, 'pkg.whl');
    writeFileSync(path, 'wheel');
    const recorded = JSON.parse(JSON.stringify(recordOf(lstatSync(path))));
    expect(isUnchanged(recorded, lstatSync(path))).toBe(true);
    expect(await isTrusted(path, recorded)).toBe(true);
  });

  it('does not trust a file whose size or mtime changed, a symlink, or nothing', async () => {
    const dir = tempdir();
    const path = join(dir, 'pkg.whl');
    writeFileSync(path, 'wheel');
    const recorded = recordOf(lstatSync(path));
    writeFileSync(path, 'wheeL'); // same size…
    utimesSync(path, 1, 1); // …another mtime
    expect(await isTrusted(path, recorded)).toBe(false);
    writeFileSync(path, 'longer wheel');
    utimesSync(path, recorded.mtimeMs / 1000, recorded.mtimeMs / 1000);
    expect(isUnchanged(recorded, lstatSync(path))).toBe(false);
    symlinkSync(path, join(dir, 'link.whl'));
    expect(isUnchanged(recordOf(lstatSync(path)), lstatSync(join(dir, 'link.whl')))).toBe(false);
    expect(await isTrusted(join(dir, 'missing.whl'), recorded)).toBe(false);
  });
});
