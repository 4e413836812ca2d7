// What the benchmarks share: where things are (the repository, ../shared,
// bin/lockhouse.cjs, python3), reading their options, timing a command, the
// median, and a corpus lock made collectable on 127.0.0.1 (mirrored by
// ../shared/tools/mirror-lock, served by tools/lib/serve.py) in a work
// folder that is removed when the benchmark is done.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/ports.js';

export const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const shared = resolve(process.env.LOCKHOUSE_SHARED_DIR ?? join(root, '..', 'shared'));
// LOCKHOUSE_BENCH_BIN measures another build (another checkout's bin/lockhouse.cjs, its dist/ built) with this benchmark: before and after.
export const bin = process.env.LOCKHOUSE_BENCH_BIN ? resolve(process.env.LOCKHOUSE_BENCH_BIN) : join(root, 'bin', 'lockhouse.cjs');
export const python = process.env.LOCKHOUSE_TEST_PYTHON ?? 'python3';

/**
 * The command line: `option(name, fallback)` for `--name VALUE`, `flag(name)`
 * for a bare `--name`, and `positional` (the first word that is neither).
 * With `usage`, --help prints it and an unknown or incomplete option exits 2.
 */
export function readOptions(argv, { valued = [], flags = [], usage = null } = {}) {
  const takesValue = new Set(valued);
  if (usage) {
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--help' || argv[i] === '-h') {
        console.log(usage);
        process.exit(0);
      }
      if (takesValue.has(argv[i]) && i + 1 < argv.length) i++;
      else if (!flags.includes(argv[i])) {
        console.error(`${usage.split('\n')[0].replace(/^usage: node /, '').split(' ')[0]}: unknown or incomplete option ${JSON.stringify(argv[i])}\n${usage}`);
        process.exit(2);
      }
    }
  }
  return {
    option: (name, fallback) => {
      const at = argv.indexOf(name);
      return at >= 0 ? argv[at + 1] : fallback;
    },
    flag: (name) => argv.includes(name),
    positional: argv.find((arg, i) => !arg.startsWith('--') && !(argv[i - 1]?.startsWith('--') && takesValue.has(argv[i - 1]))),
  };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** `median s (min …, max …)`. */
export const spread = (values) => `${median(values).toFixed(2)} s (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})`;

/** process.env without PIP_* variables, pip's configuration file out of play. */
export function pipEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PIP_')) env[key] = value;
  return { ...env, PIP_CONFIG_FILE: '/dev/null', ...extra };
}

/** Wall seconds of a command run to its end; `okCodes` other than 0 do not throw (collect exits 1 where a build is needed). */
export function timed(file, argv, { okCodes = [0], ...options } = {}) {
  const started = process.hrtime.bigint();
  try {
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 28, ...options });
  } catch (error) {
    if (!okCodes.includes(error.status)) throw error;
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * A work folder under the system's temporary folder holding `mirror/`, the
 * corpus case CASE_DIR mirrored at `sizeScale` and served on 127.0.0.1
 * (mirror/project/<lock> names that server). `close()` stops the server
 * and removes the folder.
 */
export async function mirroredCase(caseDir, { sizeScale, prefix = 'lockhouse-bench-' }) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const mirrorDir = join(work, 'mirror');
  execFileSync(join(shared, 'tools', 'mirror-lock'), [caseDir, mirrorDir, '--port', String(port), '--', '--size-scale', String(sizeScale), '-q'], { stdio: 'inherit' });
  const serve = spawn(python, [join(shared, 'tools', 'lib', 'serve.py'), mirrorDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((done) => serve.stdout.once('data', done));
  return {
    work,
    projectDir: join(mirrorDir, 'project'),
    close() {
      serve.kill();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
