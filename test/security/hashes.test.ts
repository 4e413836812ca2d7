/**
 * Weak and missing hashes (DESIGN.md "Trust and safety", docs/collect.md
 * "Integrity"): a lock that gives only md5 or sha1 for a file is refused
 * (HASH_WEAK) unless --allow-weak-hashes, one with no hash (HASH_MISSING)
 * unless --allow-unhashed, each flag covering only its own case; refused
 * files are never requested and never written, the rest is collected
 * (exit 1). With --allow-weak-hashes the weak hash is still checked: bytes
 * that do not match are INTEGRITY_MISMATCH (exit 3), wherever they come from
 * (the network, DIR itself, --find-links), and a strong hash beside a weak
 * one decides alone. For uv.lock (`hash = "md5:…"`) and pylock.toml
 * (`hashes = { md5 = … }`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';
import { hostileCounter, LOCK_FORMATS, lockWithGood, type LockFormat } from './helpers.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const counter = hostileCounter('hashes');

const good = makeWheel({ name: 'good', version: '1.0' });
const weak = makeWheel({ name: 'weak', version: '1.0' });
const digest = (algorithm: string, artifact: Artifact): string => createHash(algorithm).update(artifact.bytes).digest('hex');
/** A digest of the right length that is not the file's. */
const wrong = (algorithm: string): string => createHash(algorithm).update('not the file').digest('hex');

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [good, weak] });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.resetLog();
  server.clearFaults();
});

/** How the lock hashes `weak`'s wheel: algorithm → hex digest (uv.lock takes one). */
type Hashes = Record<string, string>;

function lockText(format: LockFormat, hashes: Hashes): string {
  const url = (artifact: Artifact): string => server.fileUrl(artifact.filename);
  let body: string;
  if (format === 'uv.lock') {
    const entries = Object.entries(hashes);
    if (entries.length > 1) throw new Error('uv.lock gives one hash per file');
    const hash = entries.length ? `, hash = "${entries[0]![0]}:${entries[0]![1]}"` : '';
    body = `source = { registry = "${server.indexUrl}" }\nwheels = [{ url = "${url(weak)}"${hash} }]`;
  } else {
    const table = `{ ${Object.entries(hashes).map(([algorithm, hex]) => `${algorithm} = "${hex}"`).join(', ')} }`;
    body = `index = "${server.indexUrl}"\nwheels = [{ url = "${url(weak)}", hashes = ${table} }]`;
  }
  return lockWithGood(format, { index: server.indexUrl, good, goodUrl: url(good), name: 'weak', body });
}

interface Project {
  readonly root: string;
  readonly out: string;
  collect(...flags: string[]): Promise<CliRun>;
  manifest(): { artifacts: Array<{ filename: string; sha256: string; origin: string }>; failures: Array<{ code: string; package: string; filename: string; reason: string }> };
}

function project(format: LockFormat, hashes: Hashes): Project {
  const root = testdir({ [format]: lockText(format, hashes) });
  const out = join(root, 'out');
  return {
    root,
    out,
    collect: (...flags) => runCli(['collect', '--lock', join(root, format), '-o', out, '--no-cache', '--retries', '0', ...TARGET, ...flags]),
    manifest: () => JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')),
  };
}

const weakPath = `/files/${weak.filename}`;
const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('refused without the flag that covers the case: exit 1, never requested, never written', () => {
  const cases: Array<{ label: string; formats: readonly LockFormat[]; hashes: () => Hashes; flags: string[]; code: 'HASH_WEAK' | 'HASH_MISSING'; reason: RegExp }> = [
    { label: 'md5 only', formats: LOCK_FORMATS, hashes: () => ({ md5: digest('md5', weak) }), flags: [], code: 'HASH_WEAK', reason: /only a md5 hash.*--allow-weak-hashes/ },
    { label: 'sha1 only', formats: LOCK_FORMATS, hashes: () => ({ sha1: digest('sha1', weak) }), flags: [], code: 'HASH_WEAK', reason: /only a sha1 hash.*--allow-weak-hashes/ },
    { label: 'MD5 (upper case) only', formats: LOCK_FORMATS, hashes: () => ({ MD5: digest('md5', weak).toUpperCase() }), flags: [], code: 'HASH_WEAK', reason: /only a md5 hash/ },
    { label: 'md5 and sha1 only', formats: ['pylock.toml'], hashes: () => ({ md5: digest('md5', weak), sha1: digest('sha1', weak) }), flags: [], code: 'HASH_WEAK', reason: /only a sha1 hash/ },
    { label: 'no hash', formats: LOCK_FORMATS, hashes: () => ({}), flags: [], code: 'HASH_MISSING', reason: /no hash.*--allow-unhashed/ },
    { label: 'an algorithm lockhouse does not know only (blake2b)', formats: LOCK_FORMATS, hashes: () => ({ blake2b: createHash('blake2b512').update(weak.bytes).digest('hex') }), flags: [], code: 'HASH_MISSING', reason: /no hash/ },
    { label: 'md5 only, with --allow-unhashed (the wrong flag)', formats: LOCK_FORMATS, hashes: () => ({ md5: digest('md5', weak) }), flags: ['--allow-unhashed'], code: 'HASH_WEAK', reason: /--allow-weak-hashes/ },
    { label: 'no hash, with --allow-weak-hashes (the wrong flag)', formats: LOCK_FORMATS, hashes: () => ({}), flags: ['--allow-weak-hashes'], code: 'HASH_MISSING', reason: /--allow-unhashed/ },
  ];

  it.each(cases.flatMap((c) => c.formats.map((format) => ({ ...c, format, name: `${c.label} (${format})` }))))('$name', async ({ format, hashes, flags, code, reason }) => {
    counter.add();
    const p = project(format, hashes());
    const run = await p.collect(...flags);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`weak 1.0 ${weak.filename}: [${code}]`);
    expect(server.requests.count(weakPath)).toBe(0);
    expect(existsSync(join(p.out, weak.filename))).toBe(false);
    // The rest is collected, and the manifest says why this one is not.
    expect(existsSync(join(p.out, good.filename))).toBe(true);
    const failure = p.manifest().failures.find((f) => f.filename === weak.filename)!;
    expect(failure).toMatchObject({ code, package: 'weak' });
    expect(failure.reason).toMatch(reason);
  });
});

