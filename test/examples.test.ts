/**
 * The examples and the docs work as written: the example pylock plans (and
 * Python's packaging reads it); every `lockhouse` command line in the
 * Dockerfile, the workflow, the README and the docs is one the command line
 * parser accepts, with flags the command reference documents; and nginx,
 * given examples/nginx/lockhouse-index.conf as it is, serves an index that
 * `lockhouse index` wrote, HTML or PEP 691 JSON as the client asks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCli } from '../src/cli/main.js';
import { makeWheel } from './helpers/artifacts.js';
import { runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/corpus.js';
import { fixtureUvLock } from './helpers/fixture-lock.js';
import { startIndexServer } from './helpers/index-server.js';
import { startLockhouse } from './helpers/process.js';
import { withGroupsAndExtras } from './helpers/project-lock.js';
import { findOrInstallNginx } from './helpers/nginx.js';
import { findPackaging } from './helpers/python.js';
import { testdir } from './helpers/testdir.js';
import { freePort } from './helpers/ports.js';
import { foregroundNginxConfig } from './helpers/nginx-config.js';

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const PYLOCK = join(repoRoot, 'examples', 'pylock', 'pylock.toml');

describe('examples/pylock/pylock.toml', () => {
  it('plans for Linux: the best wheel per package, the sdist-only package to build, the dev group by default', async () => {
    const run = await runCli(['plan', '--lock', PYLOCK, '--python-platform', 'linux', '--python-version', '3.12', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { artifacts: { filename: string; build: boolean }[] };
    const files = plan.artifacts.map((artifact) => artifact.filename);
    expect(files).toContain('charset_normalizer-3.4.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    expect(files).toContain('pytest-8.3.3-py3-none-any.whl');
    expect(files.some((file) => file.startsWith('colorama') || file.startsWith('PySocks'))).toBe(false);
    expect(plan.artifacts.filter((artifact) => artifact.build).map((artifact) => artifact.filename)).toEqual(['docopt-0.6.2.tar.gz']);
  });

  it('plans for Windows without dev and with the socks extra, as its header says', async () => {
    const run = await runCli(['plan', '--lock', PYLOCK, '--python-platform', 'windows', '--python-version', '3.12', '--no-dev', '--extra', 'socks', '--json']);
    expect(run.code).toBe(0);
    const files = (JSON.parse(run.stdout) as { artifacts: { filename: string }[] }).artifacts.map((artifact) => artifact.filename);
    expect(files).toEqual(expect.arrayContaining(['colorama-0.4.6-py2.py3-none-any.whl', 'PySocks-1.7.1-py3-none-any.whl', 'charset_normalizer-3.4.0-cp312-cp312-win_amd64.whl']));
    expect(files.some((file) => file.startsWith('pytest'))).toBe(false);
  });

  const reference = findPackaging();
  it.skipIf('missing' in reference)('is a lock Python\'s packaging reads and selects from', () => {
    const script = [
      'import sys, tomllib',
      'from packaging.pylock import Pylock',
      'lock = Pylock.from_dict(tomllib.load(open(sys.argv[1], "rb")))',
      'print(len(lock.packages))',
    ].join('\n');
    const run = spawnSync((reference as { python: string }).python, ['-c', script, PYLOCK], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(Number(run.stdout.trim())).toBe(12);
  });
});

// ---------------------------------------------------------------------------
// lockhouse command lines in the examples and the docs

interface CommandLine {
  readonly file: string;
  readonly text: string;
  readonly argv: readonly string[];
}

/**
 * Shell words, with quotes removed; CI and Docker expressions (`${{ … }}`, `$VAR`) become a placeholder value,
 * but a CI matrix's target (`${{ matrix.target }}`, `$TARGET`) one of its values: a platform flag needs a platform.
 */
