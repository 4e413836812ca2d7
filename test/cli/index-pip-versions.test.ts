/**
 * The static index as the far side of an air gap meets it: real wheels from
 * the local PyPI copy whose METADATA Name is not the normalized name
 * (Pygments, PyYAML, Jinja2, MarkupSafe), indexed by `collect --layout
 * simple` and served by a real nginx with examples/nginx as shipped, and by
 * `lockhouse index` of a flat folder served by `python3 -m http.server`;
 * installed from by three pips that read the index differently
 * (docs/collect.md, "Which pip reads what"):
 *
 * - the system python3's pip (/usr/bin/python3: Debian 12's pip 23.0.1),
 *   which reads only the legacy PEP 658 names, crashes on a legacy JSON key
 *   (pip issue 12042) and compares the metadata's Name with the requirement
 *   as typed: it must find no PEP 658 metadata, and install from the wheels;
 * - python3's own pip (pyenv's 3.11: pip 23.2.1), the first to read PEP 714's names;
 * - pip 26, installed into a venv from the local PyPI copy.
 *
 * The requirements are typed in lower case (`pygments pyyaml jinja2`) and
 * MarkupSafe comes in as Jinja2's dependency, so the old pip's name check
 * would fire on either path. Every pip runs with every PIP_* variable
 * cleared and PIP_CONFIG_FILE=/dev/null: no other index, no find-links.
 * Each pip, nginx and the local copy are found or the tests skip, saying why.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, watch, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { localPypiRoots, localWheel } from '../helpers/local-pypi.js';
import { findOrInstallNginx, startNginx, type NginxServer } from '../helpers/nginx.js';
import { PYTHON, makeVenv, pipEnv, pipMissing, run } from '../helpers/pip.js';
import { repoRoot } from '../helpers/corpus.js';
import { startPythonHttpServer, type StaticServer } from '../helpers/python-http-server.js';

/** Normalized name → the METADATA Name the real wheels carry. */
const PROJECTS: Readonly<Record<string, string>> = { pygments: 'Pygments', pyyaml: 'PyYAML', jinja2: 'Jinja2', markupsafe: 'MarkupSafe' };
/** As a user types them; markupsafe only through Jinja2's `Requires-Dist: MarkupSafe>=2.0`. */
const REQUIREMENTS = ['pygments', 'pyyaml', 'jinja2'];
/** The system's own python: Debian's, with python3-venv and python3-pip (LOCKHOUSE_TEST_SYSTEM_PYTHON names another). */
const SYSTEM_PYTHON = process.env['LOCKHOUSE_TEST_SYSTEM_PYTHON'] ?? '/usr/bin/python3';

// ------------------------------------------------------------------ what this machine has, decided before collecting

const noPip = pipMissing();
const roots = noPip ? [] : localPypiRoots();
const noCopy = roots.length === 0 ? 'no local PyPI copy (pip config list names none)' : null;
const nginxFound = noPip ?? noCopy ? null : await findOrInstallNginx();
const why = noPip ?? noCopy ?? (nginxFound && 'missing' in nginxFound ? nginxFound.missing : null);
if (why) console.warn(`lockhouse tests: ${why}; the static index is not installed from`);

/** The pip a fresh venv of `python` gets (ensurepip's), or why there is none. */
function venvPip(python: string): { readonly version: string } | { readonly missing: string } {
  const probe = spawnSync(python, ['-I', '-c', 'import ensurepip, venv; print(ensurepip.version())'], { encoding: 'utf8', env: pipEnv() });
  if (probe.error) return { missing: `${python} is not there (${probe.error.message})` };
  if (probe.status !== 0) return { missing: `${python} has no venv with pip (apt-get install python3-venv python3-pip)` };
  return { version: probe.stdout.trim() };
}

interface PipUnderTest {
  readonly label: string;
  readonly missing: string | null;
  /** A fresh venv whose pip is the one under test; returns its python. */
  readonly venv: (dir: string) => Promise<string>;
}

const system = existsSync(SYSTEM_PYTHON) ? venvPip(SYSTEM_PYTHON) : { missing: `${SYSTEM_PYTHON} does not exist` };
const own = venvPip(PYTHON);
const pip26 = noCopy ? null : localWheel('pip-26.');