describe('accepted with the flag, and still checked', () => {
  it.each(
    LOCK_FORMATS.flatMap((format) => [
      { format, label: 'md5', hashes: { md5: digest('md5', weak) }, flags: ['--allow-weak-hashes'] },
      { format, label: 'sha1', hashes: { sha1: digest('sha1', weak) }, flags: ['--allow-weak-hashes'] },
      { format, label: 'no hash', hashes: {}, flags: ['--allow-unhashed'] },
    ]),
  )('$label with $flags ($format): collected, the manifest has its sha256', async ({ format, hashes, flags }) => {
    counter.add();
    const p = project(format, hashes);
    const run = await p.collect(...flags);
    expect(run.code, run.stderr).toBe(0);
    expect(sha256Of(join(p.out, weak.filename))).toBe(weak.sha256);
    expect(p.manifest().artifacts.find((a) => a.filename === weak.filename)).toMatchObject({ sha256: weak.sha256, origin: 'download' });
  });

  it.each(
    LOCK_FORMATS.flatMap((format) => [
      { format, label: 'a wrong md5', hashes: { md5: wrong('md5') } },
      { format, label: 'a wrong sha1', hashes: { sha1: wrong('sha1') } },
    ]),
  )('$label with --allow-weak-hashes ($format): INTEGRITY_MISMATCH, exit 3, tried once more, nothing written', async ({ format, hashes }) => {
    counter.add();
    const p = project(format, hashes);
    const run = await p.collect('--allow-weak-hashes');
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain(`weak 1.0 ${weak.filename}: [INTEGRITY_MISMATCH]`);
    expect(run.stderr).toContain(Object.values(hashes)[0]);
    expect(server.requests.count(weakPath)).toBe(2);
    expect(existsSync(join(p.out, weak.filename))).toBe(false);
    expect(existsSync(join(p.out, good.filename))).toBe(true);
  });

  it('a strong hash beside a weak one decides alone: a wrong md5 beside the right sha256 is collected', async () => {
    counter.add();
    const p = project('pylock.toml', { md5: wrong('md5'), sha256: weak.sha256 });
    const run = await p.collect();
    expect(run.code, run.stderr).toBe(0);
    expect(sha256Of(join(p.out, weak.filename))).toBe(weak.sha256);
  });

  it('…and a right md5 never rescues a wrong sha256, even with --allow-weak-hashes', async () => {
    counter.add();
    const p = project('pylock.toml', { md5: digest('md5', weak), sha256: wrong('sha256') });
    const run = await p.collect('--allow-weak-hashes');
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('[INTEGRITY_MISMATCH]');
    expect(existsSync(join(p.out, weak.filename))).toBe(false);
  });

  it.each(LOCK_FORMATS)('with --allow-weak-hashes, a file already in DIR is checked against the weak hash: altered bytes are replaced (%s)', async (format) => {
    counter.add();
    const p = project(format, { md5: digest('md5', weak) });
    expect((await p.collect('--allow-weak-hashes')).code).toBe(0);
    const path = join(p.out, weak.filename);
    writeFileSync(path, Buffer.alloc(weak.size, 0x41)); // other bytes, same size
    server.resetLog();
    const again = await p.collect('--allow-weak-hashes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/removed \S+: its sha256 [0-9a-f]{64} differs from the lock's md5:/);
    expect(sha256Of(path)).toBe(weak.sha256);
    expect(server.requests.count(weakPath)).toBe(1);
  });

  it.each(LOCK_FORMATS)('with --allow-weak-hashes, a --find-links copy with other bytes is passed over (%s)', async (format) => {
    counter.add();
    const p = project(format, { sha1: digest('sha1', weak) });
    const links = join(p.root, 'links');
    mkdirSync(links);
    writeFileSync(join(links, weak.filename), Buffer.alloc(weak.size, 0x42));
    const run = await p.collect('--allow-weak-hashes', '--find-links', links);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/does not match the lock's \S+; passed over/);
    expect(sha256Of(join(p.out, weak.filename))).toBe(weak.sha256);
    expect(server.requests.count(weakPath)).toBe(1);
  });

  it('with --allow-unhashed, a file already in DIR is taken as it is (there is nothing to check it against)', async () => {
    const p = project('uv.lock', {});
    expect((await p.collect('--allow-unhashed')).code).toBe(0);
    writeFileSync(join(p.out, weak.filename), 'anything');
    server.resetLog();
    const again = await p.collect('--allow-unhashed');
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(p.out, weak.filename), 'utf8')).toBe('anything');
    expect(server.requests.count(weakPath)).toBe(0);
  });
});
