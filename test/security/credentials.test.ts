/**
 * Credentials (DESIGN.md "Trust and safety"): given in the lock's URLs, in
 * a netrc file, or per index in the environment (uv's UV_INDEX_<NAME>_* and
 * lockhouse's LOCKHOUSE_INDEX_<NAME>_*), they reach the index, and nothing
 * else: not a log line at any level or format, not an error, not the
 * manifest, an emitted lock, the static index, the bundle (its entries
 * inflated), a build log or the cache. Every byte each run prints and every
 * file under the project's folder (the inputs that carry the secret aside)
 * is searched for the password, its percent-encoding and the base64 of
 * `user:password` (what an Authorization header would carry).
 *
 * And on a redirect to another origin (another port, another host) the
 * Authorization header is not sent there: the servers' request logs say.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { fixturePylock, fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';
import { hostileCounter, LOCK_FORMATS } from './helpers.js';
import { readZip } from '../helpers/read-zip.js';
import { forgetSecrets } from '../../src/secrets.js';

const counter = hostileCounter('credentials');
const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];

const USER = 'robot-user';
// Characters that need percent-encoding in userinfo, so both spellings are searched.
const PASSWORD = 'S3cr3t-p@ss/w0rd:x';
const NEEDLES: ReadonlyArray<readonly [string, string]> = [
  ['the password', PASSWORD],
  ['the percent-encoded password', encodeURIComponent(PASSWORD)],
  ['base64(user:password)', Buffer.from(`${USER}:${PASSWORD}`).toString('base64')],
  ['the password\'s distinctive part', 'S3cr3t'],
];

const alpha = makeWheel({ name: 'alpha', version: '1.0' });
const beta = makeWheel({ name: 'beta', version: '2.0' });
/** Locked, never served: a hard 404, so an error is printed. */
const missing = makeWheel({ name: 'missing', version: '3.0' });
/** Only an sdist: built (the in-tree backend needs no index), so there is a build log. */
const built = makeSdist({ name: 'built', version: '4.0' });

