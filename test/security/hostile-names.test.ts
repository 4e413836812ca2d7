/**
 * Hostile file names and URLs in a lock (DESIGN.md "Trust and safety"):
 * path separators, `..`, absolute paths, percent-encoded traversal, NUL and
 * other control characters, a wheel named for another package. Each is
 * refused through the real CLI, for uv.lock and pylock.toml alike, before
 * anything is fetched or written: exit 2, the code docs/errors.md gives, a
 * message that names the package and carries no raw control character (a
 * name is never a way to forge terminal output), no request to the index,
 * and nothing changed anywhere in the folder tree around DIR.
 *
 * The variants lockhouse accepts by design are pinned too: a
 * percent-encoded `+` of a local version, dot segments in a URL (URL
 * semantics, not a file path), a pylock `name` / uv.lock `filename` that
 * differs from the URL's last segment, an sdist named for another project
 * (uv does not check that either), bytes that do not decode as UTF-8.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { fixturePylock, fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { testdir } from '../helpers/testdir.js';
import { tomlString as q } from '../helpers/toml.js';
import { changes, controlCharIn, hostileCounter, LOCK_FORMATS, lockWithGood, outside, snapshot, type LockFormat } from './helpers.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const counter = hostileCounter('hostile-names');

const good = makeWheel({ name: 'good', version: '1.0' });
const pkg = makeWheel({ name: 'pkg', version: '1.0' });
const pkgSdist = makeSdist({ name: 'pkg', version: '1.0' });
const pkgLocal = makeWheel({ name: 'pkg', version: '1.0+local' });
const otherSdist = makeSdist({ name: 'other', version: '1.0' });

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [good, pkg, pkgSdist, pkgLocal, otherSdist] });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.resetLog();
  server.clearFaults();
});

interface Ctx {
  /** The index server's base URL. */
  readonly base: string;
  /** An absolute path outside DIR, inside the snapshot. */
  readonly outside: string;
}

const sha = (artifact: Artifact): string => artifact.sha256;
const url = (ctx: Ctx, segment: string): string => `${ctx.base}/files/${segment}`;
const fileOf = (ctx: Ctx, artifact: Artifact): string => url(ctx, encodeURIComponent(artifact.filename));

/** The body of package `pkg`'s table (after name and version), in each format's spelling. */
const spell = {
  /** uv.lock: a registry wheel whose `filename` field is `name`. */
  uvWheelNamed: (name: string) => (ctx: Ctx) =>
    `source = { registry = ${q(`${ctx.base}/simple`)} }\nwheels = [{ url = ${q(fileOf(ctx, pkg))}, filename = ${q(name)}, hash = "sha256:${sha(pkg)}" }]`,
  /** uv.lock: a registry wheel whose URL ends in `segment` (as written: percent escapes are the test's). */
  uvWheelUrl: (segment: string) => (ctx: Ctx) =>
    `source = { registry = ${q(`${ctx.base}/simple`)} }\nwheels = [{ url = ${q(url(ctx, segment))}, hash = "sha256:${sha(pkg)}" }]`,
  uvSdistUrl: (segment: string) => (ctx: Ctx) =>
    `source = { registry = ${q(`${ctx.base}/simple`)} }\nsdist = { url = ${q(url(ctx, segment))}, hash = "sha256:${sha(pkgSdist)}" }`,
  /** uv.lock: a direct-URL package (any archive name is allowed there, if it is a plain one). */
  uvArchiveUrl: (segment: string) => (ctx: Ctx) => `source = { url = ${q(url(ctx, segment))} }\nsdist = { hash = "sha256:${sha(pkgSdist)}" }`,
  pyWheelNamed: (name: string) => (ctx: Ctx) =>
    `index = ${q(`${ctx.base}/simple`)}\nwheels = [{ name = ${q(name)}, url = ${q(fileOf(ctx, pkg))}, hashes = { sha256 = "${sha(pkg)}" } }]`,
  pyWheelUrl: (segment: string) => (ctx: Ctx) =>
    `index = ${q(`${ctx.base}/simple`)}\nwheels = [{ url = ${q(url(ctx, segment))}, hashes = { sha256 = "${sha(pkg)}" } }]`,
  pySdistNamed: (name: string) => (ctx: Ctx) =>
    `index = ${q(`${ctx.base}/simple`)}\nsdist = { name = ${q(name)}, url = ${q(fileOf(ctx, pkgSdist))}, hashes = { sha256 = "${sha(pkgSdist)}" } }`,
  pyArchiveUrl: (segment: string) => (ctx: Ctx) => `archive = { url = ${q(url(ctx, segment))}, hashes = { sha256 = "${sha(pkgSdist)}" } }`,
};

