import { describe, expect, it } from 'vitest';
import { netrcLookup, parseNetrc } from '../../../src/io/http/netrc.js';

describe('parseNetrc', () => {
  it('reads machine entries on one line or many', () => {
    const netrc = parseNetrc('machine a.example login al password pa\nmachine b.example\n  login bo\n  password pb\n  account acct\n');
    expect(netrc.machines.get('a.example')).toEqual({ login: 'al', password: 'pa' });
    expect(netrc.machines.get('b.example')).toEqual({ login: 'bo', password: 'pb', account: 'acct' });
    expect(netrc.default).toBeUndefined();
  });

  it('keeps the default entry for hosts without their own', () => {
    const netrc = parseNetrc('machine a login x password y\ndefault login anon password guest\n');
    expect(netrcLookup(netrc, 'a')).toEqual({ login: 'x', password: 'y' });
    expect(netrcLookup(netrc, 'elsewhere')).toEqual({ login: 'anon', password: 'guest' });
  });

  it('skips comments where a keyword is expected, but not where a value is', () => {
    const netrc = parseNetrc('# my hosts\nmachine a # the CI host\n login x\n password #not-a-comment\n');
    expect(netrc.machines.get('a')).toEqual({ login: 'x', password: '#not-a-comment' });
  });

  it('reads quoted tokens with escapes', () => {
    const netrc = parseNetrc('machine a login "John Smith" password "p\\"w d\\\\"');
    expect(netrc.machines.get('a')).toEqual({ login: 'John Smith', password: 'p"w d\\' });
  });

  it('skips a macdef body up to the next empty line', () => {
    const netrc = parseNetrc('macdef init\ncd /pub\nmachine fake login no\n\nmachine real login yes password p\n');
    expect([...netrc.machines.keys()]).toEqual(['real']);
  });

  it('is tolerant: unknown tokens, stray values, a missing last value, the first entry of a host winning', () => {
    const netrc = parseNetrc('login orphan\nmachine a port 21 login x\nmachine A login second password p2\nmachine b user u passwd pw\nmachine c login z password');
    expect(netrc.machines.get('a')).toEqual({ login: 'x' });
    expect(netrc.machines.get('b')).toEqual({ login: 'u', password: 'pw' });
    expect(netrc.machines.get('c')).toEqual({ login: 'z' });
  });

  it('matches host names without case and IPv6 addresses with or without brackets', () => {
    const netrc = parseNetrc('machine Files.Example.COM login x password y\nmachine ::1 login v6 password z');
    expect(netrcLookup(netrc, 'files.example.com')?.login).toBe('x');
    expect(netrcLookup(netrc, '[::1]')?.login).toBe('v6');
    expect(netrcLookup(netrc, 'other')).toBeUndefined();
  });

  it('reads an empty or comment-only file as no entries', () => {
    expect(parseNetrc('').machines.size).toBe(0);
    expect(parseNetrc('# nothing\n\n').machines.size).toBe(0);
  });
});
