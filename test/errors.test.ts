/**
 * One error hierarchy, one registry: every error class is a LockhouseError
 * with a registered code; every code src/ prints or writes is registered in
 * src/errors.ts (ErrorCodes, VerifyCodes); docs/errors.md explains each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, ExitCode, LockhouseError, VerifyCodes, formatPath, isLockhouseError } from '../src/errors.js';
import { BuildError } from '../src/io/build/build-error.js';
import { FetchError, FetchErrorCodes, isFetchError } from '../src/io/http/errors.js';
import { storeError } from '../src/io/store/store-error.js';

const root = join(import.meta.dirname, '..');
const errorsDoc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
const registered = new Set<string>([...Object.keys(ErrorCodes), ...VerifyCodes]);

describe('formatPath', () => {
  it.each([
    [['packages', 12, 'wheels', 3, 'hash'], 'packages[12].wheels[3].hash'],
    [['package', 0, 'optional-dependencies', 'cli', 1], 'package[0].optional-dependencies.cli[1]'],
    [['tool', 'a b'], 'tool["a b"]'],
    [[], ''],
  ])('%j → %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});

describe('LockhouseError', () => {
  it('carries its code, its exit code and a hint, and prints both', () => {
    const error = new LockhouseError('LOCK_NOT_TOML', 'uv.lock is not TOML', { hint: 'check line 3' });
    expect(error.exitCode).toBe(ExitCode.USAGE);
    expect(error.format()).toBe('error[LOCK_NOT_TOML]: uv.lock is not TOML\n  hint: check line 3');
  });
});

describe('every error class is a LockhouseError', () => {
  const cause = new Error('ECONNREFUSED');
  it.each([
    {
      name: 'FetchError',
      error: new FetchError('FETCH_HTTP_STATUS', 'GET https://example.test/f: Not Found - 404', { url: 'https://example.test/f', status: 404, attempts: 1, hint: 'check the URL', cause }),
      code: 'FETCH_HTTP_STATUS',
      exitCode: ExitCode.PARTIAL,
      printed: 'error[FETCH_HTTP_STATUS]: GET https://example.test/f: Not Found - 404\n  hint: check the URL',
    },
    {
      name: 'BuildError',
      error: new BuildError('Building a 1.0 with uv failed: it exited with code 1.', { logPath: '/tmp/a.log', tail: ['boom'] }),
      code: 'BUILD_FAILED',
      exitCode: ExitCode.PARTIAL,
      printed: 'error[BUILD_FAILED]: Building a 1.0 with uv failed: it exited with code 1.\n  hint: the build log is /tmp/a.log',
    },
    {
      name: 'LockhouseError',
      error: storeError('OUTPUT_UNSAFE_PATH', 'DIR/.lockhouse is a symbolic link'),
      code: 'OUTPUT_UNSAFE_PATH',
      exitCode: ExitCode.USAGE,
      printed: 'error[OUTPUT_UNSAFE_PATH]: DIR/.lockhouse is a symbolic link',
    },
  ])('$name: $code, exit $exitCode, printed without a stack', ({ name, error, code, exitCode, printed }) => {
    expect(error).toBeInstanceOf(LockhouseError);
    expect(isLockhouseError(error)).toBe(true);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(exitCode);
    expect(error.format()).toBe(printed);
    expect(error.clipanion).toEqual({ type: 'none' });
  });

  it('FetchError keeps its data and its cause, and isFetchError tells it from other LockhouseErrors', () => {
    const error = new FetchError('FETCH_NETWORK', 'GET https://example.test/f: reset', { url: 'https://example.test/f', attempts: 4, cause });
    expect(error).toMatchObject({ url: 'https://example.test/f', status: undefined, attempts: 4, hint: undefined, cause });
    expect(isFetchError(error)).toBe(true);
    expect(isFetchError(new LockhouseError('USAGE', 'no'))).toBe(false);
  });
});

describe('the registry', () => {
  it('gives every error code an exit code DESIGN.md defines', () => {
    const exitCodes: number[] = Object.values(ExitCode);
    for (const [code, exitCode] of Object.entries(ErrorCodes)) expect(exitCodes, code).toContain(exitCode);
  });

  it('keeps the verify codes apart from the error codes', () => {
    expect(VerifyCodes.filter((code) => code in ErrorCodes)).toEqual([]);
    expect(new Set(VerifyCodes).size).toBe(VerifyCodes.length);
  });

  it('holds the FETCH_* codes FetchError takes', () => {
    expect(FetchErrorCodes).toEqual(Object.keys(ErrorCodes).filter((code) => code.startsWith('FETCH_')));
    expect(FetchErrorCodes.length).toBeGreaterThan(0);
  });

  it.each([...registered])('docs/errors.md explains %s', (code) => {
    expect(errorsDoc).toMatch(new RegExp(`^### ${code}$`, 'm'));
  });

  // Where src/ names a code as a string literal: printed (`error[CODE]`);
  // given as a code (`code: 'CODE'`, `code = x ?? 'CODE'`, a type union or a
  // z.enum of them, an Extract<…Code, …>); compared (`code === 'CODE'`); or
  // passed to an error's constructor, a failure or codeOf.
  const LITERAL = /'([A-Z][A-Z0-9_]+)'/g;
  const uses: ReadonlyArray<readonly [RegExp, 'bare' | 'quoted']> = [
    [/error\[([A-Z][A-Z0-9_]+)\]/g, 'bare'],
    [/\bcode\??\s*(?::|=(?!=))\s*([^,;\n]*)/g, 'quoted'],
    [/\bcode\??\s*:\s*z\.enum\(\[([^\]]*)\]/g, 'quoted'],
    [/\bcode\s*[!=]==\s*('[A-Z][A-Z0-9_]+')/g, 'quoted'],
    [/(?:\b(?:new [A-Z]\w*|storeError|lockError|failure|super)\(|\bcodeOf\(\w+,)\s*('[A-Z][A-Z0-9_]+')/g, 'quoted'],
    [/\bExtract<\w*Code,\s*([^>]*)>/g, 'quoted'],
  ];
  // Node's and undici's own codes, branched on and never reported as
  // lockhouse's: errno names (and ENOTREG, raised in their style by the
  // hashing code for "not a regular file"), AbortError's, undici's UND_ERR_*.
  const foreign = (code: string): boolean => code in constants.errno || code === 'ENOTREG' || code === 'ABORT_ERR' || code.startsWith('UND_ERR_');

  const found = new Map<string, string>();
  const src = join(root, 'src');
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const [pattern, form] of uses) {
      for (const match of text.matchAll(pattern)) {
        const codes = form === 'bare' ? [match[1]!] : [...match[1]!.matchAll(LITERAL)].map((literal) => literal[1]!);
        for (const code of codes) if (!found.has(code)) found.set(code, file);
      }
    }
  }

  it('finds the codes src/ uses (the scan itself works)', () => {
    for (const code of ['USAGE', 'INTERNAL', 'PLAN_UNBUILT', 'MIRROR_MISSING', 'FETCH_HTTP_STATUS', 'ABSENT', 'UNEXPLAINED', 'ENOENT']) {
      expect([...found.keys()], code).toContain(code);
    }
  });

  it('registers every code src/ uses', () => {
    const unregistered = [...found].filter(([code]) => !registered.has(code) && !foreign(code)).map(([code, file]) => `${code} (src/${file})`);
    expect(unregistered).toEqual([]);
  });
});
