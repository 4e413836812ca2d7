/** sweepTemps: dead writers' leftovers go, live writers' files stay, and anything a day old goes. */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS, isProcessAlive, sweepTemps } from '../../../src/io/store/sweep.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import { deadPid, listDir, tempdir } from './helpers.js';

function touch(path: string, ageMs = 0): void {
  writeFileSync(path, 'partial');
  const when = (Date.now() - ageMs) / 1000;
  utimesSync(path, when, when);
}

describe('sweepTemps', () => {
  it('removes a dead pid’s files after the grace period, keeps live pids’ files', async () => {
    const dir = tempdir();
    const dead = await deadPid();
    touch(join(dir, `${dead}-old.tmp`), 120_000);
    touch(join(dir, `${dead}-fresh.tmp`), 1_000);
    touch(join(dir, `${process.ppid}-live.tmp`), 120_000); // the test runner: alive
    touch(join(dir, '1-init.tmp'), 120_000); // pid 1: alive (EPERM or not)
    expect(await sweepTemps(dir)).toEqual([join(dir, `${dead}-old.tmp`)]);
    expect(await sweepTemps(dir, { deadGraceMs: 0 })).toEqual([join(dir, `${dead}-fresh.tmp`)]);
    expect(listDir(dir)).toEqual(['1-init.tmp', `${process.ppid}-live.tmp`]);
  });

  it('removes anything a day old, live pid or not (pids are reused across reboots and containers)', async () => {
    const dir = tempdir();
    touch(join(dir, `${process.ppid}-stale.tmp`), DAY_MS + 60_000);
    touch(join(dir, 'no-pid-here.tmp'), DAY_MS + 60_000);
    touch(join(dir, 'young-no-pid.tmp'), 60_000);
    expect(await sweepTemps(dir)).toEqual([join(dir, `${process.ppid}-stale.tmp`), join(dir, 'no-pid-here.tmp')]);
    expect(listDir(dir)).toEqual(['young-no-pid.tmp']);
  });

  it('never removes the files this process is writing, whatever their age', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256');
    const old = (Date.now() - 2 * DAY_MS) / 1000;
    utimesSync(temp.path, old, old);
    expect(await sweepTemps(dir, { olderThanMs: 0, deadGraceMs: 0, isAlive: () => false })).toEqual([]);
    await temp.discard();
  });

  it('leaves other files and directories alone', async () => {
    const dir = tempdir();
    touch(join(dir, 'keep.whl'), 2 * DAY_MS);
    mkdirSync(join(dir, '99999999-dir.tmp'));
    expect(await sweepTemps(dir, { olderThanMs: 0, deadGraceMs: 0 })).toEqual([]);
    expect(listDir(dir)).toEqual(['99999999-dir.tmp', 'keep.whl']);
  });

  it('a missing directory has nothing to sweep', async () => {
    expect(await sweepTemps(join(tempdir(), 'nope'))).toEqual([]);
  });
});

describe('isProcessAlive', () => {
  it('tells this process and a dead one apart, and refuses pids that would signal a group', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(await deadPid())).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});
