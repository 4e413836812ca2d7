/**
 * A planted password in every failure path (issue 17, findings 6, 7 and 8),
 * through real lockhouse processes: the lock's own URL answering a login
 * page, a --mirror lacking a file, a password with an unencoded `/` and `#`,
 * per-index variables and netrc with 401/403/404 answers, a malformed proxy
 * variable, a build that fails (its backend prints the netrc it was given),
 * and the outputs of runs that succeed (emitted lock and requirements, the
 * static index, a bundle), at every log level and format, for collect,
 * verify, plan and bundle.
 *
 * After each scenario every byte the runs printed, every file under the
 * scenario's folder (DIR, the cache, emitted files, build logs; the inputs
 * that carry the secret aside) and every entry of every bundle is searched
 * for the password as written, percent-encoded, the base64 of
 * `user:password` (an Authorization header) and its distinctive part.
 *
 * Each scenario also asserts the failure it is about happened (its code), so
 * a search that finds nothing means something.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { fixturePylock, fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { startLockhouse, type Finished } from '../helpers/process.js';
import { readZip } from '../helpers/read-zip.js';
import { backendPy } from '../helpers/sdist-backend.js';
import { testdir } from '../helpers/testdir.js';
import { collect } from '../../src/app/collect/index.js';
import { collectRequest } from '../../src/app/requests.js';
import { forgetSecrets } from '../../src/secrets.js';
import { hostileCounter } from './helpers.js';

const counter = hostileCounter('secret-sinks');
const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];

const USER = 'robot';
/** `/`, `#` and `@` need percent-encoding in a URL's userinfo: written raw, they make the URL invalid (finding 8). */
const PASSWORD = 's3cr3t-PW/with#odd@chars';
const ENCODED = encodeURIComponent(PASSWORD);
const NEEDLES: ReadonlyArray<readonly [string, string]> = [
  ['the password', PASSWORD],
  ['the percent-encoded password', ENCODED],
  ['base64(user:password)', Buffer.from(`${USER}:${PASSWORD}`).toString('base64')],
  ["the password's distinctive part", 's3cr3t-PW'],
];

/** What an index behind a login answers for a file when the session has expired: a 200 with a page. */
const LOGIN_PAGE = Buffer.from('<!doctype html>\n<html><head><title>Sign in</title></head><body><form action="/login">…</form></body></html>\n');

const alpha = makeWheel({ name: 'alpha', version: '1.0' });
const beta = makeWheel({ name: 'beta', version: '2.0' });
const gamma = makeWheel({ name: 'gamma', version: '3.0' });
const delta = makeWheel({ name: 'delta', version: '4.0' });

/** Appended to a failing backend: prints the netrc the frontend was given, in the forms a leak would take. */
const PRINT_NETRC = `
import base64 as _b64, os as _os, urllib.parse as _parse
def _lockhouse_print_netrc():
    path = _os.environ.get("NETRC")
    if not path or not _os.path.exists(path):
        print("lockhouse-test-backend: no NETRC")
        return
    words = open(path).read().split()
    login = words[words.index("login") + 1] if "login" in words else ""
    password = words[words.index("password") + 1] if "password" in words else ""
    print("lockhouse-test-backend: the netrc says login %s password %s" % (login, password))
    print("lockhouse-test-backend: as a URL https://%s:%s@example.invalid/simple" % (login, _parse.quote(password, safe="")))
    print("lockhouse-test-backend: as a header Authorization: Basic %s" % _b64.b64encode(("%s:%s" % (login, password)).encode()).decode())
_lockhouse_print_netrc()
`;
/** Only an sdist, whose build fails after printing what it could read of the index's credentials. */
const broken = makeSdist({ name: 'broken', version: '5.0', files: { '_backend/backend.py': `${backendPy('fail')}\n${PRINT_NETRC}` } });

const servers: IndexServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function index(artifacts: readonly Artifact[]): Promise<IndexServer> {
  const server = await startIndexServer({ artifacts, requireAuth: { user: USER, password: PASSWORD } });
  servers.push(server);
  return server;
}

/** `http://robot:<password>@127.0.0.1:PORT`, the password percent-encoded (`raw`: as typed, unencoded). */
function withUserinfo(url: string, raw = false): string {
  return url.replace('http://', `http://${USER}:${raw ? PASSWORD : ENCODED}@`);
}

