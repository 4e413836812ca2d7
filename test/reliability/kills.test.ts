/**
 * SIGKILL at random moments of a collect with downloads (throttled) and
 * builds in flight (full: 10 moments with `npm run soak`; .ci/run: 4).
 * After each kill: whatever is under a final name is the lock's file; the
 * re-run completes with every file verified and leaves no temporary file
 * anywhere in DIR or the cache (a killed run's leftovers are swept).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRACE_MS } from '../../src/io/store/sweep.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';
import { FULL, SEED, seeded } from './random.js';

const KILLS = FULL ? 10 : 4;
const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const builds = pipMissing() === null;
const wheels: Artifact[] = Array.from({ length: 10 }, (_, i) => makeWheel({ name: `kill${i}`, version: '1.0', sizeBytes: 300_000 + i * 7_000 }));
const sdists: Artifact[] = builds ? [makeSdist({ name: 'killsrc-a', version: '1.0' }), makeSdist({ name: 'killsrc-b', version: '2.0' })] : [];
const artifacts = [...wheels, ...sdists];

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server?.close();
});

/** The temporary names (files or folders: temp-name.ts) anywhere under `root`, absolute. */
function leftovers(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (/^(?:\..+\.)?[0-9]+-[A-Za-z0-9_-]+\.tmp$/.test(entry.name)) found.push(path);
      else if (entry.isDirectory()) walk(path);
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

/** Set the mtime of `path` and everything in it. */
function ageTree(path: string, when: Date): void {
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) ageTree(join(path, name), when);
  utimesSync(path, when, when);
}

/** Every file under `root` that is a temporary: in a tmp folder, named *.tmp, or left in a build work folder. */
function temporaries(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/(^|\/)(tmp|build)\//.test(relative(root, path)) || entry.name.endsWith('.tmp')) found.push(relative(root, path));
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

describe(`SIGKILL at ${KILLS} random moments of a collect (seed ${SEED}${builds ? ', with builds' : ', downloads only: no pip for builds'})`, () => {
  it('each time: nothing wrong under a final name; the re-run completes and leaves no temporary file', { timeout: 600_000 }, async () => {
    const random = seeded(SEED + 1);
    const report: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url, requiresPython: '>=3.8' }) });
      const out = join(dir, 'wheelhouse');
      const cache = join(dir, 'cache');
      const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', cache, ...TARGET, '--retries', '1'];
      server.clearFaults();
      server.fault(/^\/files\/kill\d/, { throttle: 250_000, times: Infinity });
      const at = 200 + random.int(2_300);
      const running = startLockhouse(args);
      await new Promise((resolve) => setTimeout(resolve, at));
      running.child.kill('SIGKILL');
      const killed = await running.done;
      server.clearFaults();

      const finals = existsSync(out) ? readdirSync(out).filter((name) => name.endsWith('.whl')) : [];
      for (const name of finals) {
        const expected = artifacts.find((a) => a.filename === name)?.sha256;
        // A built wheel is not in the lock: its name says it was built (checked by the re-run's verify).
        if (expected) expect(createHash('sha256').update(readFileSync(join(out, name))).digest('hex'), name).toBe(expected);
      }
      const left = temporaries(out).length + temporaries(cache).length;

      const again = await startLockhouse([...args, '--verify']).done;
      expect(again.code, again.stderr).toBe(0);
      for (const wheel of wheels) expect(createHash('sha256').update(readFileSync(join(out, wheel.filename))).digest('hex')).toBe(wheel.sha256);
      if (builds) expect(readdirSync(out).filter((name) => name.startsWith('killsrc'))).toHaveLength(2);
      // DIR and the cache may be shared by containers whose pids look dead from
      // here, so a dead writer's leftovers are swept once a minute old
      // (src/io/store/sweep.ts): only the killed run's own may remain, and the
      // first run after that minute removes them.
      const killedPid = running.child.pid!;
      const lingering = [...leftovers(out), ...leftovers(cache)];
      // A download's temporary file carries the hash it must have as its label (`.sha256-….<pid>-….tmp`): the pid is after it.
      expect(lingering.filter((path) => /^(?:\..+\.)?(\d+)-/.exec(basename(path))?.[1] !== String(killedPid))).toEqual([]);
      if (lingering.length > 0) {
        const aMinuteAgo = new Date(Date.now() - GRACE_MS - 1_000);
        for (const path of lingering) ageTree(path, aMinuteAgo);
        const later = await startLockhouse(args).done;
        expect(later.code, later.stderr).toBe(0);
      }
      expect(temporaries(out)).toEqual([]);
      expect(temporaries(cache)).toEqual([]);
      report.push(
        `kill ${kill + 1} at ${at} ms (${killed.signal ?? `exit ${killed.code}`}): ${finals.length} files already final, ${left} temporaries left; ` +
          `re-run exit 0, all verified${lingering.length ? `, ${lingering.length} of the killed run's leftovers kept until a minute old, then swept` : ', none left in DIR or the cache'}`,
      );
    }
    console.info(`SIGKILL (seed ${SEED}):\n  ${report.join('\n  ')}`);
  });
});
