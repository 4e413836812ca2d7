import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogRedactor, commandLine, logHeader, logPathFor, readTail, redactText } from '../../../src/io/build/build-log.js';
import { testdir } from '../../helpers/testdir.js';

describe('build logs', () => {
  it.each([
    ['foo', '1.0', '/w/.lockhouse/logs/foo-1.0.log'],
    ['foo-bar', '2.0+cpu', '/w/.lockhouse/logs/foo-bar-2.0+cpu.log'],
    ['workspace-member', null, '/w/.lockhouse/logs/workspace-member-local.log'],
    ['../../etc/passwd', '1', '/w/.lockhouse/logs/____etc_passwd-1.log'],
  ])('logPathFor(%j, %j) → %s', (name, version, expected) => {
    expect(logPathFor('/w/.lockhouse/logs', name, version)).toBe(expected);
  });

  it('writes command lines as a shell would read them, without credentials', () => {
    expect(commandLine('uv', ['build', '--default-index', 'https://me:token@pypi.example/simple', '/w/my dir/foo-1.0.tar.gz', "it's"])).toBe(
      `uv build --default-index https://pypi.example/simple '/w/my dir/foo-1.0.tar.gz' 'it'\\''s'`,
    );
    expect(redactText('From https://u:p@git.example/r.git\n * branch')).toBe('From https://git.example/r.git\n * branch');
    expect(logHeader([['command', 'git fetch https://u:p@h/r']], new Date(0))).toBe('==== lockhouse 1970-01-01T00:00:00.000Z\ncommand: git fetch https://h/r\n\n');
  });

  it('reads the last lines of a log, however long it is', async () => {
    const dir = testdir();
    const path = join(dir, 'build.log');
    writeFileSync(path, Array.from({ length: 100_000 }, (_, i) => `line ${i}`).join('\n') + '\n\n');
    expect(await readTail(path, 3)).toEqual(['line 99997', 'line 99998', 'line 99999']);
    expect(await readTail(path, 3, 25)).toEqual(['line 99998', 'line 99999']);
    expect(await readTail(join(dir, 'missing.log'))).toEqual([]);
  });
});

describe('LogRedactor', () => {
  const SECRET = 'planted/pa55 word';

  /** Feed `text` in chunks of `size` bytes, as a pipe may cut it. */
  function through(text: string, size: number, maxLine?: number): string {
    const redactor = new LogRedactor([SECRET], maxLine);
    const bytes = Buffer.from(text);
    let out = '';
    for (let at = 0; at < bytes.length; at += size) out += redactor.push(bytes.subarray(at, at + size));
    return out + redactor.end();
  }

  it.each([1, 3, 7, 64, 4096])('removes the password, raw and percent-encoded, and URL userinfo, whatever the chunks (%i bytes)', (size) => {
    const text = [
      'Looking in indexes: https://robot:planted%2Fpa55%20word@mirror.example/simple',
      `debug: password was ${SECRET} — oops`,
      'Collecting hatchling ✓ (unicode across chunk boundaries)',
      'no newline at the end',
    ].join('\n');
    const out = through(text, size);
    expect(out).not.toContain('pa55');
    expect(out).not.toContain('robot');
    expect(out).toBe(
      [
        'Looking in indexes: https://mirror.example/simple',
        'debug: password was **** — oops',
        'Collecting hatchling ✓ (unicode across chunk boundaries)',
        'no newline at the end',
      ].join('\n'),
    );
  });

  it('lets a line without end out in parts, still without the password', () => {
    const long = `${'x'.repeat(5000)}${SECRET}${'y'.repeat(5000)}`;
    const out = through(long, 100, 2048);
    expect(out).toBe(`${'x'.repeat(5000)}****${'y'.repeat(5000)}`);
  });
});
