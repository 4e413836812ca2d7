/**
 * A download stopped part-way is resumed by the next run (issue 17,
 * finding 18), through the real CLI: Ctrl-C during a big throttled
 * download keeps what arrived in DIR/.lockhouse/partial; the re-run asks
 * for the rest with one Range request from the kept size (and If-Range),
 * and the whole file is verified. A server whose file changed, one that
 * ignores Range, and kept bytes corrupted on disk each end with the right
 * file, fetched whole, and never with wrong bytes under a final name.
 *
 * Each test waits for events — bytes the index server has sent, a file on
 * disk — never for time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { formatBytes } from '../../src/report/plan-table.js';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { startLockhouse, type Finished } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
/** 6 MB at 600 KB/s: ten seconds to download whole, so Ctrl-C lands mid-body on any machine. */
const SIZE = 6_000_000;
const THROTTLE = 600_000;
/** The bytes the server must have sent before Ctrl-C. */
const BEFORE_CTRL_C = 700_000;

const big = makeWheel({ name: 'big', version: '1.0', sizeBytes: SIZE });
const small = makeWheel({ name: 'small', version: '1.0', sizeBytes: 20_000 });
/** Another build of big-1.0 under the same file name: the file a server held before it changed. */
const older = makeWheel({ name: 'big', version: '1.0', sizeBytes: SIZE, files: { 'big/_version.txt': 'an older build' } });

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [big, small] });
});
afterAll(async () => {
  await server.close();
});

/** Resolve once `check` holds, looking again whenever the event loop is free: the test waits for the event, not for a time. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 25));
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function project(artifacts: readonly Artifact[] = [big, small]) {
  const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url }) });
  const out = join(dir, 'wheelhouse');
  const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), ...TARGET];
  const partialDir = join(out, '.lockhouse', 'partial');
  return {
    out,
    args,
    partialDir,
    part: join(partialDir, `sha256-${big.sha256}.part`),
    record: join(partialDir, `sha256-${big.sha256}.json`),
    tmp: join(out, '.lockhouse', 'tmp'),
  };
}

/** Start a collect with big's body throttled, Ctrl-C it once the server has sent BEFORE_CTRL_C bytes of it; the run's end. */
async function interrupted(p: ReturnType<typeof project>): Promise<Finished> {
  const path = server.filePath(big.filename);
  server.clearFaults();
  server.resetLog();
  server.fault(path, { throttle: THROTTLE, times: Infinity });
  const run = startLockhouse(p.args);
  await until(() => server.requests.bytes(path) >= BEFORE_CTRL_C);
  run.child.kill('SIGINT');
  const stopped = await run.done;
  server.clearFaults();
  server.resetLog();
  return stopped;
}

/** The requests for big's file since the log was reset. */
const bigRequests = () => server.requests.filter(server.filePath(big.filename));

