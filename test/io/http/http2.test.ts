/**
 * HTTP/2 where a TLS server offers it: a real nginx with `listen … ssl
 * http2` (the test CA's certificate for 127.0.0.1, fixtures/), a collect of
 * many files from it, every file verified against the lock, and nginx's own
 * log saying which protocol each request came over. LOCKHOUSE_HTTP2=0 keeps
 * HTTP/1.1.
 *
 * Skipped, saying why, without nginx or without nginx's HTTP/2 module.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { findOrInstallNginx, startNginx, type NginxServer } from '../../helpers/nginx.js';
import { freePort } from '../../helpers/ports.js';
import { tomlString } from '../../helpers/toml.js';
import { removeFolder, tempFolder, testdir } from '../../helpers/testdir.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const found = await findOrInstallNginx();
const modules = 'nginx' in found ? spawnSync(found.nginx, ['-V'], { encoding: 'utf8' }).stderr : '';
const why = 'missing' in found ? found.missing : !/--with-http_v2_module/.test(modules) ? `${found.nginx} has no HTTP/2 module (nginx -V lists no --with-http_v2_module)` : !/--with-http_ssl_module/.test(modules) ? `${found.nginx} has no TLS module` : null;
if (why) console.warn(`lockhouse tests: ${why}; the HTTP/2 tests are skipped`);

/** Enough files that several downloads share the connection at once. */
const FILES = Array.from({ length: 24 }, (_, i) => {
  const name = `h2pkg${String(i).padStart(2, '0')}`;
  const bytes = randomBytes(20_000 + i * 3_000);
  return { name, filename: `${name}-1.0-py3-none-any.whl`, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
});

describe.skipIf(why !== null)('HTTP/2 over TLS (nginx)', () => {
  let site: string;
  let server: NginxServer;
  let origin: string;
  let protocolLog: string;

  beforeAll(async () => {
    site = tempFolder();
    const root = join(site, 'root');
    const work = join(site, 'nginx');
    mkdirSync(join(root, 'files'), { recursive: true });
    mkdirSync(work);
    for (const file of FILES) writeFileSync(join(root, 'files', file.filename), file.bytes);
    const tlsPort = await freePort();
    protocolLog = join(work, 'protocol.log');
    server = await startNginx({
      nginx: (found as { nginx: string }).nginx,
      root,
      workDir: work,
      // A plain server on the port the helper probes for readiness, and the TLS one the tests use.
      serverConfig: (port) =>
        [
          'default_type application/octet-stream;',
          "log_format protocol '$server_protocol $status $request_uri';",
          `server { listen 127.0.0.1:${port}; root ${root}; }`,
          'server {',
          `  listen 127.0.0.1:${tlsPort} ssl http2;`,
          `  ssl_certificate ${join(fixtures, 'server.pem')};`,
          `  ssl_certificate_key ${join(fixtures, 'server.key')};`,
          `  root ${root};`,
          `  access_log ${protocolLog} protocol;`,
          '}',
        ].join('\n'),
    });
    origin = `https://127.0.0.1:${tlsPort}`;
  });

  afterAll(async () => {
    await server?.stop();
    removeFolder(site);
  });

  /** A pylock naming every file on the TLS server; `wrong` gets another file's sha256. */
  function lockFile(dir: string, wrong?: string): string {
    const packages = FILES.map((file) =>
      [
        '[[packages]]',
        `name = ${tomlString(file.name)}`,
        'version = "1.0"',
        `wheels = [{ name = ${tomlString(file.filename)}, url = ${tomlString(`${origin}/files/${file.filename}`)}, size = ${file.bytes.length}, hashes = { sha256 = ${tomlString(file.filename === wrong ? FILES[0]!.sha256 : file.sha256)} } }]`,
        '',
      ].join('\n'),
    );
    const path = join(dir, 'pylock.toml');
    writeFileSync(path, ['lock-version = "1.0"', 'created-by = "lockhouse tests"', 'requires-python = ">=3.8"', '', ...packages].join('\n'));
    return path;
  }

  function protocolsSince(lines: number): string[] {
    const log = existsSync(protocolLog) ? readFileSync(protocolLog, 'utf8').split('\n').filter(Boolean) : [];
    return log.slice(lines);
  }

  async function collect(dir: string, env: Record<string, string>): Promise<{ code: number; stderr: string; requests: string[] }> {
    const before = protocolsSince(0).length;
    vi.stubEnv('SSL_CERT_FILE', join(fixtures, 'ca.pem'));
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    try {
      const run = await runCli(['collect', '--lock', join(dir, 'pylock.toml'), '-o', join(dir, 'out'), '--no-cache', '--retries', '0', '--python-platform', 'linux', '--python-version', '3.12', '-q']);
      return { code: run.code, stderr: run.stderr, requests: protocolsSince(before) };
    } finally {
      vi.unstubAllEnvs();
    }
  }

  it('collects over HTTP/2 where the server offers it, every file verified', async () => {
    const dir = testdir();
    lockFile(dir);

    const run = await collect(dir, {});

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const file of FILES) {
      expect(createHash('sha256').update(readFileSync(join(dir, 'out', file.filename))).digest('hex'), file.filename).toBe(file.sha256);
    }
    expect(run.requests).toHaveLength(FILES.length);
    expect(new Set(run.requests.map((line) => line.split(' ')[0]))).toEqual(new Set(['HTTP/2.0']));
  });

  it('over HTTP/2 too, bytes that do not match the lock never land', async () => {
    const dir = testdir();
    const wrong = FILES[5]!.filename;
    lockFile(dir, wrong);

    const run = await collect(dir, {});

    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/INTEGRITY_MISMATCH/);
    expect(existsSync(join(dir, 'out', wrong))).toBe(false);
    expect(existsSync(join(dir, 'out', FILES[6]!.filename))).toBe(true);
    expect(run.requests.every((line) => line.startsWith('HTTP/2.0 '))).toBe(true);
  });

  it('keeps HTTP/1.1 with LOCKHOUSE_HTTP2=0', async () => {
    const dir = testdir();
    lockFile(dir);

    const run = await collect(dir, { LOCKHOUSE_HTTP2: '0' });

    expect(run.code).toBe(0);
    expect(run.requests).toHaveLength(FILES.length);
    expect(new Set(run.requests.map((line) => line.split(' ')[0]))).toEqual(new Set(['HTTP/1.1']));
  });
});