/** The environment of every run: nothing of this machine's that names an index, a proxy or credentials. */
function cleanEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(PIP_|UV_|LOCKHOUSE_)/.test(key) || /^(https?|no|all)_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NETRC: join(root, 'no-netrc'), PIP_CONFIG_FILE: '/dev/null', ...extra };
}

interface Scenario {
  readonly root: string;
  readonly runs: Array<readonly [string, Finished]>;
  readonly bundles: string[];
  /** Input files (relative to root) that hold the secret on purpose: not searched. */
  readonly inputs: Set<string>;
  run(label: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Finished>;
}

function scenario(inputs: readonly string[] = []): Scenario {
  const root = testdir();
  const runs: Array<readonly [string, Finished]> = [];
  return {
    root,
    runs,
    bundles: [],
    inputs: new Set(inputs),
    async run(label, args, env) {
      counter.add();
      const finished = await startLockhouse(args, env, root).done;
      runs.push([label, finished]);
      return finished;
    },
  };
}

/** The log levels and formats every failing run is tried at. */
const LEVELS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['default', []],
  ['-q', ['-q']],
  ['-v', ['-v']],
  ['-vv', ['-vv']],
  ['--json', ['--json']],
  ['--log-format json -vv', ['--log-format', 'json', '-vv']],
];

/** Every file under `root` but the inputs, recursively: path relative to root, bytes. */
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

/** Where a needle occurs; the distinctive part in any case (a URL's host part is lower-cased by some code paths, userinfo and all). */
function leaks(where: string, bytes: Buffer | string): string[] {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const lower = Buffer.from(buffer.toString('latin1').toLowerCase(), 'latin1');
  return NEEDLES.filter(([, needle], i) => buffer.includes(needle) || (i === NEEDLES.length - 1 && lower.includes(needle.toLowerCase()))).map(
    ([what]) => `${what} in ${where}`,
  );
}

/** Everything the scenario's runs printed and left, searched. */
async function searchAll(s: Scenario): Promise<string[]> {
  const found: string[] = [];
  for (const [label, result] of s.runs) found.push(...leaks(`${label}: stdout`, result.stdout), ...leaks(`${label}: stderr`, result.stderr));
  for (const [rel, bytes] of filesUnder(s.root, s.inputs)) found.push(...leaks(rel, bytes));
  for (const bundle of s.bundles) {
    if (!existsSync(bundle)) continue;
    for (const entry of await readZip(bundle)) found.push(...leaks(`${relative(s.root, bundle)}!${entry.name}`, entry.data));
  }
  return found;
}

/** Runs `collect` at every level into its own DIR; returns the runs. */
async function collectAtEveryLevel(s: Scenario, lock: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []): Promise<Finished[]> {
  const results: Finished[] = [];
  for (const [label, flags] of LEVELS) {
    const out = join(s.root, `out-${label.replace(/[^a-z]+/g, '')}`);
    results.push(await s.run(`collect ${label}`, ['collect', '--lock', lock, '-o', out, '--cache-dir', join(s.root, 'cache'), '--retries', '0', ...TARGET, ...extra, ...flags], env));
  }
  return results;
}

/** verify (text and --json), plan (table and --json), bundle (--json -vv, and -q) over the same lock. */
async function theOtherCommands(s: Scenario, lock: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []): Promise<void> {
  const out = join(s.root, 'out-default');
  await s.run('verify', ['verify', '--lock', lock, '-o', out, ...TARGET], env);
  await s.run('verify --json', ['verify', '--lock', lock, '-o', out, '--json', ...TARGET], env);
  await s.run('plan', ['plan', '--lock', lock, '-vv', ...TARGET], env);
  await s.run('plan --json', ['plan', '--lock', lock, '--json', ...TARGET], env);
  for (const [label, flags] of [['bundle --json -vv', ['--json', '-vv']], ['bundle -q', ['-q']]] as const) {
    const bundle = join(s.root, `app-${label.replace(/[^a-z]+/g, '')}.pyz`);
    s.bundles.push(bundle);
    await s.run(label, ['bundle', '--lock', lock, '-o', bundle, '--cache-dir', join(s.root, 'cache'), '--retries', '0', ...TARGET, ...extra, ...flags], env);
  }
}

const output = (result: Finished): string => result.stdout + result.stderr;

