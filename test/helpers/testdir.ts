/**
 * A temporary folder for one test, removed when the test finishes (changesets'
 * `testdir`). Call it inside a test: `onTestFinished` has no test to attach to
 * elsewhere. Names may contain `/`; their folders are made.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

export function testdir(files: Record<string, string | Buffer> = {}): string {
  // realpath: on macOS the temporary folder is reached through a symlink, and
  // paths a program prints should compare equal to the ones a test builds.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'lockhouse-test-')));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, data] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
  return dir;
}