async function venvOf(python: string, dir: string): Promise<string> {
  const made = await run(python, ['-m', 'venv', dir]);
  if (made.code !== 0) throw new Error(`${python} -m venv failed: ${made.stderr}`);
  return join(dir, 'bin', 'python');
}

const PIPS: readonly PipUnderTest[] = [
  {
    label: `the system python3's pip (${SYSTEM_PYTHON}${'version' in system ? `, pip ${system.version}` : ''}; Debian 12's is 23.0.1)`,
    missing: 'missing' in system ? system.missing : null,
    venv: (dir) => venvOf(SYSTEM_PYTHON, dir),
  },
  {
    label: `python3's own pip (${'version' in own ? `pip ${own.version}` : 'none'}; pyenv's 3.11 has 23.2.1)`,
    missing: 'missing' in own ? own.missing : null,
    venv: (dir) => makeVenv(dir),
  },
  {
    label: 'pip 26 (from the local PyPI copy)',
    missing: pip26 ? null : 'no pip-26 wheel in a local PyPI copy',
    venv: async (dir) => {
      const python = await makeVenv(dir);
      const upgraded = await run(python, ['-m', 'pip', 'install', '--no-index', '--no-cache-dir', pip26!]);
      if (upgraded.code !== 0) throw new Error(`pip 26 did not install: ${upgraded.stderr}`);
      return python;
    },
  },
];
for (const pip of PIPS) if (pip.missing) console.warn(`lockhouse tests: ${pip.missing}; ${pip.label} is not tried on the static index`);

// ------------------------------------------------------------------ helpers

/** pip's version as [major, minor]. */
async function pipVersion(python: string): Promise<[number, number]> {
  const shown = await run(python, ['-m', 'pip', '--version']);
  const match = /^pip ([0-9]+)\.([0-9]+)/.exec(shown.stdout);
  if (!match) throw new Error(`cannot read pip's version: ${shown.stdout} ${shown.stderr}`);
  return [Number(match[1]), Number(match[2])];
}

const atLeast = (version: [number, number], major: number, minor: number): boolean => version[0] > major || (version[0] === major && version[1] >= minor);

