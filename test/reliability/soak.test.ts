/**
 * The soak: random faults over a large collection (full: 100 faults over 200
 * artifacts with `npm run soak`; .ci/run: 40 over 80). Every fault the
 * index server can inject — 5xx, 429 with Retry-After, a connection dropped
 * mid-body, a body shorter than its Content-Length or longer than the file
 * (cut at the locked size, and not retried), right length but wrong bytes,
 * a stalled body, a Range request answered whole — lands on
 * a random file, some files taking several; a burst of five 503s outlasts
 * the three retries. Then:
 * - nothing unverified is under a final name, DIR/.lockhouse/tmp is empty;
 * - every file either arrived verified or failed with a documented code;
 * - the faults survived by retry and the clean failures are counted
 *   (console.info, for docs/reliability.md);
 * - a re-run with the faults gone completes, every file verified.
 * The seed is fixed (LOCKHOUSE_SEED replays another).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type FaultSpec, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';
import { FULL, SEED, seeded } from './random.js';

const ARTIFACTS = FULL ? 200 : 80;
const FAULTS = FULL ? 100 : 40;
const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
/** The codes a fault may end in (docs/errors.md); a long body is cut at the locked size: FETCH_TOO_LARGE, never retried. */
const DOCUMENTED = new Set([
  'INTEGRITY_MISMATCH',
  'FETCH_HTTP_STATUS',
  'FETCH_TIMEOUT',
  'FETCH_NETWORK',
  'FETCH_BODY_TOO_LONG',
  'FETCH_BAD_RESPONSE',
  'FETCH_TOO_LARGE',
  'FETCH_TOO_SLOW',
]);

const random = seeded(SEED);
const artifacts: Artifact[] = Array.from({ length: ARTIFACTS }, (_, i) =>
  makeWheel({ name: `soak${String(i).padStart(3, '0')}`, version: '1.0', sizeBytes: 2_000 + random.int(i % 10 === 0 ? 2_000_000 : 200_000) }),
);
const sha = new Map(artifacts.map((a) => [a.filename, a.sha256]));

const KINDS: ReadonlyArray<readonly [string, () => FaultSpec]> = [
  ['500', () => ({ status: 500 })],
  ['502', () => ({ status: 502 })],
  ['503', () => ({ status: 503 })],
  ['burst of 5 × 503 (more than --retries 3)', () => ({ status: 503, times: 5 })],
  ['429 Retry-After: 0', () => ({ status: 429, headers: { 'Retry-After': '0' } })],
  ['dropped mid-body', () => ({ drop: 'mid-body' })],
  ['short body', () => ({ short: 100 })],
  ['long body', () => ({ long: 100 })],
  ['wrong bytes', () => ({ corrupt: true })],
  // Until the client gives up (--timeout 1): the stall ends when the connection closes.
  ['stalled body', () => ({ stall: 60_000 })],
  ['Range answered whole', () => ({ ignoreRange: true })],
];

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server?.close();
});

describe(`soak: ${FAULTS} random faults over ${ARTIFACTS} artifacts (seed ${SEED}${FULL ? ', full' : ', short form; npm run soak for the full one'})`, () => {
  it('survives what retries can, fails the rest cleanly, and a re-run completes', { timeout: 600_000 }, async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url }) });
    const out = join(dir, 'wheelhouse');
    /** filename → the faults queued for it, in order. */
    const planned = new Map<string, string[]>();
    for (let i = 0; i < FAULTS; i++) {
      const artifact = random.pick(artifacts);
      const [kind, make] = random.pick(KINDS);
      server.fault(server.filePath(artifact.filename), make());
      planned.set(artifact.filename, [...(planned.get(artifact.filename) ?? []), kind]);
    }

    const first = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache', '--retries', '3', '--timeout', '1', ...TARGET, '--json']);
    expect([0, 1, 3]).toContain(first.code);
    const manifest = Manifest.parse(JSON.parse(first.stdout));

    // Under a final name: only the lock's bytes. Nothing left in tmp.
    const finals = readdirSync(out).filter((name) => name.endsWith('.whl'));
    for (const name of finals) expect(createHash('sha256').update(readFileSync(join(out, name))).digest('hex'), name).toBe(sha.get(name));
    expect(existsSync(join(out, '.lockhouse', 'tmp')) ? readdirSync(join(out, '.lockhouse', 'tmp')) : []).toEqual([]);

    const failed = new Map(manifest.failures.map((f) => [f.filename!, f]));
    for (const failure of manifest.failures) expect(DOCUMENTED, `${failure.filename}: ${failure.code} ${failure.reason}`).toContain(failure.code);
    expect(manifest.artifacts.length + failed.size).toBe(ARTIFACTS);
    if (manifest.failures.some((f) => f.code === 'INTEGRITY_MISMATCH')) expect(first.code).toBe(3);

    let survived = 0;
    let failedCleanly = 0;
    const byKind = new Map<string, { survived: number; failed: number }>();
    for (const [filename, kinds] of planned) {
      const ok = !failed.has(filename);
      if (ok) survived += kinds.length;
      else failedCleanly += 1;
      for (const kind of kinds) {
        const counts = byKind.get(kind) ?? { survived: 0, failed: 0 };
        if (ok) counts.survived += 1;
        else counts.failed += 1;
        byKind.set(kind, counts);
      }
    }
    console.info(
      `soak (seed ${SEED}): ${FAULTS} faults on ${planned.size} of ${ARTIFACTS} files; ${survived} faults survived by retry; ` +
        `${failedCleanly} files failed cleanly (${[...new Set(manifest.failures.map((f) => f.code))].join(', ') || 'none'}); exit ${first.code}\n` +
        [...byKind].map(([kind, counts]) => `  ${kind}: ${counts.survived} survived, ${counts.failed} on files that failed`).join('\n'),
    );

    // The faults gone, a re-run completes: every file there and verified.
    server.clearFaults();
    const again = await runCli(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache', '--verify', ...TARGET, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const complete = Manifest.parse(JSON.parse(again.stdout));
    expect(complete.artifacts).toHaveLength(ARTIFACTS);
    for (const artifact of artifacts) {
      expect(createHash('sha256').update(readFileSync(join(out, artifact.filename))).digest('hex')).toBe(artifact.sha256);
    }
    expect(readdirSync(join(out, '.lockhouse', 'tmp'))).toEqual([]);
    console.info(`soak re-run: ${complete.artifacts.length} files, every one verified; exit ${again.code}`);
  });
});
