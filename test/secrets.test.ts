/**
 * src/secrets.ts: the registry of secrets and the one scrubber every sink
 * uses. The command line's own proof (every output of every failure path)
 * is test/security/secret-sinks.test.ts; these pin the text rules.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, registerCredential, registerSecret, registerUrlSecrets, removeUserinfo, scrubSecrets } from '../src/secrets.js';

const PASSWORD = 's3cr3t-PW/with#odd@chars';
const ENCODED = encodeURIComponent(PASSWORD);

afterEach(() => forgetSecrets());

describe('removeUserinfo: the URL rule', () => {
  it.each([
    ['a URL with userinfo', 'GET https://robot:pw12@host/files/a.whl: 404', 'GET https://host/files/a.whl: 404'],
    ['a percent-encoded password', `see http://robot:${ENCODED}@127.0.0.1:9/simple/`, 'see http://127.0.0.1:9/simple/'],
    ['a token as the user name', 'https://ghp_token1234@github.com/o/r.git', 'https://github.com/o/r.git'],
    ['a password with an unencoded "/" and "#" (the URL does not parse)', `GET https://robot:${PASSWORD}@127.0.0.1:9/files/a.whl: not a URL`, 'GET https://127.0.0.1:9/files/a.whl: not a URL'],
    ['an unencoded "/" in a numeric password (the URL parses, as host "robot")', 'https://robot:1234/abc@host/y', 'https://host/y'],
    ['an unencoded "#" in a numeric password', 'https://robot:12#34@host/y', 'https://host/y'],
    ['two URLs in one token (--mirror FROM=TO)', `FROM=TO, not "https://files.example/simple=http://robot:${PASSWORD}@127.0.0.1:9/simple"`, 'FROM=TO, not "https://files.example/simple=http://127.0.0.1:9/simple"'],
    ['inside JSON', `{"url":"http://robot:${ENCODED}@h:1/x","b":"https://u:p@h/"}`, '{"url":"http://h:1/x","b":"https://h/"}'],
    ['an "@" in a query after real userinfo', 'https://u:p@h/x?e=a@b', 'https://h/x?e=a@b'],
  ])('%s', (_what, text, expected) => {
    expect(removeUserinfo(text)).toBe(expected);
  });

  it.each([
    ['a git URL with a revision after "@"', 'git+https://github.com/o/r.git@v1.0'],
    ['an "@" in a path', 'https://host/@scope/pkg/x.whl'],
    ['no URL at all', 'user@example.com wrote: a@b'],
    ['a URL without userinfo', 'https://host:8080/simple/x/'],
  ])('leaves %s as it is', (_what, text) => {
    expect(removeUserinfo(text)).toBe(text);
  });

  it('is linear in its input: 200 000 URLs, and a 1 MB run of scheme characters', () => {
    const many = 'https://u:pw@h/x '.repeat(200_000);
    expect(removeUserinfo(many)).toBe('https://h/x '.repeat(200_000));
    const run = `${'a'.repeat(1_000_000)}://u:p@h`;
    expect(removeUserinfo(run)).toBe(`${'a'.repeat(1_000_000)}://h`);
  });
});

describe('registered secrets', () => {
  it('a password registered from a URL is replaced in every form: as written, decoded, percent-encoded (either case), JSON-escaped, and base64(user:password)', () => {
    registerUrlSecrets(`url = "http://robot:${ENCODED}@127.0.0.1:1/files/x"`);
    const forms = [PASSWORD, ENCODED, ENCODED.toLowerCase().replace('s3cr3t-pw', 's3cr3t-PW'), Buffer.from(`robot:${PASSWORD}`).toString('base64')];
    for (const form of forms) expect(scrubSecrets(`before ${form} after`)).toBe('before **** after');
    const json = 'pa"ss\\word';
    registerSecret(json);
    expect(scrubSecrets(JSON.stringify({ value: `x${json}y` }))).toBe('{"value":"x****y"}');
  });

  it('a password with unencoded "/" and "#" is registered from a URL that does not parse', () => {
    registerUrlSecrets(`https_proxy=http://robot:${PASSWORD}@proxy:3128`);
    expect(scrubSecrets(`the password is ${PASSWORD}.`)).toBe('the password is ****.');
  });

  it('a credential: the password, or the user name when there is none (a token); secrets under 4 characters are left to the URL rule', () => {
    registerCredential('robot', 'hunter22');
    registerCredential('ghp_abcdef', '');
    registerCredential('bob', 'pw');
    expect(scrubSecrets('robot hunter22 ghp_abcdef bob pw')).toBe('robot **** **** bob pw');
  });

  it('text without a secret comes back as the same string', () => {
    registerSecret('hunter22');
    const text = 'nothing to see here';
    expect(scrubSecrets(text)).toBe(text);
  });
});
