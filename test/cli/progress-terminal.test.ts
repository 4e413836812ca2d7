/**
 * Progress as a person at a terminal sees it, in a real pseudo-terminal: the
 * bytes count as they arrive (not when a file completes), a large file has a
 * line of its own while it downloads, and nothing of it reaches a pipe,
 * --json or -q.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel, type Artifact } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { PYTHON } from '../helpers/python.js';
import { runInTerminal } from '../helpers/terminal.js';
import { testdir } from '../helpers/testdir.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const MiB = 1024 * 1024;
const large = makeWheel({ name: 'largepkg', version: '1.0', sizeBytes: 12 * MiB });
const small: Artifact[] = Array.from({ length: 3 }, (_, i) => makeWheel({ name: `smallpkg${i}`, version: '1.0', sizeBytes: 20_000 }));
const noPty = spawnSync(PYTHON, ['-c', 'import pty']).status !== 0;

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [large, ...small] });
});
afterAll(async () => {
  await server.close();
});

/** Strip the terminal's control sequences: what is left is the text drawn. */
const text = (screen: string): string => screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');

describe('progress on a terminal', () => {
  it.skipIf(noPty)(`bytes move while a large file downloads, and it has its own line${noPty ? ' (skipped: no pty module)' : ''}`, async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock([large, ...small], { base: server.url }) });
    const args = ['collect', '--lock', join(dir, 'uv.lock'), '-o', join(dir, 'out'), '--no-cache', ...TARGET];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    server.clearFaults();
    // The large file stops after 5 MiB until the terminal has shown it: the test waits for what is drawn, not for a time.
    server.fault(server.filePath(large.filename), { hold: { sent: 5 * MiB, until: held } });
    let seenMidway = '';
    const run = runInTerminal(args, { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' }, 100, (screen) => {
      const shown = text(screen);
      if (seenMidway === '' && /5\.0 MiB \/ 12\.0 MiB +largepkg-1\.0-py3-none-any\.whl/.test(shown)) {
        seenMidway = shown;
        release();
      }
    });
    const done = await run;
    release();
    expect(done.code, done.screen).toBe(0);
    expect(seenMidway, done.screen).not.toBe('');
    // While it was held: the run's line counted those bytes though only small files were done.
    const main = [...seenMidway.matchAll(/(\d+)\/4 files \| ([\d.]+) (B|KiB|MiB) of ([\d.]+) MiB/g)].at(-1);
    expect(main, seenMidway).toBeDefined();
    expect(Number(main![1])).toBeLessThan(4);
    expect(main![3]).toBe('MiB');
    expect(Number(main![2])).toBeGreaterThanOrEqual(5);
    // The progress lines are cut to the terminal's width: none wraps, so each redraw clears exactly what it drew.
    const drawn = text(done.screen).split('\n').filter((line) => / files \| |\.whl$/.test(line));
    expect(drawn.length).toBeGreaterThan(1);
    for (const line of drawn) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(text(done.screen)).toContain('Collected 4 files');
  });

  it('draws nothing when piped, with --json, or with -q', async () => {
    const dir = testdir({ 'uv.lock': fixtureUvLock(small, { base: server.url }) });
    server.clearFaults();
    const base = ['collect', '--lock', join(dir, 'uv.lock'), '--no-cache', ...TARGET];
    const piped = await runCli([...base, '-o', join(dir, 'a')]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toMatch(/files \|/);
    expect(piped.stderr).not.toContain('\u001b[');
    if (noPty) return;
    for (const flag of ['--json', '-q']) {
      const shown = await runInTerminal([...base, '-o', join(dir, `t${flag}`), flag], { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' });
      expect(shown.code, shown.screen).toBe(0);
      expect(shown.screen, flag).not.toMatch(/files \|/);
    }
  });
});