/** A lock of `good` (a sound wheel) and `pkg`, whose table body is the test's. */
function lockText(format: LockFormat, ctx: Ctx, pkgBody: string): string {
  return lockWithGood(format, { index: `${ctx.base}/simple`, good, goodUrl: fileOf(ctx, good), name: 'pkg', body: pkgBody });
}

interface Project {
  readonly root: string;
  readonly lock: string;
  readonly out: string;
  readonly ctx: Ctx;
  collect(...flags: string[]): Promise<CliRun>;
}

/** A folder holding the lock, DIR (`out`), the cache and an `outside` folder with a file that must never change. */
function project(format: LockFormat, lock: (ctx: Ctx) => string): Project {
  const root = testdir();
  const outside = join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim.txt'), 'must not change\n');
  // An old mtime: a write through a link would show even within the same second.
  utimesSync(join(outside, 'victim.txt'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
  const ctx: Ctx = { base: server.url, outside };
  const lockPath = join(root, format);
  writeFileSync(lockPath, lock(ctx));
  const out = join(root, 'out');
  return {
    root,
    lock: lockPath,
    out,
    ctx,
    collect: (...flags) => runCli(['collect', '--lock', lockPath, '-o', out, '--cache-dir', join(root, 'cache'), '--retries', '0', ...TARGET, ...flags]),
  };
}

/** Regular files under `dir`, recursively, '/'-separated. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

interface Refusal {
  readonly id: string;
  /** What the lock says, for the table in docs/reliability.md. */
  readonly what: string;
  readonly uv?: (ctx: Ctx) => string;
  readonly pylock?: (ctx: Ctx) => string;
  readonly code: 'LOCK_INVALID_FILENAME' | 'OUTPUT_UNSAFE_PATH';
  /** The reason the message gives. */
  readonly why: string;
  /** Flags (sdists are collected unbuilt: no build is needed to see the refusal). */
  readonly flags?: readonly string[];
}

const WHEEL = 'pkg-1.0-py3-none-any.whl';
const SDIST_FLAGS = ['--no-build', '--sdist'];

const REFUSALS: readonly Refusal[] = [
  // A name given as such: uv.lock's `filename`, pylock's `name`.
  {
    id: 'dotdot-name',
    what: `name "../outside/${WHEEL}"`,
    uv: spell.uvWheelNamed(`../outside/${WHEEL}`),
    pylock: spell.pyWheelNamed(`../outside/${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
  },
  {
    id: 'absolute-name',
    what: `name "<abs>/outside/${WHEEL}"`,
    uv: (ctx) => spell.uvWheelNamed(`${ctx.outside}/${WHEEL}`)(ctx),
    pylock: (ctx) => spell.pyWheelNamed(`${ctx.outside}/${WHEEL}`)(ctx),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
  },
  {
    id: 'etc-name',
    what: `name "/etc/${WHEEL}"`,
    uv: spell.uvWheelNamed(`/etc/${WHEEL}`),
    pylock: spell.pyWheelNamed(`/etc/${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
  },
  {
    id: 'subdir-name',
    what: `name "a/${WHEEL}"`,
    uv: spell.uvWheelNamed(`a/${WHEEL}`),
    pylock: spell.pyWheelNamed(`a/${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
  },
  {
    id: 'backslash-name',
    what: `name "..\\\\outside\\\\${WHEEL}"`,
    uv: spell.uvWheelNamed(`..\\outside\\${WHEEL}`),
    pylock: spell.pyWheelNamed(`..\\outside\\${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "\\"',
  },
  {
    id: 'bare-dotdot-name',
    what: 'name ".."',
    uv: spell.uvWheelNamed('..'),
    pylock: spell.pyWheelNamed('..'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain ".."',
  },
  {
    id: 'nul-name',
    what: `name "pkg-1.0-py3-none-any.whl\\u0000.txt"`,
    uv: spell.uvWheelNamed(`${WHEEL}\u0000.txt`),
    pylock: spell.pyWheelNamed(`${WHEEL}\u0000.txt`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'newline-name',
    what: 'name "pkg-1.0-py3-none-any.whl\\nerror[INTEGRITY_MISMATCH]: forged line"',
    uv: spell.uvWheelNamed(`${WHEEL}\nerror[INTEGRITY_MISMATCH]: forged line`),
    pylock: spell.pyWheelNamed(`${WHEEL}\nerror[INTEGRITY_MISMATCH]: forged line`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'cr-name',
    what: 'name "pkg-1.0-py3-none-any.whl\\rCollected 9 files"',
    uv: spell.uvWheelNamed(`${WHEEL}\rCollected 9 files`),
    pylock: spell.pyWheelNamed(`${WHEEL}\rCollected 9 files`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'esc-name',
    what: 'name "pkg-1.0-py3-none-any\\u001b[2J\\u001b[31m.whl"',
    uv: spell.uvWheelNamed('pkg-1.0-py3-none-any\u001b[2J\u001b[31m.whl'),
    pylock: spell.pyWheelNamed('pkg-1.0-py3-none-any\u001b[2J\u001b[31m.whl'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'del-name',
    what: 'name "pkg-1.0-py3-none-any\\u007f.whl"',
    uv: spell.uvWheelNamed('pkg-1.0-py3-none-any\u007f.whl'),
    pylock: spell.pyWheelNamed('pkg-1.0-py3-none-any\u007f.whl'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'c1-csi-name',
    what: 'name "pkg-1.0-py3-none-any\\u009b31m.whl" (C1 CSI)',
    uv: spell.uvWheelNamed('pkg-1.0-py3-none-any\u009b31m.whl'),
    pylock: spell.pyWheelNamed('pkg-1.0-py3-none-any\u009b31m.whl'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'other-package',
    what: 'name "other-1.0-py3-none-any.whl" for package pkg',
    uv: spell.uvWheelNamed('other-1.0-py3-none-any.whl'),
    pylock: spell.pyWheelNamed('other-1.0-py3-none-any.whl'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'does not match the package name "pkg"',
  },
  {
    id: 'other-version',
    what: 'name "pkg-6.6.6-py3-none-any.whl" for pkg 1.0',
    uv: spell.uvWheelNamed('pkg-6.6.6-py3-none-any.whl'),
    pylock: spell.pyWheelNamed('pkg-6.6.6-py3-none-any.whl'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'does not match the package version 1.0',
  },
  // The name taken from a URL's last segment, percent-decoded once.
  {
    id: 'url-encoded-dotdot',
    what: `URL …/files/%2e%2e%2f%2e%2e%2foutside%2f${WHEEL}`,
    uv: spell.uvWheelUrl(`%2e%2e%2f%2e%2e%2foutside%2f${WHEEL}`),
    pylock: spell.pyWheelUrl(`%2e%2e%2f%2e%2e%2foutside%2f${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
  },
  {
    id: 'url-encoded-slash',
    what: `URL …/files/..%2F${WHEEL}`,
    uv: spell.uvWheelUrl(`..%2F${WHEEL}`),
    pylock: spell.pyWheelUrl(`..%2F${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
  },
  {
    id: 'url-encoded-absolute',
    what: `URL …/files/%2Ftmp%2F${WHEEL}`,
    uv: spell.uvWheelUrl(`%2Ftmp%2F${WHEEL}`),
    pylock: spell.pyWheelUrl(`%2Ftmp%2F${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
  },
  {
    id: 'url-encoded-backslash',
    what: `URL …/files/..%5C${WHEEL}`,
    uv: spell.uvWheelUrl(`..%5C${WHEEL}`),
    pylock: spell.pyWheelUrl(`..%5C${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "\\"',
  },
  {
    id: 'url-double-encoded',
    what: `URL …/files/%252e%252e%252f${WHEEL} (decoded once only)`,
    uv: spell.uvWheelUrl(`%252e%252e%252f${WHEEL}`),
    pylock: spell.pyWheelUrl(`%252e%252e%252f${WHEEL}`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'has an invalid package name',
  },
  {
    id: 'url-nul',
    what: `URL …/files/${WHEEL}%00.txt`,
    uv: spell.uvWheelUrl(`${WHEEL}%00.txt`),
    pylock: spell.pyWheelUrl(`${WHEEL}%00.txt`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'url-newline',
    what: `URL …/files/${WHEEL}%0Aerror[X]:%20forged`,
    uv: spell.uvWheelUrl(`${WHEEL}%0Aerror[X]:%20forged`),
    pylock: spell.pyWheelUrl(`${WHEEL}%0Aerror[X]:%20forged`),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'url-esc',
    what: 'URL …/files/pkg-1.0-py3-none-any%1B%5B2J.whl',
    uv: spell.uvWheelUrl('pkg-1.0-py3-none-any%1B%5B2J.whl'),
    pylock: spell.pyWheelUrl('pkg-1.0-py3-none-any%1B%5B2J.whl'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  {
    id: 'url-c1',
    what: 'URL …/files/pkg-1.0-py3-none-any%C2%9B.whl (C1 CSI)',
    uv: spell.uvWheelUrl('pkg-1.0-py3-none-any%C2%9B.whl'),
    pylock: spell.pyWheelUrl('pkg-1.0-py3-none-any%C2%9B.whl'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
  },
  // Sdists: the same checks.
  {
    id: 'sdist-encoded-dotdot',
    what: 'sdist URL …/files/..%2F..%2Foutside%2Fpkg-1.0.tar.gz / name "../outside/pkg-1.0.tar.gz"',
    uv: spell.uvSdistUrl('..%2F..%2Foutside%2Fpkg-1.0.tar.gz'),
    pylock: spell.pySdistNamed('../outside/pkg-1.0.tar.gz'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
    flags: SDIST_FLAGS,
  },
  {
    id: 'sdist-esc',
    what: 'sdist URL …/files/pkg-1.0%1B%5D0;title%07.tar.gz / name with ESC ] … BEL',
    uv: spell.uvSdistUrl('pkg-1.0%1B%5D0;title%07.tar.gz'),
    pylock: spell.pySdistNamed('pkg-1.0\u001b]0;title\u0007.tar.gz'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
    flags: SDIST_FLAGS,
  },
  // Direct-URL archives may carry any archive name, but only a plain one.
  {
    id: 'archive-encoded-traversal',
    what: 'archive URL …/files/..%2F..%2Foutside%2Fevil.zip',
    uv: spell.uvArchiveUrl('..%2F..%2Foutside%2Fevil.zip'),
    pylock: spell.pyArchiveUrl('..%2F..%2Foutside%2Fevil.zip'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain "/"',
    flags: SDIST_FLAGS,
  },
  {
    id: 'archive-c1',
    what: 'archive URL …/files/main%C2%85.zip (C1 NEL)',
    uv: spell.uvArchiveUrl('main%C2%85.zip'),
    pylock: spell.pyArchiveUrl('main%C2%85.zip'),
    code: 'LOCK_INVALID_FILENAME',
    why: 'Must not contain control characters',
    flags: SDIST_FLAGS,
  },
  {
    id: 'archive-colon',
    what: 'archive URL …/files/main%3A%3A%24DATA.zip (an NTFS stream name)',
    uv: spell.uvArchiveUrl('main%3A%3A%24DATA.zip'),
    pylock: spell.pyArchiveUrl('main%3A%3A%24DATA.zip'),
    code: 'OUTPUT_UNSAFE_PATH',
    why: 'it contains ":"',
    flags: SDIST_FLAGS,
  },
  {
    id: 'archive-state-dir',
    what: 'archive URL …/files/.lockhouse.zip (lockhouse\'s own state folder)',
    uv: spell.uvArchiveUrl('.lockhouse.zip'),
    pylock: spell.pyArchiveUrl('.lockhouse.zip'),
    code: 'OUTPUT_UNSAFE_PATH',
    why: 'names starting with ".lockhouse" are lockhouse\'s own',
    flags: SDIST_FLAGS,
  },
  {
    id: 'archive-too-long',
    what: 'archive URL …/files/<300 × "a">.zip',
    uv: spell.uvArchiveUrl(`${'a'.repeat(300)}.zip`),
    pylock: spell.pyArchiveUrl(`${'a'.repeat(300)}.zip`),
    code: 'OUTPUT_UNSAFE_PATH',
    why: 'it is longer than 255 bytes',
    flags: SDIST_FLAGS,
  },
];

const refusalCases = REFUSALS.flatMap((refusal) =>
  LOCK_FORMATS.flatMap((format) => {
    const body = format === 'uv.lock' ? refusal.uv : refusal.pylock;
    return body ? [{ ...refusal, format, body, label: `${refusal.id} (${format})` }] : [];
  }),
);

describe('hostile names are refused before anything is fetched or written', () => {
  it.each(refusalCases)('$label', async ({ format, body, code, why, flags }) => {
    counter.add();
    const p = project(format, (ctx) => lockText(format, ctx, body(ctx)));
    const before = snapshot(p.root);
    const run = await p.collect(...(flags ?? []));

    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`error[${code}]:`);
    expect(run.stderr).toContain(why);
    // The message names the package (and the lock and the field).
    expect(run.stderr).toContain('(pkg 1.0)');
    expect(run.stderr).toContain(format);
    // A name is never printed raw: no control character reaches the terminal,
    // and the one error is the only line that says error[…].
    expect(controlCharIn(run.stderr + run.stdout)).toBeNull();
    expect(run.stderr.split('\n').filter((line) => /^error\[/.test(line))).toHaveLength(1);
    expect(run.stderr).not.toMatch(/^Collected/m);

    // Refused before the network: not even the sound package was asked for.
    expect(server.requests.all.map((request) => request.url)).toEqual([]);
    // Nothing changed outside DIR (the cache included), and nothing is in DIR.
    expect(changes(before, snapshot(p.root), outside('out'))).toEqual([]);
    expect(filesUnder(p.out)).toEqual([]);
    expect(readFileSync(join(p.ctx.outside, 'victim.txt'), 'utf8')).toBe('must not change\n');
  });
});

describe('variants accepted by design land under a plain name in DIR', () => {
  /** Run, and check that only DIR and the cache changed and DIR's files are the plain names given. */
  async function collected(p: Project, flags: readonly string[], expected: readonly string[]): Promise<CliRun> {
    const before = snapshot(p.root);
    const run = await p.collect(...flags);
    expect(run.code, run.stderr).toBe(0);
    expect(changes(before, snapshot(p.root), outside('out', 'cache'))).toEqual([]);
    const files = filesUnder(p.out).filter((rel) => !rel.startsWith('.lockhouse/') && rel !== 'lockhouse.json');
    expect(files).toEqual([...expected].sort());
    for (const name of expected) expect(lstatSync(join(p.out, name)).isFile()).toBe(true);
    return run;
  }

  it.each(LOCK_FORMATS)('a percent-encoded "+" of a local version is decoded: pkg-1.0+local-… (%s)', async (format) => {
    counter.add();
    const lock = format === 'uv.lock' ? fixtureUvLock : fixturePylock;
    const p = project(format, (ctx) => lock([good, pkgLocal], { base: ctx.base }));
    expect(readFileSync(p.lock, 'utf8')).toContain('pkg-1.0%2Blocal-py3-none-any.whl');
    await collected(p, [], [good.filename, 'pkg-1.0+local-py3-none-any.whl']);
    expect(server.requests.count('/files/pkg-1.0%2Blocal-py3-none-any.whl')).toBe(1);
    const bytes = readFileSync(join(p.out, 'pkg-1.0+local-py3-none-any.whl'));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(pkgLocal.sha256);
  });

  it.each(
    LOCK_FORMATS.flatMap((format) => [
      [format, 'elsewhere/../files'],
      [format, 'elsewhere/%2e%2e/files'],
      [format, 'elsewhere/.%2E/files'],
    ]),
  )('dot segments in a URL are URL semantics, not a path in DIR (%s, …/%s/pkg-…)', async (format, middle) => {
    counter.add();
    const body = (ctx: Ctx): string => {
      const full = `${ctx.base}/${middle}/${WHEEL}`;
      return format === 'uv.lock'
        ? `source = { registry = ${q(`${ctx.base}/simple`)} }\nwheels = [{ url = ${q(full)}, hash = "sha256:${sha(pkg)}" }]`
        : `index = ${q(`${ctx.base}/simple`)}\nwheels = [{ url = ${q(full)}, hashes = { sha256 = "${sha(pkg)}" } }]`;
    };
    const p = project(format, (ctx) => lockText(format, ctx, body(ctx)));
    await collected(p, [], [good.filename, WHEEL]);
    // The URL was normalized before it was requested: the server saw /files/….
    expect(server.requests.count(`/files/${WHEEL}`)).toBe(1);
    expect(server.requests.filter((request) => request.path.includes('elsewhere'))).toEqual([]);
  });

  it.each(LOCK_FORMATS)('the name field wins over a hostile URL segment; the URL is only where the bytes come from (%s)', async (format) => {
    counter.add();
    const segment = '%2e%2e%2f%2e%2e%2foutside%2fevil.sh';
    server.fault(`/files/${segment}`, { redirect: `/files/${WHEEL}` });
    const body = (ctx: Ctx): string =>
      format === 'uv.lock'
        ? `source = { registry = ${q(`${ctx.base}/simple`)} }\nwheels = [{ url = ${q(url(ctx, segment))}, filename = ${q(WHEEL)}, hash = "sha256:${sha(pkg)}" }]`
        : `index = ${q(`${ctx.base}/simple`)}\nwheels = [{ name = ${q(WHEEL)}, url = ${q(url(ctx, segment))}, hashes = { sha256 = "${sha(pkg)}" } }]`;
    const p = project(format, (ctx) => lockText(format, ctx, body(ctx)));
    await collected(p, [], [good.filename, WHEEL]);
    expect(server.requests.count(`/files/${segment}`)).toBe(1);
    expect(server.requests.count(`/files/${WHEEL}`)).toBe(1);
  });

  it.each(LOCK_FORMATS)('an sdist named for another project is taken as the lock names it (uv does not check either) (%s)', async (format) => {
    counter.add();
    const body = (ctx: Ctx): string =>
      format === 'uv.lock'
        ? `source = { registry = ${q(`${ctx.base}/simple`)} }\nsdist = { url = ${q(fileOf(ctx, otherSdist))}, hash = "sha256:${sha(otherSdist)}" }`
        : `index = ${q(`${ctx.base}/simple`)}\nsdist = { url = ${q(fileOf(ctx, otherSdist))}, hashes = { sha256 = "${sha(otherSdist)}" } }`;
    const p = project(format, (ctx) => lockText(format, ctx, body(ctx)));
    await collected(p, SDIST_FLAGS, [good.filename, otherSdist.filename]);
  });

  it.each(LOCK_FORMATS)('percent escapes that are not UTF-8 stay as written: a literal, plain archive name (%s)', async (format) => {
    counter.add();
    // %C0%AE is an overlong "." : never decoded, so never a "..".
    const segment = '%C0%AE%C0%AE%2Fevil.zip';
    const literal = '%C0%AE%C0%AE%2Fevil.zip';
    server.fault(`/files/${segment}`, { redirect: server.fileUrl(pkgSdist.filename) });
    const body = format === 'uv.lock' ? spell.uvArchiveUrl(segment) : spell.pyArchiveUrl(segment);
    const p = project(format, (ctx) => lockText(format, ctx, body(ctx)));
    await collected(p, SDIST_FLAGS, [good.filename, literal]);
  });
});
