/**
 * Build dist/ once before the tests, as `npm run build` does: the tests that
 * run lockhouse as a real process (kill it, run two at once) run
 * bin/lockhouse.cjs, which loads the bundle made from dist/
 * (scripts/bundle-cli.js). Building here keeps them from testing a stale build.
 *
 * Also make the run's own temporary folder, $LOCKHOUSE_TEST_RUN_DIR, for
 * what test processes share during one run (helpers/pip.ts keeps its venv
 * template there), and remove it when the run ends. Test processes are
 * started after this, so they inherit the variable.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export default function setup(): () => void {
  const root = join(import.meta.dirname, '..');
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle-cli.js')], { cwd: root, stdio: 'inherit' });
  const runDir = realpathSync(mkdtempSync(join(tmpdir(), 'lockhouse-test-run-')));
  process.env['LOCKHOUSE_TEST_RUN_DIR'] = runDir;
  return () => rmSync(runDir, { recursive: true, force: true });
}
