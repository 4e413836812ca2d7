/**
 * Ctrl-C and SIGTERM on a real lockhouse process: downloads and builds
 * under way stop (a build's whole process tree is killed), temporary files
 * go, the manifest records what is in place, one line says so, and the exit
 * code is the shell's (130, 143); a re-run finishes the job.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/output/manifest.js';
import { makeSdist, makeWheel, type Artifact } from '../helpers/artifacts.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { pipMissing } from '../helpers/pip.js';
import { startLockhouse } from '../helpers/process.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const wheels: Artifact[] = Array.from({ length: 8 }, (_, i) => makeWheel({ name: `intr${i}`, version: '1.0', sizeBytes: 300_000 + i * 1000 }));
const hanging = makeSdist({ name: 'hangs-src', version: '1.0', backend: 'hang' });
const noPip = pipMissing();

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [...wheels, hanging] });
});
afterAll(async () => {
  await server.close();
});

/** Resolve once `check` holds, looking again whenever the event loop is free: the test waits for the event, not for a time. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** Is `pid` a process that has not ended (a zombie has ended)? */
function running(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('an interrupted collect', () => {
  it('Ctrl-C while downloading: exit 130, one line saying what is in place, a manifest of it, no temporary file; a re-run finishes', async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(wheels, { base: server.url }) });
    const out = join(dir, 'wheelhouse');
    const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--cache-dir', join(dir, 'cache'), '--concurrency', '2', ...TARGET];
    server.clearFaults();
    server.fault(/^\/files\//, { throttle: 200_000, times: Infinity });
    const run = startLockhouse(args);
    const tmp = join(out, '.lockhouse', 'tmp');
    await until(() => existsSync(tmp) && readdirSync(tmp).length > 0);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    server.clearFaults();

    expect(stopped.code, stopped.stderr).toBe(130);
    const line = /lockhouse: interrupted: (\d+) of 8 files in place; run again to finish\n/.exec(stopped.stderr);
    expect(line, stopped.stderr).not.toBeNull();
    expect(stopped.stderr).not.toContain('Failed (');
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
    expect(manifest.artifacts).toHaveLength(Number(line![1]));
    expect(manifest.failures.every((failure) => failure.code === 'INTERRUPTED')).toBe(true);
    expect(manifest.artifacts.length + manifest.failures.length).toBe(8);
    expect(readdirSync(tmp)).toEqual([]);

    const again = await startLockhouse(args).done;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Collected 8 files of 8 packages');
    expect(again.stderr).toMatch(new RegExp(`${manifest.artifacts.length ? `${manifest.artifacts.length} already there` : ''}`));
  });

  it.skipIf(noPip !== null)(`SIGTERM during a build: exit 143, the build's process tree is gone, its work folder too${noPip ? ` (skipped: ${noPip})` : ''}`, async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock([hanging], { base: server.url }) });
    const out = join(dir, 'wheelhouse');
    const pidFile = join(dir, 'backend.pid');
    const run = startLockhouse(['collect', '--lock', join(dir, 'uv.lock'), '-o', out, '--no-cache'], { ...process.env, LOCKHOUSE_TEST_HANG_FILE: pidFile });
    await until(() => existsSync(pidFile));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(running(pid)).toBe(true);
    run.child.kill('SIGTERM');
    const stopped = await run.done;

    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.stderr).toContain('lockhouse: interrupted: 0 of 1 files in place; run again to finish');
    expect(running(pid)).toBe(false);
    expect(readdirSync(join(out, '.lockhouse', 'build'))).toEqual([]);
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(out, 'lockhouse.json'), 'utf8')));
    expect(manifest.failures.map((failure) => [failure.code, failure.package])).toEqual([['INTERRUPTED', 'hangs-src']]);
  });

  it.skipIf(noPip !== null)(`bundle --no-cache interrupted says nothing was kept (its wheelhouse was temporary), not "run again to finish"${noPip ? ` (skipped: ${noPip})` : ''}`, async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock([hanging], { base: server.url }) });
    const pidFile = join(dir, 'backend.pid');
    const run = startLockhouse(['bundle', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'app.pyz'), '--no-cache'], { ...process.env, LOCKHOUSE_TEST_HANG_FILE: pidFile });
    await until(() => existsSync(pidFile));
    run.child.kill('SIGTERM');
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.stderr).toContain('lockhouse: interrupted: nothing kept (--no-cache');
    expect(stopped.stderr).not.toContain('run again to finish');
    expect(existsSync(join(dir, 'app.pyz'))).toBe(false);
  });
});
