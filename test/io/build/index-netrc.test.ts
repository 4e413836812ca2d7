/**
 * How a build frontend gets its index's credential (src/io/build/index-netrc.ts):
 * out of the URL, into a netrc of the build's own that Python's netrc (what
 * pip reads through requests) parses back to the same credential.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { netrcText, splitIndexCredential, writeNetrc } from '../../../src/io/build/index-netrc.js';
import { testdir } from '../../helpers/testdir.js';
import { realPython, testEnv } from './helpers.js';

describe('splitIndexCredential', () => {
  it('takes userinfo out of the URL, decoded; a URL without one is left alone', () => {
    expect(splitIndexCredential('https://robot:p%40ss%2Fw%20rd@Mirror.example:8443/simple/')).toEqual({
      url: 'https://mirror.example:8443/simple/',
      credential: { host: 'mirror.example', username: 'robot', password: 'p@ss/w rd' },
    });
    expect(splitIndexCredential('https://mirror.example/simple')).toEqual({ url: 'https://mirror.example/simple', credential: null });
    expect(splitIndexCredential(null)).toEqual({ url: null, credential: null });
  });

  it('reads a password with an unencoded / or # (the URL does not parse) up to the last @, and never lets it through', () => {
    expect(splitIndexCredential('https://u:pa/ss#x@mirror.example/simple')).toEqual({
      url: 'https://mirror.example/simple',
      credential: { host: 'mirror.example', username: 'u', password: 'pa/ss#x' },
    });
    expect(splitIndexCredential('https://u:pa/ss@[bad/simple')).toEqual({ url: 'https://[bad/simple', credential: null });
  });
});

describe('writeNetrc', () => {
  it('writes one entry, readable by this user only, and removes it', async () => {
    const dir = testdir();
    const netrc = await writeNetrc(dir, { host: '127.0.0.1', username: 'robot', password: 'token-1' });
    expect(readFileSync(netrc.path, 'utf8')).toBe('machine 127.0.0.1\n  login robot\n  password token-1\n');
    if (process.platform !== 'win32') expect(statSync(netrc.path).mode & 0o777).toBe(0o600);
    await netrc.remove();
    expect(existsSync(netrc.path)).toBe(false);
  });

  const python = realPython();
  const newEnough = typeof python !== 'string' && (python.version[0] > 3 || python.version[1] >= 10);
  it.skipIf(!newEnough)(`Python’s netrc reads back what was written, spaces, quotes, backslashes and # included (${typeof python === 'string' ? python : `Python ${python.version.join('.')}`}; needs 3.10+)`, async () => {
    const dir = testdir();
    const credential = { host: 'mirror.example', username: 'user name', password: '#pa"ss\\word x' };
    const netrc = await writeNetrc(dir, credential);
    const read = spawnSync('python3', ['-c', 'import netrc, sys, json; print(json.dumps(netrc.netrc(sys.argv[1]).authenticators("mirror.example")))', netrc.path], { encoding: 'utf8', env: testEnv() });
    expect(read.stderr).toBe('');
    expect(JSON.parse(read.stdout)).toEqual(['user name', '', credential.password]);
    expect(netrcText({ host: 'h', username: 'a', password: 'plain' })).toBe('machine h\n  login a\n  password plain\n');
  });
});