describe('a planted password never reaches a message, a log, a manifest or stdout', { timeout: 240_000 }, () => {
  it.each(['uv.lock', 'pylock.toml'] as const)(
    'userinfo in the lock URL, the server answering a login page for one file (finding 6): INTEGRITY_MISMATCH at every level, verify, plan, bundle (%s)',
    async (format) => {
      const server = await index([alpha, beta]);
      server.add({ ...alpha, bytes: LOGIN_PAGE });
      const s = scenario([format]);
      const lockText = (format === 'uv.lock' ? fixtureUvLock : fixturePylock)([alpha, beta], { base: withUserinfo(server.url) });
      writeFileSync(join(s.root, format), lockText);
      const env = cleanEnv(s.root);
      for (const result of await collectAtEveryLevel(s, format, env)) {
        expect(result.code, result.stderr).toBe(3);
        expect(output(result)).toMatch(/INTEGRITY_MISMATCH|do not match/);
      }
      await theOtherCommands(s, format, env);
      // The index did get the credential, and did answer the page.
      expect(server.requests.filter(/^\/files\/alpha/).every((request) => request.headers.authorization !== undefined)).toBe(true);
      expect(await searchAll(s)).toEqual([]);
    },
  );

  it.each(['--mirror', 'LOCKHOUSE_MIRROR'] as const)('a credentialed mirror (%s) that lacks a file (finding 7): MIRROR_MISSING at every level, and bundle', async (how) => {
    const mirror = await index([beta]);
    const s = scenario(['uv.lock']);
    writeFileSync(join(s.root, 'uv.lock'), fixtureUvLock([alpha, beta], { base: 'https://files.example.invalid' }));
    const pair = `https://files.example.invalid/simple=${withUserinfo(mirror.indexUrl)}`;
    const env = cleanEnv(s.root, how === 'LOCKHOUSE_MIRROR' ? { LOCKHOUSE_MIRROR: pair } : {});
    const flags = how === '--mirror' ? ['--mirror', pair] : [];
    for (const result of await collectAtEveryLevel(s, 'uv.lock', env, flags)) {
      expect(result.code, result.stderr).toBe(1);
      if (!result.stdout.includes('"code"') && !result.stderr.includes('"code"')) expect(result.stderr).toMatch(/MIRROR_MISSING|the mirror lists no/);
    }
    const manifest = readFileSync(join(s.root, 'out-default', 'lockhouse.json'), 'utf8');
    expect(manifest).toContain('MIRROR_MISSING');
    await theOtherCommands(s, 'uv.lock', env, flags);
    expect(mirror.requests.filter(/^\/files\/beta/).every((request) => request.headers.authorization !== undefined)).toBe(true);
    expect(await searchAll(s)).toEqual([]);
  });

  it.each(['uv.lock', 'pylock.toml'] as const)('a password with an unencoded "/" and "#" (finding 8): an invalid URL, at every level, plan and verify (%s)', async (format) => {
    const server = await index([alpha]);
    const s = scenario([format]);
    // One file's URL carries the raw password; the rest of the lock is sound.
    const sound = (format === 'uv.lock' ? fixtureUvLock : fixturePylock)([alpha], { base: withUserinfo(server.url) });
    const raw = (format === 'uv.lock' ? fixtureUvLock : fixturePylock)([alpha], { base: withUserinfo(server.url, true) });
    writeFileSync(join(s.root, format), raw);
    expect(raw).not.toBe(sound);
    const env = cleanEnv(s.root);
    for (const result of await collectAtEveryLevel(s, format, env)) {
      expect(result.code, result.stderr).not.toBe(0);
      expect(output(result)).toContain('FETCH_BAD_URL');
    }
    await theOtherCommands(s, format, env);
    expect(await searchAll(s)).toEqual([]);
  });

  it.each(['--mirror', 'LOCKHOUSE_MIRROR'] as const)('a %s TO whose password has an unencoded "/" and "#" (findings 7 and 8): refused at every level, and by bundle', async (how) => {
    const mirror = await index([alpha]);
    const s = scenario(['uv.lock']);
    writeFileSync(join(s.root, 'uv.lock'), fixtureUvLock([alpha], { base: 'https://files.example.invalid' }));
    const pair = `https://files.example.invalid/simple=${withUserinfo(mirror.indexUrl, true)}`;
    const env = cleanEnv(s.root, how === 'LOCKHOUSE_MIRROR' ? { LOCKHOUSE_MIRROR: pair } : {});
    const flags = how === '--mirror' ? ['--mirror', pair] : [];
    for (const result of await collectAtEveryLevel(s, 'uv.lock', env, flags)) {
      expect(result.code, result.stderr).toBe(2);
      expect(output(result)).toContain(`${how} takes FROM=TO`);
    }
    await theOtherCommands(s, 'uv.lock', env, flags);
    expect(mirror.requests.count(/./)).toBe(0);
    expect(await searchAll(s)).toEqual([]);
  });

  it.each(['UV_INDEX', 'LOCKHOUSE_INDEX', 'netrc'] as const)('credentials from %s, answered 401, 403, 404 and a login page: every level, verify, plan, bundle', async (how) => {
    const server = await index([alpha, beta, gamma, delta]);
    server.fault(server.filePath(alpha.filename), { status: 401, times: Infinity });
    server.fault(server.filePath(beta.filename), { status: 403, times: Infinity });
    server.fault(server.filePath(gamma.filename), { status: 404, times: Infinity });
    server.add({ ...delta, bytes: LOGIN_PAGE });
    const s = scenario(['uv.lock', 'netrc']);
    writeFileSync(join(s.root, 'uv.lock'), fixtureUvLock([alpha, beta, gamma, delta], { base: server.url }));
    writeFileSync(join(s.root, 'pyproject.toml'), `[project]\nname = "app"\n[[tool.uv.index]]\nname = "private"\nurl = "${server.indexUrl}"\n`);
    let env: NodeJS.ProcessEnv;
    if (how === 'netrc') {
      writeFileSync(join(s.root, 'netrc'), `machine 127.0.0.1\n  login ${USER}\n  password ${PASSWORD}\n`);
      env = cleanEnv(s.root, { NETRC: join(s.root, 'netrc') });
    } else {
      env = cleanEnv(s.root, { [`${how}_PRIVATE_USERNAME`]: USER, [`${how}_PRIVATE_PASSWORD`]: PASSWORD });
    }
    for (const result of await collectAtEveryLevel(s, 'uv.lock', env)) {
      expect(result.code, result.stderr).toBe(3);
      expect(output(result)).toMatch(/FETCH_HTTP_STATUS|INTEGRITY_MISMATCH/);
    }
    await theOtherCommands(s, 'uv.lock', env);
    expect(server.requests.filter(/^\/files\//).every((request) => request.headers.authorization !== undefined)).toBe(true);
    expect(await searchAll(s)).toEqual([]);
  });

  it.each([
    ['https_proxy', `http://${USER}:${PASSWORD}@proxy.invalid:3128`],
    ['HTTPS_PROXY', `${USER}:${PASSWORD}@proxy.invalid:3128`],
    ['http_proxy', `socks5://${USER}:${ENCODED}@proxy.invalid:1080`],
    ['HTTP_PROXY', `http://${USER}:${ENCODED}@proxy.invalid:notaport`],
  ] as const)('a malformed credentialed proxy variable (%s=%s): refused at every level, and by bundle', async (variable, value) => {
    const server = await index([alpha]);
    const s = scenario(['uv.lock']);
    writeFileSync(join(s.root, 'uv.lock'), fixtureUvLock([alpha], { base: server.url }));
    const env = cleanEnv(s.root, { [variable]: value });
    for (const result of await collectAtEveryLevel(s, 'uv.lock', env)) {
      expect(result.code, result.stderr).toBe(2);
      expect(output(result)).toContain(variable);
    }
    await theOtherCommands(s, 'uv.lock', env);
    expect(await searchAll(s)).toEqual([]);
  });

  const noPip = pipMissing();
  it.skipIf(noPip !== null)(
    `a build from a credentialed index fails after its backend prints the netrc it was given: the build log, the summary and the manifest${noPip ? ` (skipped: ${noPip})` : ''}`,
    async () => {
      const server = await index([broken]);
      const s = scenario(['uv.lock']);
      writeFileSync(join(s.root, 'uv.lock'), fixtureUvLock([broken], { base: server.url }));
      writeFileSync(join(s.root, 'pyproject.toml'), `[project]\nname = "app"\n[[tool.uv.index]]\nname = "private"\nurl = "${server.indexUrl}"\n`);
      const env = cleanEnv(s.root, { UV_INDEX_PRIVATE_USERNAME: USER, UV_INDEX_PRIVATE_PASSWORD: PASSWORD });
      for (const [label, flags] of [['-vv', ['-vv']], ['--log-format json -vv', ['--log-format', 'json', '-vv']], ['--json', ['--json']]] as const) {
        const out = join(s.root, `out-${label.replace(/[^a-z]+/g, '')}`);
        const result = await s.run(`collect ${label}`, ['collect', '--lock', 'uv.lock', '-o', out, '--no-cache', '--retries', '0', ...flags], env);
        expect(result.code, result.stderr).toBe(1);
        expect(output(result)).toContain('BUILD_FAILED');
        // The backend did read the password and print it: the log says so, redacted.
        const log = readFileSync(join(out, '.lockhouse', 'logs', 'broken-5.0.log'), 'utf8');
        expect(log).toContain('lockhouse-test-backend: the netrc says login robot password ');
        expect(log).toContain('lockhouse-test-backend: as a header Authorization: Basic ');
      }
      expect(await searchAll(s)).toEqual([]);
    },
  );

  it('the outputs of runs that succeed: the manifest (with --index naming the credentialed index), the emitted pylock and requirements, the static index, a bundle and its entries', async () => {
    const server = await index([alpha, beta]);
    const s = scenario(['uv.lock']);
    writeFileSync(join(s.root, 'uv.lock'), fixtureUvLock([alpha, beta], { base: withUserinfo(server.url) }));
    const env = cleanEnv(s.root);
    const out = join(s.root, 'site');
    mkdirSync(out);
    const selection = ['--index', withUserinfo(server.indexUrl)];
    const collected = await s.run(
      'collect --layout simple --emit-pylock --emit-requirements -vv',
      ['collect', '--lock', 'uv.lock', '-o', out, '--layout', 'simple', '--cache-dir', join(s.root, 'cache'), '-vv', '--emit-pylock', join(out, 'pylock.toml'), '--emit-requirements', 'requirements.txt', ...selection, ...TARGET],
      env,
    );
    expect(collected.code, collected.stderr).toBe(0);
    expect(readFileSync(join(out, 'lockhouse.json'), 'utf8')).toContain('"indexes"');
    await s.run('verify --json', ['verify', '--lock', 'uv.lock', '-o', out, '--json', ...TARGET], env);
    await s.run('index --json -vv', ['index', out, '--json', '-vv'], env);
    const bundle = join(s.root, 'app.pyz');
    s.bundles.push(bundle);
    const bundled = await s.run('bundle --json -vv', ['bundle', '--lock', 'uv.lock', '-o', bundle, '--cache-dir', join(s.root, 'cache'), '--json', '-vv', ...selection, ...TARGET], env);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect((await readZip(bundle)).map((entry) => entry.name)).toContain('lockhouse.json');
    expect(await searchAll(s)).toEqual([]);
  });

  it('the library: collect() with a lock URL answering a login page: the log it is given, the manifest it returns, the manifest file, the error messages', async () => {
    const server = await index([alpha, beta]);
    server.add({ ...alpha, bytes: LOGIN_PAGE });
    const s = scenario(['uv.lock']);
    writeFileSync(join(s.root, 'uv.lock'), fixtureUvLock([alpha, beta], { base: withUserinfo(server.url) }));
    forgetSecrets(); // in-process: nothing an earlier call registered
    const logged: string[] = [];
    const result = await collect(
      collectRequest(
        { plan: { lock: { lock: 'uv.lock', cwd: s.root }, targets: { pythonPlatforms: ['x86_64-manylinux_2_28'], pythonVersions: ['3.12'] } }, output: 'out', cacheDir: join(s.root, 'cache'), retries: 0 },
        cleanEnv(s.root),
      ),
      { env: cleanEnv(s.root), version: 'test' },
      { log: (level, message, fields) => logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`) },
    );
    counter.add();
    expect(result.exitCode).toBe(3);
    expect(result.manifest?.failures.map((failure) => failure.code)).toEqual(['INTEGRITY_MISMATCH']);
    const found = [
      ...leaks('the returned manifest', JSON.stringify(result.manifest)),
      ...logged.flatMap((line, i) => leaks(`log line ${i}`, line)),
      ...(await searchAll(s)),
    ];
    expect(found).toEqual([]);
  });
});
