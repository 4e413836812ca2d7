/**
 * `lockhouse collect` against a real index server on 127.0.0.1 that serves
 * wheels and sdists synthesized for the test: the files equal the plan and
 * their hashes, re-runs and local sources make no requests, faults are
 * survived or reported as DESIGN.md says, and nothing unverified is ever
 * under a final name.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { PlanJsonSchema } from '../../src/report/plan-json.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';

const TARGETS = [
  '--python-platform', 'x86_64-manylinux_2_28',
  '--python-platform', 'aarch64-apple-darwin',
  '--python-platform', 'x86_64-pc-windows-msvc',
  '--python-version', '3.12',
];

const artifacts: Artifact[] = [
  makeWheel({ name: 'pure', version: '1.0' }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64' }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp312-cp312-macosx_11_0_arm64' }),
  makeWheel({ name: 'native', version: '2.0', tags: 'cp312-cp312-win_amd64' }),
  makeSdist({ name: 'native', version: '2.0' }),
  makeWheel({ name: 'big', version: '3.0', sizeBytes: 2_000_000 }),
];
const wheelsInPlan = artifacts.filter((a) => a.kind === 'wheel').map((a) => a.filename).sort();

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server.close();
});

interface Project {
  readonly dir: string;
  readonly lock: string;
  readonly out: string;
  readonly cache: string;
  collect(...flags: string[]): Promise<CliRun>;
}

function project(lockText = fixtureUvLock(artifacts, { base: server.url })): Project {
  const dir = testdir({ 'uv.lock': lockText });
  const lock = join(dir, 'uv.lock');
  const out = join(dir, 'wheelhouse');
  const cache = join(dir, 'cache');
  return {
    dir,
    lock,
    out,
    cache,
    collect: (...flags) => runCli(['collect', '--lock', lock, '-o', out, '--cache-dir', cache, '--retries', '2', '--timeout', '2', ...TARGETS, ...flags]),
  };
}

const filesIn = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== 'lockhouse.json' && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const manifestOf = (out: string): Manifest => Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
const fileRequests = (): number => server.requests.count(/^\/files\//, 'GET');
const byName = (name: string): Artifact => artifacts.find((a) => a.filename === name)!;

describe('collect writes exactly the plan, verified', () => {
  it('collects every target of the plan, once each, with the lock sha256', async () => {
    const p = project();
    server.resetLog();
    const run = await p.collect();
    expect(run.stderr).toContain('Collected 5 files of 3 packages');
    expect(run.code).toBe(0);
    expect(filesIn(p.out)).toEqual(wheelsInPlan);
    for (const name of filesIn(p.out)) expect(sha256Of(join(p.out, name))).toBe(byName(name).sha256);
    // Each file fetched once, whatever number of targets it serves.
    expect(fileRequests()).toBe(5);

    const plan = PlanJsonSchema.parse(JSON.parse((await runCli(['plan', '--lock', p.lock, ...TARGETS, '--json'])).stdout));
    const manifest = manifestOf(p.out);
    expect(manifest.artifacts.map((a) => a.filename)).toEqual(plan.artifacts.map((a) => a.filename!).sort());
    expect(manifest.artifacts.every((a) => a.origin === 'download')).toBe(true);
    expect(manifest.artifacts.find((a) => a.filename.startsWith('pure'))!.targets).toHaveLength(3);
    expect(manifest.failures).toEqual([]);
  });

  it('a re-run over a complete directory makes no request and trusts what it wrote', async () => {
    const p = project();
    expect((await p.collect()).code).toBe(0);
    server.resetLog();
    const again = await p.collect();
    expect(again.code).toBe(0);
    expect(server.requests.length).toBe(0);
    expect(manifestOf(p.out).artifacts.every((a) => a.origin === 'existing')).toBe(true);
  });

  it('a file changed in DIR is noticed (size) and replaced with the right bytes', async () => {
    const p = project();
    await p.collect();
    const pure = join(p.out, 'pure-1.0-py3-none-any.whl');
    writeFileSync(pure, 'tampered');
    server.resetLog();
    expect((await p.collect('--no-cache')).code).toBe(0);
    expect(sha256Of(pure)).toBe(byName('pure-1.0-py3-none-any.whl').sha256);
    expect(fileRequests()).toBe(1);
  });

  it('a warm cache fills an empty directory with no request', async () => {
    const p = project();
    await p.collect();
    const other = join(p.dir, 'second');
    server.resetLog();
    const run = await runCli(['collect', '--lock', p.lock, '-o', other, '--cache-dir', p.cache, ...TARGETS]);
    expect(run.code).toBe(0);
    expect(server.requests.length).toBe(0);
    expect(filesIn(other)).toEqual(wheelsInPlan);
    expect(manifestOf(other).artifacts.every((a) => a.origin === 'cache')).toBe(true);
  });

  it('--find-links fills it with no request (and no cache)', async () => {
    const p = project();
    await p.collect();
    const other = join(p.dir, 'third');
    server.resetLog();
    const run = await runCli(['collect', '--lock', p.lock, '-o', other, '--no-cache', '--find-links', p.out, ...TARGETS]);
    expect(run.code).toBe(0);
    expect(server.requests.length).toBe(0);
    expect(manifestOf(other).artifacts.every((a) => a.origin === 'find-links')).toBe(true);
  });

  it('--offline with a cold cache fails, naming every file it could not find', async () => {
    const p = project();
    server.resetLog();
    const run = await p.collect('--offline');
    expect(run.code).toBe(1);
    expect(server.requests.length).toBe(0);
    for (const name of wheelsInPlan) expect(run.stderr).toContain(name);
    expect(run.stderr).toContain('OFFLINE_MISSING');
    expect(manifestOf(p.out).failures).toHaveLength(5);
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const p = project();
    const run = await p.collect('--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Plan: ');
    expect(existsSync(p.out)).toBe(false);
  });

  it('--json prints the manifest on stdout, and only that', async () => {
    const p = project();
    const run = await p.collect('--json');
    expect(Manifest.parse(JSON.parse(run.stdout)).artifacts).toHaveLength(5);
  });

  it('--clean removes what this collection does not contain', async () => {
    const p = project();
    await p.collect();
    writeFileSync(join(p.out, 'stale-0.1-py3-none-any.whl'), 'old');
    writeFileSync(join(p.out, '.keep'), '');
    await p.collect('--clean');
    expect(filesIn(p.out)).toEqual(wheelsInPlan);
    expect(existsSync(join(p.out, '.keep'))).toBe(true);
  });

  it('a package with no wheel for a target is built from its verified sdist, which stays in the cache', async () => {
    const p = project();
    const musl = ['--python-platform', 'x86_64-unknown-linux-musl', '--python-version', '3.12'];
    server.resetLog();
    const run = await runCli(['collect', '--lock', p.lock, '-o', p.out, '--cache-dir', p.cache, ...musl]);
    expect(run.code).toBe(0);
    expect(server.requests.count('/files/native-2.0.tar.gz')).toBe(1);
    expect(filesIn(p.out)).toContain('native-2.0-py3-none-any.whl');
    expect(filesIn(p.out)).not.toContain('native-2.0.tar.gz');
    const built = manifestOf(p.out).artifacts.find((a) => a.filename === 'native-2.0-py3-none-any.whl')!;
    expect(built).toMatchObject({ kind: 'built-wheel', origin: 'build', builtFrom: { kind: 'sdist', ref: 'native-2.0.tar.gz' } });
    const sha = byName('native-2.0.tar.gz').sha256;
    expect(existsSync(join(p.cache, 'content-v2', 'sha256', sha))).toBe(true);
  });
});

describe('faults', () => {
  it('500, then success', async () => {
    const p = project();
    server.fault('/files/pure-1.0-py3-none-any.whl', { status: 500 });
    const run = await p.collect();
    expect(run.code).toBe(0);
  });

  it('429 with Retry-After is honoured, then success', async () => {
    const p = project();
    server.fault('/files/pure-1.0-py3-none-any.whl', { status: 429, headers: { 'Retry-After': '1' } });
    const started = Date.now();
    const run = await p.collect();
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a connection dropped mid-body is resumed with a Range request, and the file verified', async () => {
    const p = project();
    server.resetLog();
    server.fault('/files/big-3.0-py3-none-any.whl', { drop: 'mid-body' });
    const run = await p.collect();
    expect(run.code).toBe(0);
    const requests = server.requests.filter('/files/big-3.0-py3-none-any.whl');
    expect(requests).toHaveLength(2);
    expect(requests[1]!.headers.range).toMatch(/^bytes=\d+-$/);
    expect(sha256Of(join(p.out, 'big-3.0-py3-none-any.whl'))).toBe(byName('big-3.0-py3-none-any.whl').sha256);
  });

  it('wrong bytes: exit 3, the evidence, and nothing under the final name', async () => {
    const p = project();
    server.fault('/files/pure-1.0-py3-none-any.whl', [{ corrupt: true, times: 2 }]);
    const run = await p.collect('--no-cache');
    expect(run.code).toBe(3);
    const expected = byName('pure-1.0-py3-none-any.whl');
    expect(run.stderr).toContain('INTEGRITY_MISMATCH');
    expect(run.stderr).toContain(`sha256:${expected.sha256}`);
    expect(run.stderr).toContain(server.fileUrl('pure-1.0-py3-none-any.whl'));
    expect(existsSync(join(p.out, 'pure-1.0-py3-none-any.whl'))).toBe(false);
    expect(readdirSync(join(p.out, '.lockhouse', 'tmp'))).toEqual([]);
    // The other files are collected all the same.
    expect(filesIn(p.out)).toHaveLength(4);
  });

  it('a stalled response times out and is tried again', async () => {
    const p = project();
    server.fault('/files/pure-1.0-py3-none-any.whl', { stall: 5_000 });
    const run = await p.collect('--timeout', '0.5');
    expect(run.code).toBe(0);
  });
});

describe('a wrong file under a lock name', () => {
  it('is removed even when the right one cannot be had (offline), so pip never takes it', async () => {
    const p = project();
    await p.collect('--no-cache');
    const pure = join(p.out, 'pure-1.0-py3-none-any.whl');
    writeFileSync(pure, 'not the lock file');
    const run = await p.collect('--offline', '--no-cache');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`removed ${pure.replace(/[.]/g, '\\.')}: its sha256 [0-9a-f]{64} differs from the lock's sha256:`));
    // The failure says what happened, not that the file was never there.
    expect(manifestOf(p.out).failures.map((failure) => failure.reason)).toEqual([expect.stringContaining('DIR held a file of this name with other bytes than the lock says (removed)')]);
    expect(existsSync(pure)).toBe(false);
  });
});