/** Can the venv's python install these wheels (its pip's own tag rules)? The wheels were picked for python3. */
async function supports(python: string, filenames: readonly string[]): Promise<boolean> {
  const script = String.raw`
import json, sys
from pip._vendor.packaging.tags import sys_tags
supported = {str(t) for t in sys_tags()}
def ok(name):
    py, abi, plat = name[:-4].split("-")[-3:]
    return any("%s-%s-%s" % (a, b, c) in supported for a in py.split(".") for b in abi.split(".") for c in plat.split("."))
print(json.dumps(all(ok(n) for n in sys.argv[1:])))
`;
  const checked = await run(python, ['-c', script, ...filenames]);
  return checked.stdout.trim() === 'true';
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
/** A wheel's project, PEP 503-normalized. */
const projectOf = (wheel: string): string => wheel.split('-')[0]!.toLowerCase().replace(/[-_.]+/g, '-');

/** A PEP 751 lock of exactly these wheels, as `pip lock` writes one: URLs on files.pythonhosted.org, no `index`. */
function pylockOf(folder: string, wheels: readonly string[]): string {
  const lines = ['lock-version = "1.0"', 'created-by = "lockhouse tests"', 'requires-python = ">=3.8"', ''];
  for (const wheel of wheels) {
    const name = projectOf(wheel);
    const version = wheel.split('-')[1];
    lines.push(
      '[[packages]]',
      `name = "${name}"`,
      `version = "${version}"`,
      'wheels = [',
      `  { name = "${wheel}", url = "https://files.pythonhosted.org/packages/00/00/${wheel}", hashes = { sha256 = "${sha256(join(folder, wheel))}" } },`,
      ']',
      '',
    );
  }
  return lines.join('\n');
}

/** The access log once every request made so far is in it: a mark is asked for, and the log watched until it holds it. */
async function settledAccessLog(server: NginxServer, log: string, mark: string): Promise<string[]> {
  const watcher = watch(log);
  try {
    const changed = (): Promise<unknown> => new Promise((resolve) => watcher.once('change', resolve));
    await (await fetch(`${server.url}${mark}`)).arrayBuffer();
    let next = changed();
    while (!server.accessLog().some((line) => line.includes(mark))) {
      await next;
      next = changed();
    }
    return server.accessLog().filter((line) => !line.includes(mark));
  } finally {
    watcher.close();
  }
}

// ------------------------------------------------------------------ the tests

const suite = why ? describe.skip : describe;

suite(why ? `the static index, installed from by pip 23.0.1, 23.2 and 26 (skipped: ${why})` : 'the static index, installed from by pip 23.0.1, 23.2 and 26', () => {
  let work: string;
  let wheels: string[];
  let nginx: NginxServer;
  let nginxLog: string;
  let plain: StaticServer;
  let marks = 0;

  beforeAll(async () => {
    work = realpathSync(mkdtempSync(join(tmpdir(), 'lockhouse-pips-')));
    // The newest wheel of each project that python3 can install, picked by its pip from the local copy.
    const picked = join(work, 'picked');
    const download = await run(PYTHON, [
      '-m', 'pip', 'download', '--no-index', '--no-deps', '--no-cache-dir', '--only-binary=:all:',
      ...roots.flatMap((root) => ['--find-links', join(root, 'files')]),
      '-d', picked, ...Object.keys(PROJECTS),
    ]);
    if (download.code !== 0) throw new Error(`the local PyPI copy lacks a wheel python3 can install: ${download.stderr}`);
    wheels = readdirSync(picked).filter((name) => name.endsWith('.whl')).sort();

    // `collect --layout simple` from a pip-style pylock, the files taken from --find-links.
    writeFileSync(join(work, 'pylock.toml'), pylockOf(picked, wheels));
    const house = join(work, 'wheelhouse');
    const collected = await runCli(['collect', '--lock', join(work, 'pylock.toml'), '-o', house, '--layout', 'simple', '--find-links', picked, '--offline', '--no-cache']);
    if (collected.code !== 0) throw new Error(`lockhouse collect failed: ${collected.stderr}`);

    // `lockhouse index` of a flat folder of the same wheels.
    const flat = join(work, 'flat');
    mkdirSync(flat);
    for (const wheel of wheels) copyFileSync(join(picked, wheel), join(flat, wheel));
    const indexed = await runCli(['index', flat]);
    if (indexed.code !== 0) throw new Error(`lockhouse index failed: ${indexed.stderr}`);

    const example = readFileSync(join(repoRoot, 'examples', 'nginx', 'lockhouse-index.conf'), 'utf8');
    if (!/^\s*listen 80;/m.test(example) || !/^\s*root \/srv\/wheelhouse;/m.test(example)) throw new Error('examples/nginx no longer has `listen 80;` and `root /srv/wheelhouse;`');
    mkdirSync(join(work, 'nginx'));
    nginxLog = join(work, 'nginx', 'access.log');
    nginx = await startNginx({
      nginx: (nginxFound as { nginx: string }).nginx,
      root: house,
      workDir: join(work, 'nginx'),
      // The example as shipped, listening on 127.0.0.1 and serving the wheelhouse.
      serverConfig: (port) => example.replace(/^(\s*)listen 80;/m, `$1listen 127.0.0.1:${port};`).replace(/^(\s*)root \/srv\/wheelhouse;/m, `$1root ${house};`),
    });
    plain = await startPythonHttpServer(flat);
  }, 300_000);

  afterAll(async () => {
    await nginx?.stop();
    await plain?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('indexes the real wheels with PEP 714 names only, and their metadata with the Name the wheels carry', () => {
    expect(wheels.map(projectOf).sort()).toEqual(Object.keys(PROJECTS).sort());
    for (const [folder, filesDir] of [['wheelhouse', 'files'], ['flat', '']] as const) {
      for (const wheel of wheels) {
        const name = projectOf(wheel);
        // The premise of the old pip's failure: METADATA's Name is not the name a user types.
        const metadataPath = join(work, folder, filesDir, `${wheel}.metadata`);
        expect(readFileSync(metadataPath, 'utf8')).toMatch(new RegExp(`^Name: ${PROJECTS[name]}$`, 'm'));
        const html = readFileSync(join(work, folder, 'simple', name, 'index.html'), 'utf8');
        const json = readFileSync(join(work, folder, 'simple', name, 'index.json'), 'utf8');
        expect(html).toContain(`data-core-metadata="sha256=${sha256(metadataPath)}"`);
        expect(JSON.parse(json).files[0]['core-metadata']).toEqual({ sha256: sha256(metadataPath) });
        expect(html + json).not.toContain('dist-info-metadata');
      }
    }
  });

  it('nginx takes examples/nginx as shipped without a warning', () => {
    expect(nginx.errorLog().split('\n').filter((line) => /\[(warn|emerg|alert|crit)\]/.test(line))).toEqual([]);
  });

  for (const pip of PIPS) describe(pip.label, () => {
    const test = pip.missing ? it.skip : it;
    const skipNote = pip.missing ? ` (skipped: ${pip.missing})` : '';

    /** Install the requirements into a fresh venv from `indexUrl`; says what pip read, by its version. */
    async function install(indexUrl: string, venvName: string): Promise<{ version: [number, number]; python: string } | null> {
      const python = await pip.venv(join(work, venvName));
      const version = await pipVersion(python);
      if (!(await supports(python, wheels))) {
        console.warn(`lockhouse tests: ${python} cannot install ${wheels.join(', ')} (picked for python3): ${pip.label} is not tried`);
        return null;
      }
      const env = { ...pipEnv(), NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
      const installed = await run(python, ['-m', 'pip', 'install', '--no-cache-dir', '--index-url', indexUrl, ...REQUIREMENTS], { env });
      expect(installed.code, `${installed.stdout}\n${installed.stderr}`).toBe(0);
      const listed = await run(python, ['-m', 'pip', 'list', '--format=json'], { env });
      const names = (JSON.parse(listed.stdout) as Array<{ name: string; version: string }>).map((item) => item.name.toLowerCase());
      expect(names).toEqual(expect.arrayContaining(Object.keys(PROJECTS)));
      const imported = await run(python, ['-c', 'import pygments, yaml, jinja2, markupsafe; print(jinja2.Template("{{ 1 + 1 }}").render())'], { env });
      expect(imported.stdout.trim(), imported.stderr).toBe('2');
      return { version, python };
    }

    /** pip 23.2 and later read PEP 714's `.metadata` before any wheel; older ones never ask for it, and download the wheels. */
    function expectMetadataUse(version: [number, number], requested: readonly string[]): void {
      for (const wheel of wheels) {
        const metadata = requested.findIndex((line) => line.includes(`/${wheel}.metadata`));
        const file = requested.findIndex((line) => line.endsWith(`/${wheel}`) || line.includes(`/${wheel} `));
        expect(file, `${wheel} in\n${requested.join('\n')}`).toBeGreaterThanOrEqual(0);
        if (atLeast(version, 23, 2)) {
          expect(metadata, `${wheel}.metadata in\n${requested.join('\n')}`).toBeGreaterThanOrEqual(0);
          expect(metadata).toBeLessThan(file);
        } else {
          expect(metadata, `pip ${version.join('.')} asked for ${wheel}.metadata`).toBe(-1);
        }
      }
      expect(requested.filter((line) => !line.startsWith('200 '))).toEqual([]);
    }

    test(`installs from \`collect --layout simple\` served by nginx with examples/nginx${skipNote}`, async (context) => {
      const before = nginx.accessLog().length;
      const done = await install(`${nginx.url}/simple/`, `venv-nginx-${PIPS.indexOf(pip)}`);
      if (!done) return context.skip('its python cannot install the wheels picked for python3');
      const requested = (await settledAccessLog(nginx, nginxLog, `/lockhouse-test-mark-${++marks}`)).slice(before);
      // pip 22.2 and later ask for PEP 691 JSON, and the example gives it; older ones get the HTML.
      const page = atLeast(done.version, 22, 2) ? 'application/vnd.pypi.simple.v1+json' : 'text/html; charset=utf-8';
      for (const name of Object.keys(PROJECTS)) expect(requested).toContain(`200 GET /simple/${name}/ "${page}"`);
      expectMetadataUse(done.version, requested);
    }, 300_000);

    test(`installs from \`lockhouse index\` of a flat folder served by python3 -m http.server${skipNote}`, async (context) => {
      const before = (await plain.requests()).length;
      const done = await install(`${plain.url}/simple/`, `venv-plain-${PIPS.indexOf(pip)}`);
      if (!done) return context.skip('its python cannot install the wheels picked for python3');
      const requested = (await plain.requests()).slice(before);
      for (const name of Object.keys(PROJECTS)) expect(requested).toContain(`200 GET /simple/${name}/`);
      expectMetadataUse(done.version, requested);
    }, 300_000);
  });
});
