/**
 * Start-up: what a run loads. `--version` and `--help` load clipanion and
 * the command definitions, nothing a command needs to run; a plan loads
 * neither the HTTP client nor the zip libraries; a collect that downloads
 * nothing never loads undici. Checked on dist/ (built by the global setup),
 * in a real process, by the modules it loaded: ES modules through a loader
 * hook, CommonJS ones through the require cache.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/corpus.js';
import { testdir } from '../helpers/testdir.js';
import { pkg, uvLock } from '../helpers/uv-lock.js';

const HOOKS = `
import { writeSync } from 'node:fs';
export async function load(url, context, next) {
  writeSync(2, 'LOADED ' + url + '\\n');
  return next(url, context);
}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`,
)}`;

interface Loaded {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Packages from node_modules, by name. */
  readonly packages: Set<string>;
  /** lockhouse's own modules, relative to dist/. */
  readonly own: Set<string>;
  /** Every module file it loaded, packages' included. */
  readonly paths: Set<string>;
}

/** Run lockhouse's main(argv) from dist/ in a fresh process; what it printed and loaded. */
function loadedBy(argv: readonly string[], cwd = repoRoot): Loaded {
  const main = pathToFileURL(join(repoRoot, 'dist', 'cli', 'main.js')).href;
  const script = `
    import { writeSync } from 'node:fs';
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(main)});
    process.exitCode = await main(${JSON.stringify(argv)});
    for (const path of Object.keys(createRequire(import.meta.url).cache)) writeSync(2, 'LOADED ' + path + '\\n');
  `;
  // A file rather than -e: --input-type would reach worker threads too.
  const entry = join(testdir({ 'run.mjs': script }), 'run.mjs');
  const run = spawnSync(process.execPath, ['--import', REGISTER, entry], { cwd, encoding: 'utf8', timeout: 60_000 });
  const packages = new Set<string>();
  const own = new Set<string>();
  const paths = new Set<string>();
  const dist = join(repoRoot, 'dist') + '/';
  for (const line of run.stderr.split('\n')) {
    if (!line.startsWith('LOADED ')) continue;
    const location = line.slice('LOADED '.length);
    const path = location.startsWith('file:') ? new URL(location).pathname : location;
    paths.add(path);
    const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
    if (name) packages.add(name);
    else if (path.startsWith(dist)) own.add(path.slice(dist.length));
  }
  const stderr = run.stderr
    .split('\n')
    .filter((line) => !line.startsWith('LOADED '))
    .join('\n');
  return { code: run.status, stdout: run.stdout, stderr, packages, own, paths };
}

const COMMANDS = ['bundle', 'collect', 'merge', 'plan', 'sbom', 'static-index', 'verify'].map((name) => `cli/commands/${name}.js`);

const HEAVY = ['undici', 'zod', 'pino', 'smol-toml', 'yauzl', 'yazl', 'env-paths', '@renovatebot/pep440'];

