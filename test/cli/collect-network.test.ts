/**
 * collect and the network around it: --mirror through a PEP 691 index and a
 * PEP 503-only one; credentials from netrc and from per-index variables
 * reach their own origin only, and a redirect to another origin does not
 * carry them; credentials never reach the output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const artifacts: Artifact[] = [makeWheel({ name: 'alpha', version: '1.0' }), makeWheel({ name: 'beta', version: '2.0' })];

const servers: IndexServer[] = [];
const savedEnv = { ...process.env };
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

async function server(options: Parameters<typeof startIndexServer>[0] = {}): Promise<IndexServer> {
  const started = await startIndexServer({ artifacts, ...options });
  servers.push(started);
  return started;
}

function collectIn(dir: string, ...flags: string[]) {
  return runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'out'), '--no-cache', '--retries', '0', ...TARGET, ...flags]);
}

describe('--mirror FROM=TO', () => {
  it.each([
    ['a PEP 691 (JSON) index', { pep691: true }],
    ['a PEP 503-only (HTML) index with relative links', { pep691: false, links: 'relative' as const }],
  ])('fetches through %s, verified against the lock', async (_label, options) => {
    const mirror = await server(options);
    // The lock names an index that does not exist here.
    const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: 'https://files.example.invalid' }) });
    const run = await collectIn(dir, '--mirror', `https://files.example.invalid/simple=${mirror.indexUrl}`);
    expect(run.stderr).toContain('Collected 2 files of 2 packages');
    expect(run.code).toBe(0);
    expect(mirror.requests.count(/^\/simple\/alpha\/$/)).toBe(1);
    expect(mirror.requests.count(/^\/files\//)).toBe(2);
    const jsonAsked = mirror.requests.filter(/^\/simple\/alpha\/$/)[0]!.headers.accept;
    expect(jsonAsked).toContain('application/vnd.pypi.simple.v1+json');
  });

  it('by index name from pyproject.toml, and a file the mirror lacks is a failure naming it', async () => {
    const mirror = await server();
    const lock = fixtureUvLock([...artifacts, makeWheel({ name: 'gamma', version: '3.0' })], { base: 'https://files.example.invalid' });
    const dir = testdir({
      'uv.lock': lock,
      'pyproject.toml': '[project]\nname = "app"\n[[tool.uv.index]]\nname = "internal"\nurl = "https://files.example.invalid/simple"\n',
    });
    const run = await collectIn(dir, '--mirror', `internal=${mirror.indexUrl}`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/gamma 3\.0 gamma-3\.0-py3-none-any\.whl: \[MIRROR_MISSING\]/);
  });
});

describe('credentials', () => {
  it('per-index variables (UV_INDEX_<NAME>_*) reach the index origin only, and a cross-origin redirect drops them', async () => {
    const other = await server();
    const index = await server({ requireAuth: { user: 'robot', password: 's3cret-pass', paths: '/files/alpha' } });
    // beta's file redirects to another origin (another port).
    index.fault('/files/beta-2.0-py3-none-any.whl', { redirect: other.fileUrl('beta-2.0-py3-none-any.whl') });
    const dir = testdir({
      'uv.lock': fixtureUvLock(artifacts, { base: index.url }),
      'pyproject.toml': `[project]\nname = "app"\n[[tool.uv.index]]\nname = "private-index"\nurl = "${index.indexUrl}"\n`,
    });
    process.env['UV_INDEX_PRIVATE_INDEX_USERNAME'] = 'robot';
    process.env['UV_INDEX_PRIVATE_INDEX_PASSWORD'] = 's3cret-pass';
    const run = await collectIn(dir, '-v');
    expect(run.code).toBe(0);
    const sent = index.requests.filter(/^\/files\//);
    expect(sent.every((request) => request.headers.authorization?.startsWith('Basic '))).toBe(true);
    expect(other.requests.length).toBe(1);
    expect(other.requests.all[0]!.headers.authorization).toBeUndefined();
    // Never in logs or the manifest.
    expect(run.stderr).not.toContain('s3cret-pass');
    expect(readFileSync(join(dir, 'out', 'lockhouse.json'), 'utf8')).not.toContain('s3cret-pass');
  });

  it('netrc credentials go to their host only', async () => {
    const index = await server({ requireAuth: { user: 'nina', password: 'netrc-pass' } });
    const dir = testdir({
      'uv.lock': fixtureUvLock(artifacts, { base: index.url }),
      netrc: 'machine 127.0.0.1\n  login nina\n  password netrc-pass\n',
    });
    process.env['NETRC'] = join(dir, 'netrc');
    const run = await collectIn(dir);
    expect(run.code).toBe(0);
    expect(index.requests.filter(/^\/files\//).every((request) => request.headers.authorization === `Basic ${Buffer.from('nina:netrc-pass').toString('base64')}`)).toBe(true);
  });

  it('credentials in the lock URL are sent, but never written to the manifest or printed', async () => {
    const index = await server({ requireAuth: { user: 'url-user', password: 'url-pass' } });
    const base = index.url.replace('http://', 'http://url-user:url-pass@');
    const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base }) });
    const run = await collectIn(dir, '-vv');
    expect(run.code).toBe(0);
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(dir, 'out', 'lockhouse.json'), 'utf8')));
    expect(manifest.artifacts.every((a) => a.url!.startsWith(index.url))).toBe(true);
    expect(JSON.stringify(manifest)).not.toContain('url-pass');
    expect(run.stderr + run.stdout).not.toContain('url-pass');
  });

  it('a 401 is not retried, and says so without the secret', async () => {
    const index = await server({ requireAuth: { user: 'u', password: 'right' } });
    const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: index.url.replace('http://', 'http://u:wrong@') }) });
    const run = await collectIn(dir, '--retries', '3');
    expect(run.code).toBe(1);
    expect(index.requests.count('/files/alpha-1.0-py3-none-any.whl')).toBe(1);
    expect(run.stderr).toMatch(/FETCH_HTTP_STATUS.*401/);
    expect(run.stderr).not.toContain('wrong');
  });
});

describe('a host that cannot be resolved', () => {
  it('is one line in the summary, with the count of files and the way out, not a line per file', async () => {
    const wheels = Array.from({ length: 5 }, (_, i) => makeWheel({ name: `unresolved${i}`, version: '1.0' }));
    // .invalid never resolves (RFC 6761): the same failure a machine offline gets for files.pythonhosted.org.
    const dir = testdir({ 'uv.lock': fixtureUvLock(wheels, { base: 'https://files.lockhouse.invalid' }) });
    const run = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'out'), '--no-cache', '--retries', '0', '--python-platform', 'linux', '--python-version', '3.12']);
    expect(run.code).toBe(1);
    const failed = run.stderr.slice(run.stderr.indexOf('Failed (5):'));
    expect(failed).toMatch(/^Failed \(5\):\n {2}files\.lockhouse\.invalid: 5 files: \[FETCH_NETWORK\] .*ENOTFOUND/);
    expect(failed).toContain('    hint: files.lockhouse.invalid cannot be resolved — offline? use --mirror FROM=TO or --find-links DIR');
    expect(failed.split('\n').filter((line) => line.includes('ENOTFOUND'))).toHaveLength(1);
  });
});
