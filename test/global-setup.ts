/**
 * Build dist/ once before the tests: the tests that run lockhouse as a real
 * process (kill it, run two at once) run bin/lockhouse.cjs, which loads dist/.
 * Building here keeps them from testing a stale build.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
}