describe('start-up', () => {
  it.each([[['--version']], [['--help']], [['plan', '--help']], [['collect', '--help']]])(
    'lockhouse %j loads clipanion and the command definitions only',
    (argv) => {
      const run = loadedBy(argv);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toBe('');
      expect([...run.packages].filter((name) => HEAVY.includes(name))).toEqual([]);
      expect([...run.packages]).toContain('clipanion');
      // errors.js and secrets.js: the leaves every error and every write to stdout and stderr use (no package of their own).
      expect([...run.own].filter((path) => !path.startsWith('cli/') && path !== 'errors.js' && path !== 'secrets.js')).toEqual([]);
      // Every command's definition (src/cli/commands/), none of what runs one: the logger, the progress bar.
      expect([...run.own].filter((path) => path.startsWith('cli/commands/')).sort()).toEqual(COMMANDS);
      for (const path of ['cli/logger.js', 'cli/progress.js']) expect(run.own, path).not.toContain(path);
    },
  );

  it('a plan loads neither the HTTP client nor the zip libraries', () => {
    const dir = testdir({ 'uv.lock': uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['requests'] }), pkg('requests')) });
    const run = loadedBy(['plan', '--lock', join(dir, 'uv.lock'), '--python-platform', 'linux', '--python-version', '3.12']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('requests-1.0.0-py3-none-any.whl');
    expect(run.packages).toContain('zod');
    for (const name of ['undici', 'yauzl', 'yazl', 'env-paths']) expect(run.packages, name).not.toContain(name);
  });

  it('a collect that downloads nothing never loads undici', () => {
    const bytes = Buffer.from('a wheel already there');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const filename = 'already-1.0-py3-none-any.whl';
    const dir = testdir({
      'pylock.toml': [
        'lock-version = "1.0"',
        'created-by = "test"',
        '[[packages]]',
        'name = "already"',
        'version = "1.0"',
        // Nothing listens there: a request would fail the run.
        `wheels = [{ name = "${filename}", url = "http://127.0.0.1:9/${filename}", size = ${bytes.length}, hashes = { sha256 = "${sha256}" } }]`,
        '',
      ].join('\n'),
      [`wheelhouse/${filename}`]: bytes,
    });
    const argv = ['collect', '--lock', join(dir, 'pylock.toml'), '-o', join(dir, 'wheelhouse'), '--cache-dir', join(dir, 'cache')];
    const run = loadedBy([...argv, '--python-platform', 'linux', '--python-version', '3.12', '--retries', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('1 already there');
    expect(run.packages).not.toContain('undici');
    expect(run.own).toContain('io/http/dispatcher.js');
  });

  it("a collect that downloads loads undici's Agent and request API, not its index (fetch, WebSocket, caches)", () => {
    const filename = 'far-1.0-py3-none-any.whl';
    const dir = testdir({
      'pylock.toml': [
        'lock-version = "1.0"',
        'created-by = "test"',
        '[[packages]]',
        'name = "far"',
        'version = "1.0"',
        // Nothing listens there: the request is made (undici loaded) and fails at once.
        `wheels = [{ name = "${filename}", url = "http://127.0.0.1:9/${filename}", size = 3, hashes = { sha256 = "${'0'.repeat(64)}" } }]`,
        '',
      ].join('\n'),
    });
    const argv = ['collect', '--lock', join(dir, 'pylock.toml'), '-o', join(dir, 'wheelhouse'), '--no-cache'];
    const run = loadedBy([...argv, '--python-platform', 'linux', '--python-version', '3.12', '--retries', '0']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(filename);
    const undici = [...run.paths].filter((path) => path.includes('/node_modules/undici/')).map((path) => path.split('/node_modules/undici/')[1]);
    expect(undici).toContain('lib/dispatcher/agent.js');
    expect(undici).toContain('lib/api/api-request.js');
    for (const path of ['index.js', 'lib/web/fetch/index.js', 'lib/web/websocket/websocket.js']) expect(undici, path).not.toContain(path);
  });

  it('the command (bin/lockhouse.cjs) runs from its start-up bundle, not module by module', () => {
    const dir = testdir({ 'uv.lock': uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['requests'] }), pkg('requests')) });
    const argv = ['plan', '--lock', join(dir, 'uv.lock'), '--python-platform', 'linux', '--python-version', '3.12'];
    const run = spawnSync(process.execPath, ['--import', REGISTER, join(repoRoot, 'bin', 'lockhouse.cjs'), ...argv], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('requests-1.0.0-py3-none-any.whl');
    const dist = pathToFileURL(join(repoRoot, 'dist')).href + '/';
    const own = run.stderr
      .split('\n')
      .filter((line) => line.startsWith(`LOADED ${dist}`))
      .map((line) => line.slice(`LOADED ${dist}`.length));
    expect(own).toContain('bundle/main.js');
    expect(own.filter((path) => !path.startsWith('bundle/'))).toEqual([]);
  });
});
