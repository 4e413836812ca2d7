/**
 * Local files a lock names (issue 17, "Also"): a `path` source, a `path` in
 * a pylock, a `file://` URL, a local project to build. A lock may come from
 * anyone (a pull request, a downloaded project), and a file it names is
 * copied into DIR, which is then published, bundled, served. So:
 *
 * - a local file or project is read only inside the lock's folder, the
 *   `--project` folder, or the repository holding the lock (`..` and
 *   symbolic links resolved first); anywhere else is LOCAL_OUTSIDE, a
 *   failure known before anything is read, unless `--allow-outside-paths`;
 * - relative paths as uv writes them in a monorepo (`../libs/x`) keep working;
 * - a local file whose bytes do not match the lock is said not to match, and
 *   nothing more: neither its hash nor its size (a hash of a file the lock's
 *   author cannot read is an oracle for its content).
 *
 * Through the command line (main(), in-process), for uv.lock and pylock.toml.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeWheel } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { testdir } from '../helpers/testdir.js';
import { tomlString } from '../helpers/toml.js';
import { hostileCounter } from './helpers.js';

const counter = hostileCounter('local-paths');
const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const WHEEL = 'pkg-1.0-py3-none-any.whl';

/** What an attacker wants copied into a published wheelhouse, or to learn the hash of. */
const VICTIM = Buffer.from('root:x:0:0:root:/root:/bin/bash\nlockhouse-victim-file: not for a wheelhouse\n');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const HEADER_UV = ['version = 1', 'revision = 3', 'requires-python = ">=3.9"', '', '[[package]]', 'name = "app"', 'version = "0.1.0"', 'source = { virtual = "." }', 'dependencies = [{ name = "pkg" }]', ''];
const HEADER_PYLOCK = ['lock-version = "1.0"', 'created-by = "lockhouse-security-tests"', 'requires-python = ">=3.9"', ''];

/** How the lock names the local file. */
type Naming = 'uv path' | 'uv file:// URL' | 'pylock path' | 'pylock file:// URL';
const NAMINGS: readonly Naming[] = ['uv path', 'uv file:// URL', 'pylock path', 'pylock file:// URL'];

/** The lock text naming `where` (a path as the lock writes it: relative to the lock's folder, or absolute) as pkg 1.0's wheel, with `hash`. */
function lockNaming(naming: Naming, where: string, hash: string): { name: string; text: string } {
  const url = `file://${where.split('/').map(encodeURIComponent).join('/')}`;
  switch (naming) {
    case 'uv path':
      return { name: 'uv.lock', text: [...HEADER_UV, '[[package]]', 'name = "pkg"', 'version = "1.0"', `source = { path = ${tomlString(where)} }`, `wheels = [{ filename = "${WHEEL}", hash = "sha256:${hash}" }]`, ''].join('\n') };
    case 'uv file:// URL':
      return { name: 'uv.lock', text: [...HEADER_UV, '[[package]]', 'name = "pkg"', 'version = "1.0"', 'source = { registry = "https://pypi.org/simple" }', `wheels = [{ url = ${tomlString(url)}, hash = "sha256:${hash}" }]`, ''].join('\n') };
    case 'pylock path':
      return { name: 'pylock.toml', text: [...HEADER_PYLOCK, '[[packages]]', 'name = "pkg"', 'version = "1.0"', `wheels = [{ name = "${WHEEL}", path = ${tomlString(where)}, hashes = { sha256 = "${hash}" } }]`, ''].join('\n') };
    case 'pylock file:// URL':
      return { name: 'pylock.toml', text: [...HEADER_PYLOCK, '[[packages]]', 'name = "pkg"', 'version = "1.0"', `wheels = [{ name = "${WHEEL}", url = ${tomlString(url)}, hashes = { sha256 = "${hash}" } }]`, ''].join('\n') };
  }
}

/** uv.lock's file:// URL gives the file its name: the victim is stored under the wheel's name there. */
function victimAt(dir: string, naming: Naming): string {
  const path = join(dir, naming === 'uv file:// URL' ? WHEEL : 'passwd');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, VICTIM);
  return path;
}

async function collect(lock: string, out: string, ...flags: string[]): Promise<CliRun> {
  counter.add();
  return runCli(['collect', '--lock', lock, '-o', out, '--no-cache', '--offline', ...TARGET, ...flags]);
}

const text = (run: CliRun): string => run.stdout + run.stderr;

