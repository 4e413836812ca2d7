/** The sweeper's one rule: dead writers' leftovers go after a minute's grace, live writers' stay, anything a day old goes — files and folders alike. */
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepCache } from '../../../src/io/store/cache.js';
import { DAY_MS, GRACE_MS, isProcessAlive, sweepLeftovers } from '../../../src/io/store/sweep.js';
import { createTempFiles } from '../../../src/io/store/temp-files.js';
import { newTempName, releaseTempName } from '../../../src/io/store/temp-name.js';
import { deadPid, listDir, tempdir } from './helpers.js';

function touch(path: string, ageMs = 0): void {
  writeFileSync(path, 'partial');
  age(path, ageMs);
}

function age(path: string, ageMs: number): void {
  const when = (Date.now() - ageMs) / 1000;
  utimesSync(path, when, when);
}

describe('sweepLeftovers', () => {
  it('removes a dead pid’s files once the grace is over, keeps live pids’ files', async () => {
    const dir = tempdir();
    const dead = await deadPid();
    touch(join(dir, `${dead}-old.tmp`), GRACE_MS + 60_000);
    touch(join(dir, `${dead}-fresh.tmp`), 1_000);
    touch(join(dir, `${process.ppid}-live.tmp`), GRACE_MS + 60_000); // the test runner: alive
    touch(join(dir, '1-init.tmp'), GRACE_MS + 60_000); // pid 1: alive (EPERM or not)
    expect(await sweepLeftovers(dir)).toEqual([join(dir, `${dead}-old.tmp`)]);
    expect(await sweepLeftovers(dir, { now: Date.now() + GRACE_MS })).toEqual([join(dir, `${dead}-fresh.tmp`)]);
    expect(listDir(dir)).toEqual(['1-init.tmp', `${process.ppid}-live.tmp`]);
  });

  it('removes anything a day old, live pid or not (pids are reused across reboots and containers)', async () => {
    const dir = tempdir();
    touch(join(dir, `${process.ppid}-stale.tmp`), DAY_MS + 60_000);
    touch(join(dir, `${process.ppid}-young.tmp`), 60_000);
    expect(await sweepLeftovers(dir)).toEqual([join(dir, `${process.ppid}-stale.tmp`)]);
    expect(listDir(dir)).toEqual([`${process.ppid}-young.tmp`]);
  });

  it('never removes the files this process is writing, whatever their age', async () => {
    const dir = tempdir();
    const temp = await createTempFiles(dir).create('sha256');
    age(temp.path, 2 * DAY_MS);
    expect(await sweepLeftovers(dir, { now: Date.now() + 2 * DAY_MS, isAlive: () => false })).toEqual([]);
    await temp.discard();
  });

  it('leaves names that are not temporary names alone, whatever their age', async () => {
    const dir = tempdir();
    touch(join(dir, 'keep.whl'), 2 * DAY_MS);
    touch(join(dir, 'no-pid-here.tmp'), 2 * DAY_MS);
    mkdirSync(join(dir, 'simple'));
    age(join(dir, 'simple'), 2 * DAY_MS);
    expect(await sweepLeftovers(dir, { isAlive: () => false })).toEqual([]);
    expect(listDir(dir)).toEqual(['keep.whl', 'no-pid-here.tmp', 'simple']);
  });

  it('sweeps a dead writer’s folder whole, judged by the newest thing inside it', async () => {
    const dir = tempdir();
    const dead = await deadPid();
    const old = join(dir, `${dead}-old.tmp`);
    mkdirSync(join(old, 'wheel'), { recursive: true });
    touch(join(old, 'wheel', 'x.whl'), GRACE_MS + 60_000);
    age(join(old, 'wheel'), GRACE_MS + 60_000);
    age(old, GRACE_MS + 60_000);
    const busy = join(dir, `${dead}-busy.tmp`);
    mkdirSync(join(busy, 'deep'), { recursive: true });
    touch(join(busy, 'deep', 'written-just-now'), 0);
    age(join(busy, 'deep'), GRACE_MS + 60_000);
    age(busy, GRACE_MS + 60_000);
    // A writer in another pid namespace still writing deep inside its folder: kept.
    expect(await sweepLeftovers(dir)).toEqual([old]);
    expect(listDir(dir)).toEqual([`${dead}-busy.tmp`]);
  });

  it('beside files that are not lockhouse’s, sweeps only names of the label it is given', async () => {
    const dir = tempdir();
    const dead = await deadPid();
    touch(join(dir, `.app.pyz.${dead}-abc.tmp`), GRACE_MS + 60_000);
    touch(join(dir, `.other.pyz.${dead}-abc.tmp`), GRACE_MS + 60_000);
    touch(join(dir, `${dead}-abc.tmp`), GRACE_MS + 60_000);
    expect(await sweepLeftovers(dir, { label: 'app.pyz' })).toEqual([join(dir, `.app.pyz.${dead}-abc.tmp`)]);
    expect(listDir(dir)).toEqual([`.other.pyz.${dead}-abc.tmp`, `${dead}-abc.tmp`]);
  });

  it('a name handed back by its writer is anyone’s to sweep', async () => {
    const dir = tempdir();
    const name = newTempName();
    touch(join(dir, name), GRACE_MS + 60_000);
    expect(await sweepLeftovers(dir, { isAlive: () => false })).toEqual([]);
    releaseTempName(name);
    expect(await sweepLeftovers(dir, { isAlive: () => false })).toEqual([join(dir, name)]);
  });

  it('a missing directory has nothing to sweep', async () => {
    expect(await sweepLeftovers(join(tempdir(), 'nope'))).toEqual([]);
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

describe('sweepCache: every staging place under a cache root, at every run', () => {
  it('sweeps tmp/, builds-v1/<xx>/ and git-v1/<url>/ by the one rule, and never through a link', async () => {
    const root = tempdir();
    const dead = await deadPid();
    const places = [join(root, 'tmp'), join(root, 'builds-v1', 'ab'), join(root, 'git-v1', '0123456789abcdef')];
    for (const place of places) {
      mkdirSync(join(place, `${dead}-old.tmp`), { recursive: true });
      touch(join(place, `${dead}-old.tmp`, 'partial'), GRACE_MS + 60_000);
      age(join(place, `${dead}-old.tmp`), GRACE_MS + 60_000);
      touch(join(place, `${dead}-fresh.tmp`), 1_000);
      touch(join(place, 'not-a-temp-name'), DAY_MS + 60_000);
    }
    // A link at a level: what it points at is not swept.
    const outside = tempdir();
    touch(join(outside, `${dead}-old.tmp`), GRACE_MS + 60_000);
    symlinkSync(outside, join(root, 'builds-v1', 'cd'));
    expect(await sweepCache(root)).toEqual(places.map((place) => join(place, `${dead}-old.tmp`)).sort());
    for (const place of places) expect(listDir(place)).toEqual([`${dead}-fresh.tmp`, 'not-a-temp-name']);
    expect(listDir(outside)).toEqual([`${dead}-old.tmp`]);
    const linked = tempdir();
    symlinkSync(outside, join(linked, 'tmp'));
    expect(await sweepCache(linked)).toEqual([]);
    expect(listDir(outside)).toEqual([`${dead}-old.tmp`]);
  });
});