describe('a download interrupted by Ctrl-C', () => {
  it('keeps what arrived; the re-run asks for the rest with one Range request from the kept size, and the file verifies', async () => {
    const p = project();
    const stopped = await interrupted(p);
    expect(stopped.code, stopped.stderr).toBe(130);

    // Kept: the bytes under a name that is not final, and where they came from (no credentials).
    expect(existsSync(join(p.out, big.filename))).toBe(false);
    const kept = statSync(p.part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(SIZE);
    expect(readFileSync(p.part).equals(big.bytes.subarray(0, kept))).toBe(true);
    const record = JSON.parse(readFileSync(p.record, 'utf8')) as Record<string, unknown>;
    expect(record).toEqual({ url: server.fileUrl(big.filename), size: kept, etag: `"${big.sha256.slice(0, 16)}"`, lastModified: null });
    expect(readdirSync(p.tmp)).toEqual([]);

    const again = await startLockhouse([...p.args, '-v']).done;

    expect(again.code, again.stderr).toBe(0);
    const requests = bigRequests();
    expect(requests.map((r) => [r.headers.range, r.headers['if-range'], r.status])).toEqual([[`bytes=${kept}-`, record.etag, 206]]);
    expect(requests[0]!.bytes).toBe(SIZE - kept);
    expect(sha256(readFileSync(join(p.out, big.filename)))).toBe(big.sha256);
    expect(again.stderr).toContain(`${big.filename}: downloaded from ${server.fileUrl(big.filename)} (resumed from ${kept} bytes)`);
    // Over the network: only what the re-run fetched (the rest of big; small, if Ctrl-C came before it was in place).
    const fetched = SIZE - kept + (server.requests.count(server.filePath(small.filename)) ? small.size : 0);
    expect(again.stderr).toContain(`; ${formatBytes(fetched)} over the network in `);
    expect(readdirSync(p.partialDir)).toEqual([]);
    expect(readdirSync(p.tmp)).toEqual([]);
  });

  it('a server whose file changed meanwhile (another ETag) answers the If-Range request with the whole file, which verifies', async () => {
    const p = project();
    server.add(older);
    onTestFinished(() => void server.add(big));
    const stopped = await interrupted(p);
    expect(stopped.code, stopped.stderr).toBe(130);
    const kept = statSync(p.part).size;
    expect(readFileSync(p.part).equals(older.bytes.subarray(0, kept))).toBe(true);
    server.add(big);

    const again = await startLockhouse(p.args).done;

    expect(again.code, again.stderr).toBe(0);
    const requests = bigRequests();
    expect(requests.map((r) => [r.headers.range, r.headers['if-range'], r.status])).toEqual([[`bytes=${kept}-`, `"${older.sha256.slice(0, 16)}"`, 200]]);
    expect(sha256(readFileSync(join(p.out, big.filename)))).toBe(big.sha256);
    expect(readdirSync(p.partialDir)).toEqual([]);
  });

  it('a server that ignores Range (200) sends the whole file: the kept bytes are dropped, the file verifies', async () => {
    const p = project();
    await interrupted(p);
    const kept = statSync(p.part).size;
    server.fault(server.filePath(big.filename), { ignoreRange: true });

    const again = await startLockhouse(p.args).done;

    expect(again.code, again.stderr).toBe(0);
    const requests = bigRequests();
    expect(requests.map((r) => [r.headers.range, r.status, r.bytes])).toEqual([[`bytes=${kept}-`, 200, SIZE]]);
    expect(sha256(readFileSync(join(p.out, big.filename)))).toBe(big.sha256);
    expect(readdirSync(p.partialDir)).toEqual([]);
  });

  it('kept bytes corrupted on disk: the whole file fails its hash, the partial is dropped and the file fetched again from zero; nothing wrong lands', async () => {
    const p = project();
    await interrupted(p);
    const kept = readFileSync(p.part);
    kept[kept.length >> 1] = kept[kept.length >> 1]! ^ 0xff;
    writeFileSync(p.part, kept);

    const again = await startLockhouse(p.args).done;

    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`${big.filename}: the bytes from ${server.fileUrl(big.filename)} (continuing ${kept.length} bytes an earlier run kept, which are dropped) do not match the lock; trying once more`);
    // One Range request (the resumed try), then the whole file: never a loop of resuming the bad bytes.
    expect(bigRequests().map((r) => [r.headers.range, r.status])).toEqual([
      [`bytes=${kept.length}-`, 206],
      [undefined, 200],
    ]);
    expect(sha256(readFileSync(join(p.out, big.filename)))).toBe(big.sha256);
    expect(readdirSync(p.partialDir)).toEqual([]);
    expect(readdirSync(p.tmp)).toEqual([]);
  });

  it('a network that gives up after the retries (FETCH_NETWORK) leaves what arrived, and the next run continues it', async () => {
    const p = project();
    server.resetLog();
    server.fault(server.filePath(big.filename), { drop: 'mid-body', times: Infinity });
    const failed = await startLockhouse([...p.args, '--retries', '1']).done;
    server.clearFaults();
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain('[FETCH_NETWORK]');
    // Two tries: the second continued the first within the run; both halves are kept.
    expect(bigRequests().map((r) => r.headers.range)).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
    const kept = statSync(p.part).size;
    expect(readFileSync(p.part).equals(big.bytes.subarray(0, kept))).toBe(true);
    server.resetLog();

    const again = await startLockhouse(p.args).done;

    expect(again.code, again.stderr).toBe(0);
    expect(bigRequests().map((r) => [r.headers.range, r.status])).toEqual([[`bytes=${kept}-`, 206]]);
    expect(sha256(readFileSync(join(p.out, big.filename)))).toBe(big.sha256);
    expect(readdirSync(p.partialDir)).toEqual([]);
  });

  it('--offline cannot finish a partial: it stays for the next run, which resumes it', async () => {
    const p = project();
    await interrupted(p);
    const kept = statSync(p.part).size;

    const offline = await startLockhouse([...p.args, '--offline']).done;
    expect(offline.code, offline.stderr).toBe(1);
    expect(offline.stderr).toContain('OFFLINE_MISSING');
    expect(existsSync(join(p.out, big.filename))).toBe(false);
    expect(statSync(p.part).size).toBe(kept);

    const online = await startLockhouse(p.args).done;
    expect(online.code, online.stderr).toBe(0);
    expect(bigRequests().map((r) => r.headers.range)).toEqual([`bytes=${kept}-`]);
    expect(sha256(readFileSync(join(p.out, big.filename)))).toBe(big.sha256);
  });
});
