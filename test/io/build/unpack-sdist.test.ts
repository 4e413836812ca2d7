import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unpackSdist } from '../../../src/io/build/unpack-sdist.js';
import { makeSdist } from '../../helpers/artifacts.js';
import { testdir } from '../../helpers/testdir.js';
import { realPython, testEnv } from './helpers.js';

const python = realPython();
const withPython = typeof python === 'string' ? it.skip : it;
const noLog = async (): Promise<void> => {};

/** A tar.gz with one member of `name` (and a link when given), made by Python's tarfile. */
function tarWith(path: string, name: string, link?: string): void {
  const script = `import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    info = tarfile.TarInfo(sys.argv[2])
    if len(sys.argv) > 3:
        info.type, info.linkname = tarfile.SYMTYPE, sys.argv[3]
        t.addfile(info)
    else:
        info.size = 2
        t.addfile(info, io.BytesIO(b"hi"))
`;
  const run = spawnSync('python3', ['-c', script, path, name, ...(link ? [link] : [])], { env: testEnv() });
  if (run.status !== 0) throw new Error(String(run.stderr));
}

describe('unpackSdist', () => {
  withPython('unpacks an sdist and returns its top-level directory', async () => {
    const dir = testdir();
    const sdist = makeSdist({ name: 'Foo', version: '1.0' });
    writeFileSync(join(dir, sdist.filename), sdist.bytes);
    const tree = await unpackSdist('python3', join(dir, sdist.filename), testdir(), testEnv(), noLog);
    expect(tree).toMatch(/\/foo-1\.0$/);
    expect(readdirSync(tree).sort()).toEqual(['PKG-INFO', '_backend', 'foo', 'pyproject.toml']);
  });

  withPython.each([
    ['a path that climbs out', '../evil', undefined, "unsafe member path in the sdist: '../evil'"],
    ['an absolute path', '/tmp/evil', undefined, "unsafe member path in the sdist: '/tmp/evil'"],
    ['a symlink out of the tree', 'foo-1.0/link', '../../outside', "unsafe link path in the sdist: 'foo-1.0/../../outside'"],
  ])('refuses %s', async (_, name, link, why) => {
    const dir = testdir();
    const into = testdir();
    tarWith(join(dir, 'foo-1.0.tar.gz'), name, link);
    const error = await unpackSdist('python3', join(dir, 'foo-1.0.tar.gz'), into, testEnv(), noLog).catch((e: unknown) => e);
    expect((error as Error).message).toContain(why);
    expect(readdirSync(into)).toEqual([]);
    expect(existsSync(join(dir, 'evil'))).toBe(false);
  });
});
