/**
 * Input of hostile length is not echoed whole: a 50,000-character wheel
 * name in a lock, or a 30,000-character flag value, is named in the error
 * by its ends (src/errors.ts elideLongWords), so stderr stays readable and
 * bounded whatever the input — through the real CLI.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testdir } from '../helpers/testdir.js';
import { pkg, uvLock } from '../helpers/uv-lock.js';

const HUGE = 'x'.repeat(30_000);

describe('input of hostile length', () => {
  it.each([
    ['--python-platform', ['plan', '--python-platform', HUGE, '--python-version', '3.12']],
    ['--python-version', ['plan', '--python-platform', 'linux', '--python-version', `3.${HUGE}`]],
  ])('a 30,000-character %s is refused, named by its ends', async (_flag, args) => {
    const dir = testdir({ 'uv.lock': uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['dep'] }), pkg('dep')) });
    const run = await runCli([...args, '--lock', join(dir, 'uv.lock')]);
    expect(run.code).toBe(2);
    expect(run.stderr.length, run.stderr.slice(0, 300)).toBeLessThan(3_000);
    expect(run.stderr).toMatch(/…\[\d+ characters\]…/);
  });

  it('a 50,000-character wheel name in a lock: LOCK_INVALID_FILENAME, named by its ends', async () => {
    const name = `dep-1.0.0-${'y'.repeat(50_000)}-none-any.zip`;
    const lock = uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['dep'] }), pkg('dep', { wheels: [name] }));
    const dir = testdir({ 'uv.lock': lock });
    const run = await runCli(['plan', '--lock', join(dir, 'uv.lock'), '--python-platform', 'linux', '--python-version', '3.12']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('LOCK_INVALID_FILENAME');
    expect(run.stderr.length).toBeLessThan(3_000);
  });
});
