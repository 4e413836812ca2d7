/**
 * lockhouse installs from a clean clone: `npm pack` there builds dist/ (the
 * package's prepare script) and ships what a user needs — the bin, the
 * library and its declarations, the bundle's installer, the schemas — and
 * nothing else; the tarball installs into an empty folder with
 * `npm install`, where the `lockhouse` bin runs, `import('lockhouse')` gives
 * the library, every example of docs/library.md runs and prints what the
 * page says, and a TypeScript consumer type-checks against the installed
 * declarations.
 *
 * One pack and one install serve every test of this file: packing builds
 * the whole of src/ (tsc), the slow part. The examples fetch from a small
 * uv.lock whose files an index on 127.0.0.1 serves.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { repoRoot } from '../helpers/corpus.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { run, type Run } from '../helpers/pip.js';
import { libraryExamples } from './library-examples.js';
import { cleanCopy, installTarball, npmEnv, pack, type Packed } from './packed.js';

const PACKAGE = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  main: string;
  types: string;
  exports: Record<string, Record<string, string>>;
};
const TSC = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** The lock of docs/library.md's examples: requests and its four dependencies, one pure wheel each. */
const WHEELS: readonly Artifact[] = [
  makeWheel({ name: 'requests', version: '2.32.3', requiresDist: ['charset-normalizer<4,>=2', 'idna<4,>=2.5', 'urllib3<3,>=1.21.1', 'certifi>=2017.4.17'] }),
  makeWheel({ name: 'certifi', version: '2024.8.30' }),
  makeWheel({ name: 'charset-normalizer', version: '3.4.0' }),
  makeWheel({ name: 'idna', version: '3.10' }),
  makeWheel({ name: 'urllib3', version: '2.2.3' }),
];

let work: string;
let packed: Packed;
/** The folder the tarball is installed in, or null when it is not (the reason is in `notInstalled`). */
let consumer: string | null = null;
let notInstalled = '';
let server: IndexServer;
/** tsc over the typed folder: started once the tarball is installed, so that it runs beside the other tests. */
let typeChecked: Promise<Run> | null = null;

const examples = libraryExamples(readFileSync(join(repoRoot, 'docs', 'library.md'), 'utf8'));

beforeAll(async () => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'lockhouse-pack-')));
  server = await startIndexServer({ artifacts: WHEELS });
  const clone = join(work, 'clone');
  cleanCopy(repoRoot, clone);
  packed = await pack(clone, work);
  if (packed.run.code !== 0) {
    notInstalled = `npm pack failed: ${packed.run.stderr}`;
    return;
  }
  const dir = join(work, 'consumer');
  const installed = await installTarball(packed.tarball, dir);
  if (installed.offline) {
    notInstalled = installed.offline;
    console.warn(`lockhouse tests: ${installed.offline}; the tests of the installed package are skipped`);
    return;
  }
  if (installed.run.code !== 0) {
    notInstalled = `npm install failed: ${installed.run.stderr}`;
    return;
  }
  writeFileSync(join(dir, 'uv.lock'), fixtureUvLock(WHEELS, { base: server.url }));
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = ["requests"]\n');
  consumer = dir;
  typeChecked = typeCheck(dir);
}, 300_000);

/**
 * `tsc --noEmit` over docs/library.md's examples (JavaScript, checked as
 * such) and a misuse that must not compile, in a folder of `dir`, against
 * the package installed there: strict, and with the declarations themselves
 * checked (`skipLibCheck: false`, the compiler's default), as a consumer's
 * project may be set up. @types/node is this repository's.
 */
async function typeCheck(dir: string): Promise<Run> {
  const typed = join(dir, 'typed');
  mkdirSync(typed);
  const sources: Record<string, string> = Object.fromEntries(examples.map((example) => [example.file, example.code]));
  // Were the declarations not found (everything `any`), these expected errors would be unused: errors too.
  sources['misuse.ts'] = [
    "import { collect, collectRequest } from 'lockhouse';",
    '// @ts-expect-error: targets are lists',
    "collectRequest({ plan: { targets: { pythonPlatforms: 'linux' } } });",
    '// @ts-expect-error: collect records the version in the manifest: the context must give it',
    'await collect(collectRequest(), { env: process.env }, { log: () => {} });',
    '',
  ].join('\n');
  for (const [file, code] of Object.entries(sources)) writeFileSync(join(typed, file), code);
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    allowJs: true,
    checkJs: true,
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [join(repoRoot, 'node_modules', '@types')],
  };
  writeFileSync(join(typed, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(sources) }, null, 2));
  return run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: typed, env: npmEnv() });
}

