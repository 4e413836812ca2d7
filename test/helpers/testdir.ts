/**
 * Temporary folders for tests, the one way to make them.
 *
 * `testdir({...files})` makes one for a single test, removed when the test
 * finishes (changesets' `testdir`). Call it inside a test: `onTestFinished`
 * has no test to attach to elsewhere.
 *
 * `tempFolder({...files})` makes one that outlives a test: for what a
 * `beforeAll` builds once for a whole file (a collected wheelhouse, a
 * bundle); the file removes it in its `afterAll` with `removeFolder`.
 *
 * Names may contain `/`; their folders are made.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

export type Files = Record<string, string | Buffer>;

export function testdir(files: Files = {}): string {
  const dir = tempFolder(files);
  onTestFinished(() => removeFolder(dir));
  return dir;
}

export function tempFolder(files: Files = {}): string {
  // realpath: on macOS the temporary folder is reached through a symlink, and
  // paths a program prints should compare equal to the ones a test builds.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'lockhouse-test-')));
  for (const [name, data] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
  return dir;
}

/** Remove a folder and everything in it; nothing when it is absent (a `beforeAll` that failed before making it). */
export function removeFolder(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
