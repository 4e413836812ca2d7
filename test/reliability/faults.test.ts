/**
 * Each fault of the reliability issue through the real CLI, one at a time:
 * the documented outcome (retried into success, or a clean failure with the
 * right exit code and code), no partial or unverified file under a final
 * name, an empty DIR/.lockhouse/tmp, and a re-run that completes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type FaultSpec, type IndexServer } from '../helpers/index-server.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const victim = makeWheel({ name: 'victim', version: '1.0', sizeBytes: 300_000 });
const bystander = makeWheel({ name: 'bystander', version: '1.0', sizeBytes: 50_000 });
const artifacts: Artifact[] = [victim, bystander];
const fixtures = join(import.meta.dirname, '..', 'io', 'http', 'fixtures');

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server?.close();
});

function setup(base = server.url) {
  const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base }) });
  const out = join(dir, 'wheelhouse');
  /** In-process; with `env`, as a child process (Node reads NODE_EXTRA_CA_CERTS only at start). */
  const collect = async (extra: string[] = [], env?: NodeJS.ProcessEnv) => {
    const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache', '--retries', '2', '--timeout', '1', ...TARGET, '--json', ...extra];
    const run = env ? await startLockhouse(args, env).done.then((done) => ({ ...done, code: done.code ?? -1 })) : await runCli(args);
    return { ...run, manifest: run.stdout ? Manifest.parse(JSON.parse(run.stdout)) : null };
  };
  return { dir, out, collect };
}

function nothingWrong(out: string): void {
  for (const name of existsSync(out) ? readdirSync(out).filter((n) => n.endsWith('.whl')) : []) {
    const expected = artifacts.find((a) => a.filename === name)!.sha256;
    expect(createHash('sha256').update(readFileSync(join(out, name))).digest('hex'), name).toBe(expected);
  }
  const tmp = join(out, '.lockhouse', 'tmp');
  expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
}

/** Fault → survived with 2 retries (one fault), or failed clean (three in a row), with that code and exit. */
const CASES: ReadonlyArray<{ name: string; fault: FaultSpec; code: string; exit: 1 | 3; extra?: readonly string[] }> = [
  { name: 'connection dropped mid-body', fault: { drop: 'mid-body' }, code: 'FETCH_NETWORK', exit: 1 },
  { name: 'connection dropped after 1 000 bytes', fault: { drop: 1000 }, code: 'FETCH_NETWORK', exit: 1 },
  { name: 'burst of 503', fault: { status: 503 }, code: 'FETCH_HTTP_STATUS', exit: 1 },
  { name: '429 with Retry-After', fault: { status: 429, headers: { 'Retry-After': '1' } }, code: 'FETCH_HTTP_STATUS', exit: 1 },
  { name: 'body shorter than its Content-Length', fault: { short: 1000 }, code: 'FETCH_NETWORK', exit: 1 },
  { name: 'right length, wrong bytes', fault: { corrupt: true }, code: 'INTEGRITY_MISMATCH', exit: 3 },
  // A stall that lasts until the client gives up (ten minutes), against a
  // --timeout of 3 s: on a loaded machine a healthy response can be slow to
  // start, but never that slow, so only the stalled one times out.
  { name: 'stalled response', fault: { stall: 600_000 }, code: 'FETCH_TIMEOUT', exit: 1, extra: ['--timeout', '3'] },
];

describe('each fault, through the CLI', () => {
  for (const testCase of CASES) {
    it(`${testCase.name}: once is survived; a persistent one fails cleanly (${testCase.exit}); the re-run completes`, async () => {
      const once = setup();
      server.fault(server.filePath(victim.filename), testCase.fault);
      const survived = await once.collect([...(testCase.extra ?? [])]);
      expect(survived.code, survived.stderr).toBe(0);
      nothingWrong(once.out);
      server.clearFaults();

      const persistent = setup();
      server.fault(server.filePath(victim.filename), { ...testCase.fault, times: Infinity });
      const failed = await persistent.collect([...(testCase.extra ?? [])]);
      server.clearFaults();
      expect(failed.manifest!.failures.map((f) => f.code)).toEqual([testCase.code]);
      expect(failed.code).toBe(testCase.exit);
      expect(existsSync(join(persistent.out, victim.filename))).toBe(false);
      expect(existsSync(join(persistent.out, bystander.filename))).toBe(true);
      nothingWrong(persistent.out);

      const again = await persistent.collect();
      expect(again.code, again.stderr).toBe(0);
      nothingWrong(persistent.out);
      expect(existsSync(join(persistent.out, victim.filename))).toBe(true);
    }, 60_000);
  }

  it('body longer than the file: cut at the size the lock gives, FETCH_TOO_LARGE (exit 1) at once, neither retried nor fetched again; the re-run completes', async () => {
    const p = setup();
    server.resetLog();
    server.fault(server.filePath(victim.filename), { long: 1000 });
    const failed = await p.collect();
    server.clearFaults();
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.manifest!.failures.map((f) => f.code)).toEqual(['FETCH_TOO_LARGE']);
    expect(server.requests.count(server.filePath(victim.filename))).toBe(1);
    expect(existsSync(join(p.out, victim.filename))).toBe(false);
    nothingWrong(p.out);

    const again = await p.collect();
    expect(again.code, again.stderr).toBe(0);
    nothingWrong(p.out);
  });

  it('connection refused: retried, then FETCH_NETWORK (exit 1), nothing written; the re-run through a --mirror completes', async () => {
    const down = await startIndexServer({ artifacts });
    const dead = down.url;
    await down.close();
    const p = setup(dead);
    const refused = await p.collect();
    expect(refused.code).toBe(1);
    expect(new Set(refused.manifest!.failures.map((f) => f.code))).toEqual(new Set(['FETCH_NETWORK']));
    nothingWrong(p.out);
    const again = await p.collect(['--mirror', `${dead}/simple=${server.indexUrl}`]);
    expect(again.code, again.stderr).toBe(0);
    nothingWrong(p.out);
  });

  it('a self-signed TLS server is refused at once (never retried); trusted with SSL_CERT_FILE or NODE_EXTRA_CA_CERTS', async () => {
    const https = createHttpsServer({ key: readFileSync(join(fixtures, 'server.key')), cert: readFileSync(join(fixtures, 'server.pem')), keepAliveTimeout: 10 }, (req, res) => {
      const artifact = artifacts.find((a) => req.url === `/files/${a.filename}`);
      if (!artifact) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Length': artifact.bytes.length }).end(artifact.bytes);
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const port = (https.address() as { port: number }).port;
    try {
      const p = setup(`https://127.0.0.1:${port}`);
      const env = { ...process.env };
      delete env['NODE_EXTRA_CA_CERTS'];
      delete env['SSL_CERT_FILE'];
      const refused = await p.collect([], env);
      expect(refused.code).toBe(1);
      expect(refused.manifest!.failures.every((f) => /certificate|TLS|self-signed|self signed/i.test(f.reason))).toBe(true);
      nothingWrong(p.out);
      expect((await p.collect([], { ...env, SSL_CERT_FILE: join(fixtures, 'ca.pem') })).code).toBe(0);
      const q = setup(`https://127.0.0.1:${port}`);
      expect((await q.collect([], { ...env, NODE_EXTRA_CA_CERTS: join(fixtures, 'ca.pem') })).code).toBe(0);
    } finally {
      await new Promise((resolve) => https.close(resolve));
    }
  });
});