describe('a local file outside the lock\'s tree is never read without --allow-outside-paths', () => {
  const cases = NAMINGS.flatMap((naming) => (['absolute', 'relative, up out of the project'] as const).filter((form) => form === 'absolute' || !naming.endsWith('URL')).map((form) => ({ naming, form })));

  it.each(cases)('$naming, $form: LOCAL_OUTSIDE, nothing copied; with the flag, collected', async ({ naming, form }) => {
    const root = testdir();
    const project = join(root, 'project');
    const victim = victimAt(join(root, 'elsewhere'), naming);
    const where = form === 'absolute' ? victim : relative(project, victim);
    const lock = lockNaming(naming, where, sha256(VICTIM));
    mkdirSync(project);
    writeFileSync(join(project, lock.name), lock.text);

    const refused = await collect(join(project, lock.name), join(project, 'out'));
    expect(refused.code, text(refused)).toBe(1);
    expect(text(refused)).toContain('LOCAL_OUTSIDE');
    expect(text(refused)).toContain('--allow-outside-paths');
    expect(existsSync(join(project, 'out', WHEEL))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(project, 'out', 'lockhouse.json'), 'utf8')) as { failures: Array<{ code: string; filename: string }> };
    expect(manifest.failures).toEqual([expect.objectContaining({ code: 'LOCAL_OUTSIDE', filename: WHEEL })]);

    const allowed = await collect(join(project, lock.name), join(project, 'out'), '--allow-outside-paths');
    expect(allowed.code, text(allowed)).toBe(0);
    expect(readFileSync(join(project, 'out', WHEEL))).toEqual(VICTIM);
  });

  it.each(['uv path', 'pylock path'] as const)('%s: a sibling folder whose name starts with the project\'s (project-evil beside project) is outside', async (naming) => {
    const root = testdir();
    const project = join(root, 'project');
    const victim = victimAt(join(root, 'project-evil'), naming);
    const lock = lockNaming(naming, victim, sha256(VICTIM));
    mkdirSync(project);
    writeFileSync(join(project, lock.name), lock.text);
    const refused = await collect(join(project, lock.name), join(project, 'out'));
    expect(refused.code, text(refused)).toBe(1);
    expect(text(refused)).toContain('LOCAL_OUTSIDE');
  });

  it.each(['uv path', 'pylock path'] as const)('%s: a symbolic link inside the project to a file outside is followed to where it leads, and refused there', async (naming) => {
    const root = testdir();
    const project = join(root, 'project');
    const victim = victimAt(join(root, 'elsewhere'), naming);
    mkdirSync(join(project, 'wheels'), { recursive: true });
    symlinkSync(victim, join(project, 'wheels', WHEEL));
    const lock = lockNaming(naming, `wheels/${WHEEL}`, sha256(VICTIM));
    writeFileSync(join(project, lock.name), lock.text);
    const refused = await collect(join(project, lock.name), join(project, 'out'));
    expect(refused.code, text(refused)).toBe(1);
    expect(text(refused)).toContain('LOCAL_OUTSIDE');
    expect(existsSync(join(project, 'out', WHEEL))).toBe(false);
  });

  it.each(['uv.lock', 'pylock.toml'] as const)('a local project to build outside the tree (%s): LOCAL_OUTSIDE, nothing built', async (format) => {
    const root = testdir();
    const project = join(root, 'project');
    const other = join(root, 'someone-elses-project');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'pyproject.toml'), '[project]\nname = "private"\nversion = "1.0"\n');
    mkdirSync(project);
    const lock =
      format === 'uv.lock'
        ? [...HEADER_UV.map((line) => line.replace('{ name = "pkg" }', '{ name = "private" }')), '[[package]]', 'name = "private"', 'version = "1.0"', `source = { directory = ${tomlString(other)} }`, ''].join('\n')
        : [...HEADER_PYLOCK, '[[packages]]', 'name = "private"', 'version = "1.0"', `directory = { path = ${tomlString(other)} }`, ''].join('\n');
    writeFileSync(join(project, format), lock);
    const run = await collect(join(project, format), join(project, 'out'));
    expect(run.code, text(run)).toBe(1);
    expect(text(run)).toContain('LOCAL_OUTSIDE');
    expect(text(run)).not.toMatch(/BUILD_|use (pip|uv|build) /);
  });
});

