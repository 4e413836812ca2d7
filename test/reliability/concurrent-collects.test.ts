/**
 * Several collects at once into one directory and one cache, as real
 * processes: each exits 0, every file under a final name is the lock's, and
 * no temporary name is left anywhere — not in DIR/.lockhouse/tmp, not in
 * the cache's tmp.
 *
 * The race this catches (issue 17, finding 16): process A downloads a file
 * to a temporary name, links it into the cache, then renames it to its
 * final name; process B, finding the new cache entry, links it into DIR
 * under the final name first. A's rename is then between two links to one
 * file, and rename(2) succeeds without doing anything, leaving A's
 * temporary link behind. Each round starts with an empty directory and an
 * empty cache, so every file is downloaded and inserted by some processes
 * while others look it up: with 8 processes and 150 files the race is run
 * hundreds of times per round (at 3efc384, before land.ts unlinked the
 * temporary name after every rename, round 0 left 8 links in one run and
 * 9 in another, in DIR/.lockhouse/tmp). The assertion
 * is on what is left, whichever process won each rename, never on timing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const PROCESSES = 8;
const ROUNDS = 4;
const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const artifacts: Artifact[] = Array.from({ length: 150 }, (_, i) => makeWheel({ name: `race${i}`, version: '1.0', sizeBytes: 2_000 + i * 10 }));

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts });
});
afterAll(async () => {
  await server?.close();
});

/** Every temporary name (temp-name.ts: `<pid>-<random>.tmp`, `.<label>.<pid>-<random>.tmp`) and anything in a `tmp` folder under `root`, relative. */
function temporaries(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (/^(?:\..+\.)?[0-9]+-[A-Za-z0-9_-]+\.tmp$/.test(entry.name) || basename(dir) === 'tmp') found.push(relative(root, path));
      else if (entry.isDirectory()) walk(path);
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

describe(`${PROCESSES} collects at once into one directory and one cache, ${ROUNDS} rounds`, () => {
  it('each exits 0, every file is the lock\'s, and no temporary file is left in DIR or the cache', { timeout: 300_000 }, async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(artifacts, { base: server.url }) });
    const argsFor = (out: string, cache: string): string[] => ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', cache, ...TARGET];
    const report: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const out = join(dir, `wheelhouse-${round}`);
      const cache = join(dir, `cache-${round}`);
      const runs = await Promise.all(Array.from({ length: PROCESSES }, () => startLockhouse(argsFor(out, cache)).done));
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      for (const artifact of artifacts) {
        expect(createHash('sha256').update(readFileSync(join(out, artifact.filename))).digest('hex'), artifact.filename).toBe(artifact.sha256);
      }
      expect(temporaries(out), `round ${round}: DIR`).toEqual([]);
      expect(temporaries(cache), `round ${round}: the cache`).toEqual([]);
      report.push(`round ${round}: ${PROCESSES} × exit 0, ${artifacts.length} files verified, no temporary left`);
    }
    console.info(`concurrent collects:\n  ${report.join('\n  ')}`);
  });
});