function words(text: string): string[] {
  const substituted = text
    .replace(/\$\{\{\s*matrix\.target\s*\}\}|\$\{?TARGET\}?\b/g, 'x86_64-manylinux_2_28')
    .replace(/\$\{\{[^}]*\}\}/g, 'X')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, 'X');
  return [...substituted.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

/** The `lockhouse <command> …` invocations in a shell-like text, each up to the next &&, ;, | or redirection. */
function lockhouseLines(file: string, text: string): CommandLine[] {
  // Whole-line comments (shell, YAML, Dockerfile) are prose, not commands.
  const joined = text.replace(/^\s*#.*\n/gm, '').replace(/\\\n\s*/g, ' ');
  const found: CommandLine[] = [];
  for (const match of joined.matchAll(/(?:^|[\s;&|(])(lockhouse\s+(?:collect|bundle|merge|plan|verify|index)\b[^\n]*)/g)) {
    const command = match[1]!.split(/\s(?:&&|\|\||;|\||>|2>|#)\s?/)[0]!.trim();
    found.push({ file, text: command, argv: words(command).slice(1) });
  }
  return found;
}

/** The lines of a Markdown file's shell and YAML code blocks (prose mentions are not commands). */
function codeBlocks(markdown: string): string {
  return [...markdown.matchAll(/^```(?:sh|bash|shell|console|yaml|yml|dockerfile)\n([\s\S]*?)^```/gm)].map((match) => match[1]!).join('\n');
}

/** A synopsis (`lockhouse verify [--lock FILE] …`) shows the shape of a command, not a command to run. */
const isSynopsis = (line: CommandLine): boolean => line.argv.some((word) => /^\[|^<|…|\.\.\./.test(word));

const EXAMPLE_FILES = ['examples/docker/Dockerfile', 'examples/github-actions/offline-bundle.yml', 'examples/github-actions/matrix-merge.yml', 'examples/gitlab-ci/matrix-merge.yml'];
const DOC_FILES = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

const exampleLines = EXAMPLE_FILES.flatMap((file) => lockhouseLines(file, read(file)));
const docLines = DOC_FILES.flatMap((file) => lockhouseLines(file, codeBlocks(read(file)))).filter((line) => !isSynopsis(line));
const reference = read('docs/commands.md');

describe('lockhouse commands in the examples and the docs', () => {
  it('finds the commands it checks', () => {
    const files = new Set(exampleLines.map((line) => line.file));
    expect([...files].sort()).toEqual([...EXAMPLE_FILES].sort());
    expect(exampleLines.map((line) => line.argv[0])).toEqual(expect.arrayContaining(['collect', 'verify', 'bundle', 'merge']));
    for (const doc of ['README.md', 'docs/getting-started.md', 'docs/recipes.md']) expect(docLines.some((line) => line.file === doc), doc).toBe(true);
  });

  it.each([...exampleLines, ...docLines].map((line) => [`${line.file}: ${line.text}`, line] as const))('%s', (_, line) => {
    expect(() => createCli().process([...line.argv])).not.toThrow();
    for (const word of line.argv.filter((candidate) => /^--?[a-z]/.test(candidate))) {
      const flag = word.split('=')[0]!;
      expect(reference, `${flag} is not in docs/commands.md`).toMatch(new RegExp(`\`[^\`]*${flag.replace(/[-]/g, '\\-')}\\b`));
    }
  });

  // Flags that parse may still not go together (--all-platforms with --no-dev): plan with the same target,
  // selection and build flags, against the example pylock, which has a dev group and an extra.
  // Names of extras, groups, members and indexes belong to the reader's lock, not the example's: those errors pass.
  it.each([...exampleLines, ...docLines].filter((line) => line.argv[0] !== 'index').map((line) => [`${line.file}: ${line.text}`, line] as const))(
    'plans with the flags of %s',
    async (_, line) => {
      const run = await runCli(planArgv(line.argv));
      if (run.code === 2 && /^error\[SELECT_UNKNOWN_(EXTRA|GROUP|PACKAGE|INDEX)\]/m.test(run.stderr)) return;
      expect(run.code, `${planArgv(line.argv).join(' ')}\n${run.stderr}`).not.toBe(2);
    },
  );
});

// ---------------------------------------------------------------------------
// The CI workflow's lockhouse steps, run as written, in order

describe('examples/github-actions/offline-bundle.yml, run as written', () => {
  const WORKFLOW = 'examples/github-actions/offline-bundle.yml';
  /** The workflow's lockhouse commands, in order, with the tag it runs for. */
  const steps = lockhouseLines(WORKFLOW, read(WORKFLOW).replace(/\$\{\{ github\.ref_name \}\}/g, 'v1.2.3'));
  const cacheDir = /^\s*LOCKHOUSE_CACHE_DIR: (\S+)$/m.exec(read(WORKFLOW))?.[1];

  it('collects, verifies, bundles and verifies the bundle (--no-dev, three platforms) on a project with a dev group, each step exit 0', async () => {
    expect(steps.map((step) => step.argv[0])).toEqual(['collect', 'verify', 'bundle', 'verify']);
    expect(cacheDir).toBe('.lockhouse-cache');
    const pure = makeWheel({ name: 'pure', version: '1.0' });
    const native = ['manylinux_2_17_x86_64.manylinux2014_x86_64', 'manylinux_2_17_aarch64.manylinux2014_aarch64', 'win_amd64'].map((platform) =>
      makeWheel({ name: 'native', version: '2.0', tags: `cp312-cp312-${platform}` }),
    );
    const devtool = makeWheel({ name: 'devtool', version: '1.0' });
    const server = await startIndexServer({ artifacts: [pure, ...native, devtool] });
    try {
      // The checkout: the project's lock and pyproject.toml, with a dev group the workflow leaves out.
      const lock = withGroupsAndExtras(fixtureUvLock([pure, ...native, devtool], { base: server.url }), { groups: { dev: ['devtool'] } });
      const checkout = testdir({ 'uv.lock': lock, 'pyproject.toml': '[project]\nname = "app"\nversion = "0.1.0"\n' });
      const env = { ...process.env, LOCKHOUSE_CACHE_DIR: cacheDir };
      const outputs: string[] = [];
      for (const step of steps) {
        const run = await startLockhouse(step.argv, env, checkout).done;
        expect(run.code, `${step.text}\n${run.stderr}`).toBe(0);
        outputs.push(run.stdout);
      }
      const targets = 'targets aarch64-manylinux_2_28-cp312, x86_64-manylinux_2_28-cp312, x86_64-pc-windows-msvc-cp312; groups none';
      expect(outputs[1]).toMatch(/^Selection: as recorded in wheelhouse\/lockhouse\.json \(--python-platform .* --no-dev given, which agrees\)/);
      expect(outputs[1]).toContain(`which agrees): ${targets}\nwheelhouse is complete and intact for uv.lock: 4 files verified\n`);
      expect(outputs[3]).toContain(`Selection: as recorded in the manifest in app-v1.2.3.pyz (--no-dev given, which agrees): ${targets}\n`);
      expect(outputs[3]).toContain('app-v1.2.3.pyz is complete and intact for uv.lock: 4 files verified');
      expect(readdirSync(join(checkout, 'wheelhouse')).filter((name) => name.endsWith('.whl')).sort()).toEqual([...native, pure].map((wheel) => wheel.filename).sort());
    } finally {
      await server.close();
    }
  });
});

/** What `lockhouse plan` accepts: each flag name, and whether it takes a value. */
const planFlags = new Map(
  createCli()
    .definitions()
    .find((definition) => definition.path === 'lockhouse plan')!
    .options.flatMap((option) => {
      const [names, value] = option.definition.split(' ');
      return names!.split(',').map((name) => [name, value !== undefined] as const);
    }),
);
/** Every flag of every command that takes a value, to skip the values of flags plan does not take. */
const valueFlags = new Set(
  createCli()
    .definitions()
    .flatMap((definition) => definition.options)
    .filter((option) => option.definition.includes(' '))
    .flatMap((option) => option.definition.split(' ')[0]!.split(',')),
);

/** A command's argv → `plan` with its lock, target, selection and build flags, on the example pylock. */
function planArgv(argv: readonly string[]): string[] {
  const out = ['plan', '--lock', PYLOCK, '-q'];
  for (let index = 1; index < argv.length; index++) {
    const word = argv[index]!;
    const [name, inline] = word.split('=', 2) as [string, string | undefined];
    const takesValue = inline === undefined && valueFlags.has(name);
    if (planFlags.has(name) && name !== '--lock' && name !== '-q' && name !== '--quiet') {
      out.push(word);
      if (takesValue) out.push(argv[index + 1]!);
    }
    if (takesValue) index++;
  }
  const targeted = out.some((word) => ['--python-platform', '--platform', '--all-platforms'].includes(word.split('=')[0]!));
  if (!targeted) out.push('--python-platform', 'linux', '--python-version', '3.12');
  else if (!out.includes('--python-version') && !out.includes('--all-platforms')) out.push('--python-version', '3.12');
  return out;
}

// ---------------------------------------------------------------------------
// examples/nginx/lockhouse-index.conf in a real nginx

const found = await findOrInstallNginx();
const noNginx = 'missing' in found ? found.missing : null;
if (noNginx) console.warn(`lockhouse tests: ${noNginx}; the nginx example is not served`);

/** The example as it is, but listening on 127.0.0.1:`port` and serving `root`. */
function servedExample(port: number, root: string): string {
  const example = read('examples/nginx/lockhouse-index.conf');
  expect(example).toMatch(/^\s*listen 80;/m);
  expect(example).toMatch(/^\s*root \/srv\/wheelhouse;/m);
  return example.replace(/^(\s*)listen 80;/m, `$1listen 127.0.0.1:${port};`).replace(/^(\s*)root \/srv\/wheelhouse;/m, `$1root ${root};`);
}

/** An nginx.conf for one foreground process, with everything it writes in `work`, that includes `work`/lockhouse-index.conf. */
function mainConfig(nginx: string, work: string): string {
  return foregroundNginxConfig({ nginx, workDir: work, connections: 32, http: [`access_log ${join(work, 'access.log')};`, `include ${join(work, 'lockhouse-index.conf')};`] });
}

describe.skipIf(noNginx !== null)('examples/nginx/lockhouse-index.conf', () => {
  it('serves a lockhouse index: HTML by default, PEP 691 JSON when asked, the files, and not lockhouse\'s own state', async () => {
    const work = testdir();
    const root = join(work, 'wheelhouse');
    const wheel = makeWheel({ name: 'app', version: '1.0', requiresPython: '>=3.8' });
    mkdirSync(join(root, 'files'), { recursive: true });
    writeFileSync(join(root, 'files', wheel.filename), wheel.bytes);
    const indexed = await runCli(['index', root]);
    expect(indexed.code, indexed.stderr).toBe(0);
    writeFileSync(join(root, 'lockhouse.json'), '{}');

    const port = await freePort();
    const nginx = (found as { nginx: string }).nginx;
    writeFileSync(join(work, 'lockhouse-index.conf'), servedExample(port, root));
    writeFileSync(join(work, 'nginx.conf'), mainConfig(nginx, work));
    const check = spawnSync(nginx, ['-t', '-p', work, '-c', join(work, 'nginx.conf'), '-e', join(work, 'error.log')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);

    const child = spawn(nginx, ['-p', work, '-c', join(work, 'nginx.conf'), '-e', join(work, 'error.log')], { stdio: 'ignore' });
    const closed = new Promise((resolve) => child.on('close', resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      const get = async (path: string, accept?: string): Promise<Response> => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await fetch(`${url}${path}`, { headers: accept ? { accept } : {} });
          } catch (error) {
            if (attempt > 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      };

      const html = await get('/simple/app/');
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.headers.get('vary')).toMatch(/Accept/);
      expect(await html.text()).toContain(`../../files/${wheel.filename}#sha256=${wheel.sha256}`);

      const json = await get('/simple/app/', 'application/vnd.pypi.simple.v1+json, text/html;q=0.1');
      expect(json.headers.get('content-type')).toBe('application/vnd.pypi.simple.v1+json');
      const page = (await json.json()) as { name: string; files: { filename: string; hashes: { sha256: string } }[] };
      expect(page.name).toBe('app');
      expect(page.files.map((file) => [file.filename, file.hashes.sha256])).toEqual([[wheel.filename, wheel.sha256]]);

      const projects = await get('/simple/', 'application/vnd.pypi.simple.v1+json');
      expect(((await projects.json()) as { projects: { name: string }[] }).projects.map((project) => project.name)).toEqual(['app']);

      const file = await get(`/files/${wheel.filename}`);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).equals(wheel.bytes)).toBe(true);
      expect(file.headers.get('cache-control')).toContain('immutable');
      expect((await get(`/files/${wheel.filename}.metadata`)).status).toBe(200);

      expect((await get('/lockhouse.json')).status).toBe(403);
    } finally {
      child.kill('SIGTERM');
      await closed;
    }
  });
});