const servers: Array<{ close(): Promise<void> }> = [];
const savedEnv = { ...process.env };
afterEach(async () => {
  // The runs are in-process: what one case registered must not scrub the next case's output for it.
  forgetSecrets();
  for (const server of servers.splice(0)) await server.close();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

async function index(artifacts: readonly Artifact[]): Promise<IndexServer> {
  const server = await startIndexServer({ artifacts, requireAuth: { user: USER, password: PASSWORD } });
  servers.push(server);
  return server;
}


interface Source {
  readonly id: string;
  /** The lock's base URL (userinfo for the URL source). */
  base(server: IndexServer): string;
  /** Files beside the lock, and the environment to set; `dir` is the project folder. */
  setup(server: IndexServer, dir: string): void;
  /** Input files that legitimately hold the secret (not searched). */
  readonly inputs: readonly string[];
}

const PYPROJECT = (server: IndexServer): string => `[project]\nname = "app"\n[[tool.uv.index]]\nname = "private-index"\nurl = "${server.indexUrl}"\n`;

const SOURCES: readonly Source[] = [
  {
    id: 'userinfo in the lock URLs',
    base: (server) => server.url.replace('http://', `http://${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}@`),
    setup: () => undefined,
    inputs: ['uv.lock', 'pylock.toml'],
  },
  {
    id: 'netrc (NETRC)',
    base: (server) => server.url,
    setup: (_server, dir) => {
      writeFileSync(join(dir, 'netrc'), `machine 127.0.0.1\n  login ${USER}\n  password ${PASSWORD}\n`);
      process.env['NETRC'] = join(dir, 'netrc');
    },
    inputs: ['netrc'],
  },
  {
    id: 'UV_INDEX_<NAME>_USERNAME/_PASSWORD',
    base: (server) => server.url,
    setup: (server, dir) => {
      writeFileSync(join(dir, 'pyproject.toml'), PYPROJECT(server));
      process.env['UV_INDEX_PRIVATE_INDEX_USERNAME'] = USER;
      process.env['UV_INDEX_PRIVATE_INDEX_PASSWORD'] = PASSWORD;
    },
    inputs: [],
  },
  {
    id: 'LOCKHOUSE_INDEX_<NAME>_USERNAME/_PASSWORD',
    base: (server) => server.url,
    setup: (server, dir) => {
      writeFileSync(join(dir, 'pyproject.toml'), PYPROJECT(server));
      process.env['LOCKHOUSE_INDEX_PRIVATE_INDEX_USERNAME'] = USER;
      process.env['LOCKHOUSE_INDEX_PRIVATE_INDEX_PASSWORD'] = PASSWORD;
      // uv's pair, wrong, must lose to lockhouse's.
      process.env['UV_INDEX_PRIVATE_INDEX_USERNAME'] = 'wrong';
      process.env['UV_INDEX_PRIVATE_INDEX_PASSWORD'] = 'wrong';
    },
    inputs: [],
  },
];


/** Every file under `root` but `skip`, recursively: its path relative to root and its bytes. */
function filesUnder(root: string, skip: ReadonlySet<string>): Array<readonly [string, Buffer]> {
  const out: Array<readonly [string, Buffer]> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (skip.has(rel)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push([rel, readFileSync(path)]);
    }
  };
  walk(root);
  return out;
}

/** Every entry of a zip, inflated. */
async function zipEntries(path: string): Promise<Array<readonly [string, Buffer]>> {
  return (await readZip(path)).map((entry) => [entry.name, entry.data] as const);
}

/** Where any needle occurs, as "<where>: <needle>". */
function leaks(where: string, bytes: Buffer | string): string[] {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return NEEDLES.filter(([, needle]) => buffer.includes(needle)).map(([what]) => `${where}: ${what}`);
}

describe('no secret in any output, from any source, at any log level', () => {
  const cases = SOURCES.flatMap((source) => LOCK_FORMATS.map((format) => ({ source, format, label: `${source.id} (${format})` })));

  it.each(cases)('$label', async ({ source, format }) => {
    const server = await index([alpha, beta, built]);
    const root = testdir();
    source.setup(server, root);
    if (!process.env['NETRC']) process.env['NETRC'] = join(root, 'no-netrc');
    const lockOf = format === 'uv.lock' ? fixtureUvLock : fixturePylock;
    const base = source.base(server);
    // Two projects: one with a file the index does not have (an error to print), one that collects whole.
    const faulty = join(root, 'faulty');
    const clean = join(root, 'clean');
    // The faulty project also has a git source at the index's origin (no git
    // repository there: the checkout fails, and that failure is reported).
    const git = [{ name: 'gitpkg', version: '5.0', url: `${base}/git/gitpkg.git`, commit: 'c0ffee'.padEnd(40, '0') }];
    for (const [dir, locked, options] of [[faulty, [alpha, beta, missing], { git }], [clean, [alpha, beta, built], {}]] as const) {
      mkdirSync(dir);
      writeFileSync(join(dir, format), lockOf(locked, { base, ...options }));
      source.setup(server, dir);
    }
    const cache = join(root, 'cache');
    const runs: Array<readonly [string, CliRun]> = [];
    const collect = async (label: string, dir: string, ...flags: string[]): Promise<CliRun> => {
      const result = await runCli(['collect', '--lock', join(dir, format), '--cache-dir', cache, '--retries', '1', ...TARGET, ...flags]);
      runs.push([label, result]);
      return result;
    };

    // A 500 then success, and a hard 404: at every log level and format.
    for (const [label, flags] of [
      ['-v --log-format json', ['-v', '--log-format', 'json']],
      ['-vv', ['-vv']],
      ['-q', ['-q']],
      ['--json', ['--json']],
    ] as const) {
      counter.add();
      server.fault(server.filePath(beta.filename), { status: 500 });
      const result = await collect(`faulty ${label}`, faulty, '-o', join(faulty, `out-${label.replace(/[^a-z]+/g, '')}`), '--no-cache', ...flags);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout + result.stderr).toContain('missing-3.0-py3-none-any.whl');
      expect(result.stdout + result.stderr).toMatch(/GIT_FAILED|GIT_NOT_FOUND/);
    }
    const sent = server.requests.filter(/^\/files\/(alpha|beta)/);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((request) => request.status === 200 || request.fault === 'status')).toBe(true);
    // The 404 said so, with a hint naming where the credentials came from, not what they are.
    expect(runs[0]![1].stderr + runs[2]![1].stderr).toMatch(/FETCH_HTTP_STATUS/);

    // Everything the run writes: the simple layout, both emitted files, the build log.
    counter.add();
    const out = join(clean, 'site');
    const emitted = await collect(
      'clean --layout simple --emit-pylock --emit-requirements -vv',
      clean,
      '-o', out, '--layout', 'simple', '-vv',
      '--emit-pylock', join(out, 'pylock.toml'), '--emit-requirements', join(clean, 'requirements.txt'),
    );
    const builds = !/BUILD_NO_PYTHON|BUILD_NO_FRONTEND/.test(emitted.stderr);
    expect(emitted.code, emitted.stderr).toBe(builds ? 0 : 1);
    if (builds) {
      expect(readdirSync(join(out, '.lockhouse', 'logs'))).toEqual(['built-4.0.log']);
      // The log does name the index the build was given (so searching it means something).
      expect(readFileSync(join(out, '.lockhouse', 'logs', 'built-4.0.log'), 'utf8')).toContain(`127.0.0.1:${server.port}`);
      expect(statSync(join(out, 'pylock.toml')).size).toBeGreaterThan(0);
    }
    counter.add();
    runs.push(['verify --json', await runCli(['verify', '--lock', join(clean, format), '-o', out, '--layout', 'simple', '--json', ...TARGET])]);
    runs.push(['plan --json', await runCli(['plan', '--lock', join(clean, format), '--json', '-vv', ...TARGET])]);
    runs.push(['plan', await runCli(['plan', '--lock', join(clean, format), ...TARGET])]);
    runs.push(['index', await runCli(['index', out, '--json', '-vv'])]);
    counter.add();
    const bundle = join(clean, 'app.pyz');
    const bundled = await runCli(['bundle', '--lock', join(clean, format), '-o', bundle, '--cache-dir', cache, '--json', '-vv', ...TARGET]);
    runs.push(['bundle', bundled]);
    expect(bundled.code, bundled.stderr).toBe(builds ? 0 : 1);

    const found: string[] = [];
    for (const [label, result] of runs) found.push(...leaks(`${label} stdout`, result.stdout), ...leaks(`${label} stderr`, result.stderr));
    const inputs = new Set(['faulty', 'clean', ''].flatMap((dir) => source.inputs.map((name) => (dir ? join(dir, name) : name))));
    const files = filesUnder(root, inputs);
    expect(files.map(([rel]) => rel)).toEqual(expect.arrayContaining([join('clean', 'site', 'lockhouse.json'), join('clean', 'requirements.txt')]));
    for (const [rel, bytes] of files) found.push(...leaks(rel, bytes));
    if (builds) {
      for (const [name, bytes] of await zipEntries(bundle)) found.push(...leaks(`app.pyz!${name}`, bytes));
    }
    expect(found).toEqual([]);
    // The index did get the credentials (or nothing would have been collected).
    expect(server.requests.filter(/^\/files\//).every((request) => request.headers.authorization !== undefined)).toBe(true);
  });
});

/** A plain file server on `host` that logs request headers: a redirect's other end. */
async function plainServer(host: string, artifacts: readonly Artifact[]): Promise<{ url: string; headers: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const headers: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    headers.push(req.headers);
    const file = artifacts.find((artifact) => req.url === `/files/${encodeURIComponent(artifact.filename)}`);
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': file.bytes.length }).end(file.bytes);
  });
  server.keepAliveTimeout = 10;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const result = {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  servers.push(result);
  return result;
}