describe('relative paths as uv writes them keep working', () => {
  /** repo/app/<lock> naming ../libs/pkg-1.0-py3-none-any.whl, a real wheel with its hash. */
  function monorepo(naming: 'uv path' | 'pylock path', marker: '.git' | null): { repo: string; lock: string } {
    const repo = testdir();
    const wheel = makeWheel({ name: 'pkg', version: '1.0' });
    mkdirSync(join(repo, 'libs'), { recursive: true });
    writeFileSync(join(repo, 'libs', WHEEL), wheel.bytes);
    if (marker) mkdirSync(join(repo, marker));
    mkdirSync(join(repo, 'app'));
    const lock = lockNaming(naming, `../libs/${WHEEL}`, wheel.sha256);
    writeFileSync(join(repo, 'app', lock.name), lock.text);
    return { repo, lock: join(repo, 'app', lock.name) };
  }

  it.each(['uv path', 'pylock path'] as const)('%s: ../libs/… inside the git repository that holds the lock: collected', async (naming) => {
    const { repo, lock } = monorepo(naming, '.git');
    const run = await collect(lock, join(repo, 'out'));
    expect(run.code, text(run)).toBe(0);
    expect(existsSync(join(repo, 'out', WHEEL))).toBe(true);
  });

  it.each(['uv path', 'pylock path'] as const)('%s: ../libs/… with --project naming the folder above (no repository): collected; without it, LOCAL_OUTSIDE saying what to do', async (naming) => {
    const { repo, lock } = monorepo(naming, null);
    const refused = await collect(lock, join(repo, 'out'));
    expect(refused.code, text(refused)).toBe(1);
    expect(text(refused)).toContain('LOCAL_OUTSIDE');
    expect(text(refused)).toMatch(/--project|--allow-outside-paths/);
    const run = await collect(lock, join(repo, 'out'), '--project', repo);
    expect(run.code, text(run)).toBe(0);
    expect(existsSync(join(repo, 'out', WHEEL))).toBe(true);
  });
});

describe('a local file that does not match is said not to match: no hash, no size', () => {
  const wrong = 'f'.repeat(64);
  const leaks = (run: CliRun, bytes: Buffer, out: string): string[] => {
    const manifest = existsSync(join(out, 'lockhouse.json')) ? readFileSync(join(out, 'lockhouse.json'), 'utf8') : '';
    const all = text(run) + manifest;
    return [
      ...(all.includes(sha256(bytes)) ? ['its sha256'] : []),
      ...(new RegExp(`(\\b${bytes.length} bytes|"size": ?${bytes.length}\\b|size=${bytes.length}\\b|got ${bytes.length}\\b)`).test(all) ? [`its size (${bytes.length})`] : []),
    ];
  };

  it.each(NAMINGS)('%s, inside the project (and, with --allow-outside-paths, outside it), at every log level', async (naming) => {
    const root = testdir();
    const project = join(root, 'project');
    for (const [where, flags] of [
      [victimAt(join(project, 'vendor'), naming), []],
      [victimAt(join(root, 'elsewhere'), naming), ['--allow-outside-paths']],
    ] as const) {
      const lock = lockNaming(naming, where, wrong);
      writeFileSync(join(project, lock.name), lock.text);
      for (const level of [[], ['-v'], ['--json'], ['--log-format', 'json', '-vv']]) {
        const out = join(project, `out-${level.join('')}`);
        const run = await collect(join(project, lock.name), out, ...flags, ...level);
        expect(run.code, text(run)).not.toBe(0);
        expect(text(run)).toMatch(/does not match/);
        expect(existsSync(join(out, WHEEL))).toBe(false);
        expect(leaks(run, VICTIM, out)).toEqual([]);
      }
    }
  });

  it('a --find-links file with other bytes: passed over, its hash and size not printed', async () => {
    const root = testdir();
    const links = join(root, 'links');
    mkdirSync(links);
    writeFileSync(join(links, WHEEL), VICTIM);
    const wheel = makeWheel({ name: 'pkg', version: '1.0' });
    const lock = lockNaming('pylock path', join(root, 'nowhere', WHEEL), wheel.sha256);
    writeFileSync(join(root, lock.name), lock.text);
    const run = await collect(join(root, lock.name), join(root, 'out'), '--find-links', links, '--allow-outside-paths', '-v');
    expect(text(run)).toContain('does not match');
    expect(leaks(run, VICTIM, join(root, 'out'))).toEqual([]);
    expect(dirname(links)).toBe(root);
  });
});
