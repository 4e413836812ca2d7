/**
 * Partial downloads under the harder cases, as real processes (issue 17,
 * finding 18): two collects into one DIR resume one kept partial — one of
 * them does, the other starts from zero, and both end verified; a run
 * killed with SIGKILL leaves a download file labeled with its hash, which
 * the first run after the sweeper's minute takes up as a partial instead
 * of removing it. Every test waits for events (bytes the server sent, a
 * file on disk), never for time; "a minute later" is an mtime set back.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRACE_MS } from '../../src/io/store/sweep.js';
import { makeWheel } from '../helpers/artifacts.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const SIZE = 6_000_000;
const big = makeWheel({ name: 'bigpart', version: '1.0', sizeBytes: SIZE });
const KEY = `sha256-${big.sha256}`;

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [big] });
});
afterAll(async () => {
  await server.close();
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 25));
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function project() {
  const dir = testdir({ 'uv.lock': fixtureUvLock([big], { base: server.url }) });
  const out = join(dir, 'wheelhouse');
  return {
    out,
    args: ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), ...TARGET],
    partialDir: join(out, '.lockhouse', 'partial'),
    tmp: join(out, '.lockhouse', 'tmp'),
  };
}

const path = () => server.filePath(big.filename);

describe('two collects into one DIR with one kept partial', () => {
  it('one resumes it (one Range request), the other starts from zero; both exit 0, the file verifies, nothing is left', async () => {
    const p = project();
    server.clearFaults();
    server.fault(path(), { throttle: 600_000, times: Infinity });
    const first = startLockhouse(p.args);
    await until(() => server.requests.bytes(path()) >= 700_000);
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
    server.clearFaults();
    const kept = statSync(join(p.partialDir, `${KEY}.part`)).size;
    server.resetLog();

    const [a, b] = await Promise.all([startLockhouse(p.args).done, startLockhouse(p.args).done]);

    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const requests = server.requests.filter(path());
    // The claim is one rename: never two resumers of the same bytes.
    expect(requests.filter((r) => r.headers.range !== undefined).map((r) => [r.headers.range, r.status])).toEqual([[`bytes=${kept}-`, 206]]);
    // The other run downloaded it whole, or found it in DIR (or the cache) already.
    expect(requests.filter((r) => r.headers.range === undefined).every((r) => r.status === 200 && r.bytes === SIZE)).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(sha256(readFileSync(join(p.out, big.filename)))).toBe(big.sha256);
    expect(readdirSync(p.partialDir)).toEqual([]);
    expect(readdirSync(p.tmp)).toEqual([]);
  });
});

describe('a collect killed with SIGKILL during a download', () => {
  it('leaves only a download file labeled with its hash; a minute later the next run resumes it with Range, and the file verifies', async () => {
    const p = project();
    server.clearFaults();
    server.fault(path(), { throttle: 600_000, times: Infinity });
    const run = startLockhouse(p.args);
    // The first full write buffer (1 MiB) on disk: bytes a killed writer leaves.
    const labeled = (): string[] => (existsSync(p.tmp) ? readdirSync(p.tmp).filter((name) => name.startsWith(`.${KEY}.`)) : []);
    await until(() => run.child.exitCode !== null || labeled().some((name) => statSync(join(p.tmp, name)).size > 0));
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal, `the run ended before a download file labeled ${KEY} had bytes on disk:\n${killed.stderr}`).toBe('SIGKILL');
    server.clearFaults();

    // Nothing under a final name; the file is named for the hash it must have, and the killed writer's pid.
    expect(existsSync(join(p.out, big.filename))).toBe(false);
    const [name] = labeled();
    expect(name).toMatch(new RegExp(`^\\.${KEY}\\.${run.child.pid}-[A-Za-z0-9_-]+\\.tmp$`));
    const left = join(p.tmp, name!);
    const size = statSync(left).size;
    expect(readFileSync(left).equals(big.bytes.subarray(0, size))).toBe(true);
    // A minute later (the sweeper's grace: a writer in another container may look dead from here).
    const aMinuteAgo = new Date(Date.now() - GRACE_MS - 1_000);
    utimesSync(left, aMinuteAgo, aMinuteAgo);
    server.resetLog();

    const again = await startLockhouse([...p.args, '-v']).done;

    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`kept the download a killed run left as a partial: ${join(p.partialDir, `${KEY}.part`)}`);
    // No record of where those bytes came from: Range without If-Range; the whole file's hash decides.
    expect(server.requests.filter(path()).map((r) => [r.headers.range, r.headers['if-range'], r.status])).toEqual([[`bytes=${size}-`, undefined, 206]]);
    expect(again.stderr).toContain(`(resumed from ${size} bytes)`);
    expect(sha256(readFileSync(join(p.out, big.filename)))).toBe(big.sha256);
    expect(readdirSync(p.partialDir)).toEqual([]);
    expect(readdirSync(p.tmp)).toEqual([]);
  });
});