afterAll(async () => {
  await typeChecked;
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The consumer folder; a test that needs it fails, saying why, when the tarball was not installed. */
function installed(context: { skip: (note?: string) => never }): string {
  if (consumer) return consumer;
  if (/cannot reach the registry/.test(notInstalled)) context.skip(notInstalled);
  throw new Error(notInstalled);
}

/** Every file under `dir`, relative to it, POSIX. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

describe('npm pack in a clean clone', () => {
  it('builds dist/ and ships the bin, the library, its declarations, the installer and the schemas', () => {
    expect(packed.run.code, packed.run.stderr).toBe(0);
    const files = new Set(packed.files);
    const entryPoints = [...Object.values(PACKAGE.bin), PACKAGE.main, PACKAGE.types, ...Object.values(PACKAGE.exports['.']!)].map((path) => path.replace(/^\.\//, ''));
    for (const path of [...entryPoints, 'package.json', 'README.md', 'dist/cli/main.js', 'dist/bundle/main.js', 'dist/bundle/thread.js', 'bundle/__main__.py']) expect(files, path).toContain(path);
    for (const schema of readdirSync(join(repoRoot, 'schemas'))) expect(files, schema).toContain(`schemas/${schema}`);

    // Each module of src/ once, as its .js, .d.ts and .js.map: nothing missing, nothing stale.
    const modules = filesUnder(join(repoRoot, 'src')).filter((path) => path.endsWith('.ts')).map((path) => path.replace(/\.ts$/, ''));
    const built = packed.files.filter((path) => path.startsWith('dist/') && !path.startsWith('dist/bundle/'));
    expect(built.sort()).toEqual(modules.flatMap((module) => [`dist/${module}.d.ts`, `dist/${module}.js`, `dist/${module}.js.map`]).sort());
    // And the command's start-up bundle (scripts/bundle-cli.js): its two entries and their shared chunks, JavaScript only.
    const bundled = packed.files.filter((path) => path.startsWith('dist/bundle/'));
    expect(bundled.filter((path) => !/^dist\/bundle\/[\w-]+\.js$/.test(path))).toEqual([]);
  });

  it('ships nothing a user does not need: no sources, tests, docs, examples or tooling', () => {
    const outside = packed.files.filter((path) => !/^(bin|bundle|dist|schemas)\//.test(path) && !['package.json', 'README.md'].includes(path));
    expect(outside).toEqual([]);
    expect(packed.files.filter((path) => /^(src|test|docs|examples|scripts|bench)\//.test(path) || path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
  });

  it('ships source maps that carry their sources, so none points at a file the package lacks', (context) => {
    const dist = join(installed(context), 'node_modules', 'lockhouse', 'dist');
    const maps = filesUnder(dist).filter((path) => path.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    for (const path of maps) {
      const map = JSON.parse(readFileSync(join(dist, path), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, path).toBe(map.sources.length);
      expect(map.sourcesContent!.every((text) => typeof text === 'string' && text.length > 0), path).toBe(true);
    }
  });
});

describe('the installed tarball', () => {
  it('runs the lockhouse bin: --version, and a plan of a small lock', async (context) => {
    const dir = installed(context);
    const bin = join(dir, 'node_modules', '.bin', 'lockhouse');
    const version = await run(bin, ['--version'], { cwd: dir, env: npmEnv() });
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(`lockhouse ${PACKAGE.version}`);

    const plan = await run(bin, ['plan', '--lock', 'uv.lock', '--python-platform', 'linux', '--python-version', '3.12', '--no-dev'], { cwd: dir, env: npmEnv() });
    expect(plan.code, plan.stderr).toBe(0);
    for (const wheel of WHEELS) expect(plan.stdout).toContain(wheel.filename);
    expect(plan.stdout).toMatch(/^Plan: 5 packages, 5 artifacts/m);
  });

  it("import('lockhouse') gives the documented surface", async (context) => {
    const dir = installed(context);
    const script = "const lockhouse = await import('lockhouse'); console.log(JSON.stringify(Object.fromEntries(Object.entries(lockhouse).map(([name, value]) => [name, typeof value]))));";
    const imported = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: npmEnv() });
    expect(imported.code, imported.stderr).toBe(0);
    const surface = JSON.parse(imported.stdout) as Record<string, string>;
    const calls = ['loadLock', 'parseLock', 'resolveTargets', 'select', 'plan', 'planLock', 'collect', 'verify', 'verifyBundle', 'bundle', 'merge', 'bundleFrom', 'indexWheelhouse', 'readManifest'];
    const helpers = ['planRequest', 'collectRequest', 'bundleRequest', 'verifyRequest', 'mergeRequest', 'bundleFromRequest', 'isLockhouseError', 'isFetchError'];
    for (const name of [...calls, ...helpers]) expect(surface[name], name).toBe('function');
    expect(surface['version']).toBe('string');
    expect(surface['LockhouseError']).toBe('function');
  });

  it('runs every example of docs/library.md, in order, and each prints what the page shows', async (context) => {
    const dir = installed(context);
    const scripts = examples.filter((example) => example.prints !== null);
    expect(scripts.map((example) => example.file)).toEqual(expect.arrayContaining(['plan.mjs', 'read-lock.mjs', 'collect.mjs', 'verify.mjs', 'bundle.mjs', 'merge.mjs', 'index.mjs', 'errors.mjs']));
    // A cache of the test's own: the examples download, and what they print must not depend on an earlier run.
    const env = npmEnv({ LOCKHOUSE_CACHE_DIR: join(work, 'cache') });
    for (const example of scripts) {
      writeFileSync(join(dir, example.file), example.code);
      const ran = await run(process.execPath, [example.file], { cwd: dir, env });
      expect({ file: example.file, code: ran.code, stdout: ran.stdout }, ran.stderr).toEqual({ file: example.file, code: 0, stdout: example.prints });
    }
    expect(existsSync(join(dir, 'app.pyz'))).toBe(true);
  });

  it('type-checks the examples and a TypeScript consumer against the installed declarations', async (context) => {
    installed(context);
    expect(examples.some((example) => example.file.endsWith('.ts'))).toBe(true);
    const tsc = await typeChecked!;
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });
});

/** A guard for the guard: the examples' extraction finds runnable scripts with their output. */
describe('docs/library.md examples', () => {
  it('are complete scripts, each followed by what it prints', () => {
    for (const example of examples.filter((candidate) => candidate.file.endsWith('.mjs'))) {
      expect(example.code, example.file).toMatch(/from 'lockhouse';/);
      expect(example.prints, example.file).not.toBe('');
    }
  });
});
