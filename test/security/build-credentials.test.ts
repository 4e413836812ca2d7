/**
 * An index's credentials and builds (issue 17, finding 9): a build whose
 * requirements come from an index that needs a password gets it, and the
 * password is never on a command line `ps` shows (the frontend's, or the
 * pip that pip starts to install build requirements, which pip hands its
 * index URL to), never in the environment of the build backend (the
 * package's own code), never in the build log.
 *
 * Real pip builds an sdist whose build requirement `helper` is only on the
 * password-protected index, and only as an sdist: pip's child pip builds it,
 * and helper's backend — running below that child pip — writes down its own
 * environment and the command line of every process above it (/proc). The
 * index server says whether the credential arrived. Linux (/proc), python3
 * and pip; skipped, saying why, elsewhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSdist } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { localPypiRoots } from '../helpers/local-pypi.js';
import { makeVenv, pipEnv, pipMissing, run } from '../helpers/pip.js';
import { backendPy, PYPROJECT_TOML } from '../helpers/sdist-backend.js';
import { testdir } from '../helpers/testdir.js';

const why = process.platform !== 'linux' ? 'the ancestors of a build backend are read from /proc (Linux only)' : pipMissing();

const USER = 'robot';
const PASSWORD = 'Pl4nted-p@ss/w0rd:x';
const NEEDLES: ReadonlyArray<readonly [string, string]> = [
  ['the password', PASSWORD],
  ['the percent-encoded password', encodeURIComponent(PASSWORD)],
  ['base64(user:password)', Buffer.from(`${USER}:${PASSWORD}`).toString('base64')],
  ['the password’s distinctive part', 'Pl4nted'],
];

/** Appended to helper's backend: at import (every hook), its environment and its ancestors' command lines into $HELPER_DUMP_DIR. */
const DUMP = `
import json as _json, os as _os
def _lockhouse_dump():
    where = _os.environ.get("HELPER_DUMP_DIR")
    if not where:
        return
    chain, pid = [], _os.getpid()
    for _ in range(16):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                chain.append(f.read().replace(b"\\0", b" ").decode("utf-8", "replace").strip())
            with open("/proc/%d/stat" % pid) as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
        if pid <= 1:
            break
    with open(_os.path.join(where, "dump-%d.json" % _os.getpid()), "w") as f:
        _json.dump({"env": dict(_os.environ), "ancestors": chain}, f)
_lockhouse_dump()
`;

/** The package to collect: built from its sdist, needing `helper` to build. */
const APP = makeSdist({
  name: 'needs-helper',
  version: '1.0',
  files: { 'pyproject.toml': PYPROJECT_TOML.replace('requires = []', 'requires = ["helper"]') },
});
/** Only on the protected index, only as an sdist: built by the pip that installs build requirements. */
const HELPER = makeSdist({ name: 'helper', version: '1.0', files: { '_backend/backend.py': `${backendPy('pure')}\n${DUMP}` } });

/** A local PyPI copy with `build` and what it needs, for a venv whose frontend is `python -m build`. */
const buildRoot = localPypiRoots().find((root) => ['build', 'pyproject-hooks', 'packaging'].every((name) => existsSync(join(root, 'simple', name))));

/** A venv with `build` installed offline from the local copy; its python makes lockhouse choose the `build` frontend. */
async function buildFrontendPython(): Promise<string> {
  const python = await makeVenv(join(testdir(), 'venv'));
  const installed = await run(python, ['-m', 'pip', 'install', '--no-index', '--find-links', join(buildRoot!, 'files'), 'build'], { env: pipEnv() });
  expect(installed.code, installed.stderr).toBe(0);
  return python;
}

const servers: IndexServer[] = [];
const savedEnv = { ...process.env };
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

interface Dump {
  readonly env: Record<string, string>;
  readonly ancestors: string[];
}