describe('a redirect to another origin does not carry the credentials', () => {
  it.each(SOURCES.map((source) => ({ source, label: source.id })))('$label', async ({ source }) => {
    counter.add(2);
    const server = await index([alpha, beta]);
    // alpha → another host (127.0.0.2); beta → this host, another port.
    const otherHost = await plainServer('127.0.0.2', [alpha]);
    const otherPort = await plainServer('127.0.0.1', [beta]);
    server.fault(server.filePath(alpha.filename), { redirect: `${otherHost.url}/files/${encodeURIComponent(alpha.filename)}` });
    server.fault(server.filePath(beta.filename), { redirect: `${otherPort.url}/files/${encodeURIComponent(beta.filename)}` });
    const root = testdir();
    source.setup(server, root);
    if (!process.env['NETRC']) process.env['NETRC'] = join(root, 'no-netrc');
    writeFileSync(join(root, 'uv.lock'), fixtureUvLock([alpha, beta], { base: source.base(server) }));
    const run = await runCli(['collect', '--lock', join(root, 'uv.lock'), '-o', join(root, 'out'), '--no-cache', '--retries', '0', '-vv', ...TARGET]);
    expect(run.code, run.stderr).toBe(0);
    // The index got them on every request (the redirects included)…
    const asked = server.requests.filter(/^\/files\//);
    expect(asked).toHaveLength(2);
    expect(asked.every((request) => request.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`)).toBe(true);
    // …another host never did…
    expect(otherHost.headers).toHaveLength(1);
    expect(otherHost.headers[0]!.authorization).toBeUndefined();
    // …nor another port of the same host, except from netrc, whose entries name a host (any port), as curl and pip read them.
    expect(otherPort.headers).toHaveLength(1);
    if (source.id.startsWith('netrc')) expect(otherPort.headers[0]!.authorization).toBeDefined();
    else expect(otherPort.headers[0]!.authorization).toBeUndefined();
    expect(leaks('stderr', run.stderr + run.stdout)).toEqual([]);
  });
});