describe.skipIf(why !== null)(`an index password and builds (${why ?? 'real pip, /proc'})`, { timeout: 300_000 }, () => {
  async function check(how: 'env' | 'mirror', frontend: 'pip' | 'build'): Promise<void> {
    const server = await startIndexServer({ artifacts: [APP, HELPER], requireAuth: { user: USER, password: PASSWORD } });
    servers.push(server);
    const dumps = testdir();
    const dir = testdir(
      how === 'env'
        ? {
            'uv.lock': fixtureUvLock([APP], { base: server.url }),
            'pyproject.toml': `[project]\nname = "app"\n[[tool.uv.index]]\nname = "private"\nurl = "${server.indexUrl}"\n`,
          }
        : { 'uv.lock': fixtureUvLock([APP], { base: 'https://files.example.invalid' }) },
    );
    process.env['HELPER_DUMP_DIR'] = dumps;
    // A pip cache of its own: pip keeps the wheels it builds by the sdist's URL, and a later run whose server
    // got the same port would install helper from that cache — no build, no dump (a flake seen in CI).
    process.env['PIP_CACHE_DIR'] = testdir();
    const flags: string[] = [];
    if (how === 'env') {
      process.env['UV_INDEX_PRIVATE_USERNAME'] = USER;
      process.env['UV_INDEX_PRIVATE_PASSWORD'] = PASSWORD;
    } else {
      flags.push('--mirror', `https://files.example.invalid/simple=${server.indexUrl.replace('http://', `http://${USER}:${encodeURIComponent(PASSWORD)}@`)}`);
    }
    if (frontend === 'build') flags.push('--build-python', await buildFrontendPython());
    const out = join(dir, 'wheelhouse');
    const collected = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache', '--retries', '0', ...flags, '-vv']);
    expect(collected.stderr).toMatch(new RegExp(`use ${frontend} `));
    expect(collected.stderr).toContain('Collected 1 file of 1 package');
    expect(collected.code).toBe(0);

    // The frontend had the credential: the pip that installed the build requirements sent it for helper's page and file.
    const helperRequests = server.requests.filter(/helper/);
    expect(helperRequests.length).toBeGreaterThanOrEqual(2);
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect(helperRequests.every((request) => request.headers.authorization === basic)).toBe(true);

    // helper's backend ran below the pip that installed it, whose command line names the index.
    const files = readdirSync(dumps).filter((name) => name.startsWith('dump-'));
    expect(files.length).toBeGreaterThan(0);
    const seen: Dump[] = files.map((name) => JSON.parse(readFileSync(join(dumps, name), 'utf8')) as Dump);
    const host = new URL(server.url).host;
    // pip: the child pip's command line names the index; build: pip reads it from PIP_INDEX_URL.
    if (frontend === 'pip') {
      expect(seen.some((dump) => dump.ancestors.some((line) => / install /.test(line) && line.includes(`${host}/simple`)))).toBe(true);
      expect(seen.some((dump) => dump.ancestors.some((line) => / wheel --no-deps /.test(line)))).toBe(true);
    } else {
      expect(seen.some((dump) => dump.env['PIP_INDEX_URL'] === server.indexUrl && dump.ancestors.some((line) => / -m build /.test(line)))).toBe(true);
    }

    const buildLog = readFileSync(join(out, '.lockhouse', 'logs', 'needs-helper-1.0.log'), 'utf8');
    expect(buildLog).toContain('command: ');
    expect(buildLog).toContain('NETRC=');
    const places: Array<readonly [string, string]> = [
      ['the build log', buildLog],
      ['stderr', collected.stderr],
      ['stdout', collected.stdout],
      ['the manifest', readFileSync(join(out, 'lockhouse.json'), 'utf8')],
      ...seen.flatMap((dump, i) => [
        [`the backend's environment (${files[i]})`, JSON.stringify(dump.env)] as const,
        ...dump.ancestors.map((line, j) => [`the command line of the backend's ancestor ${j} (${files[i]})`, line] as const),
      ]),
    ];
    const leaks = places.flatMap(([where, text]) => NEEDLES.filter(([, needle]) => text.includes(needle)).map(([what]) => `${what} in ${where}`));
    expect(leaks).toEqual([]);
    // The netrc the frontend read is gone.
    const netrc = seen.map((dump) => dump.env['NETRC']).find((path) => path !== undefined);
    expect(netrc).toBeDefined();
    expect(existsSync(netrc!)).toBe(false);
  }

  it('from per-index variables (UV_INDEX_<NAME>_PASSWORD), pip: the frontend gets it, and no command line, backend environment or log has it', () => check('env', 'pip'));
  it('from the userinfo of a --mirror URL, pip: the same', () => check('mirror', 'pip'));
  it.skipIf(!buildRoot)(`from the userinfo of a --mirror URL, python -m build: the same${buildRoot ? '' : ' (skipped: no local PyPI copy has build)'}`, () => check('mirror', 'build'));
});
