/**
 * Fuzzing the lock readers through their one way in, `parseLock(text, path)`:
 * on documents shaped like uv.lock and pylock.toml with random omissions,
 * wrong types and junk in every field, and on raw text mutations of them, it
 * returns a LockGraph or throws a LockhouseError (any code), and never
 * anything else, within a loose time bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';
import type { LockGraph } from '../../src/model.js';
import { TimeBound, applyEdits, check, editArbitrary, onlyThrows, preview, runs, timeoutFor } from './fuzz.js';
import { TOML_SNIPPETS, type TomlTable, mutate, mutation, pylockDocument, toToml, uvLockDocument } from './lock-shapes.js';

/** File names: each format's own, the other's, and one that leaves detection to the content. */
const PATHS = ['uv.lock', 'pylock.toml', 'pylock.dev.toml', 'locks/lock.toml', 'requirements.txt'];

/** 100 ms plus 2 ms per KB: reading a small lock takes a few ms. */
const bound = new TimeBound<{ text: string; path: string }>('parseLock', ({ text }) => 100 + 2 * Math.ceil(text.length / 1024));

const outcomes = new Map<string, number>();
function count(key: string): void {
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

/** parseLock: a LockGraph or a LockhouseError, nothing else, within the bound. */
function readsOrRefuses(text: string, path: string): LockGraph | null {
  const outcome = bound.time({ text, path }, () => onlyThrows(`parseLock(${preview(text, 400)}, ${JSON.stringify(path)})`, [LockhouseError], () => parseLock(text, path)));
  if ('value' in outcome) {
    count('graph');
    expect(Array.isArray(outcome.value.packages)).toBe(true);
    return outcome.value;
  }
  count((outcome.error as LockhouseError).code);
  return null;
}

async function freshParseLock(): Promise<(input: { text: string; path: string }) => unknown> {
  const { parseLock: fresh } = await import('../../src/lock/parse.js');
  return ({ text, path }) => fresh(text, path);
}

const WARM_UP = {
  text: 'version = 1\nrequires-python = ">=3.9"\n\n[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [{ url = "https://x/a-1.0-py3-none-any.whl", hash = "sha256:' + 'a'.repeat(64) + '" }]\n',
  path: 'uv.lock',
};
parseLock(WARM_UP.text, WARM_UP.path);

/** A document, its mutations, and the name it is read under. */
function documents(shape: fc.Arbitrary<TomlTable>, ownPath: string): fc.Arbitrary<{ text: string; path: string }> {
  return fc
    .tuple(
      shape,
      fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }) }),
      fc.oneof({ weight: 4, arbitrary: fc.constant(ownPath) }, { weight: 1, arbitrary: fc.constantFrom(...PATHS) }),
    )
    .map(([document, mutations, path]) => ({ text: toToml(mutate(document, mutations)) ?? '', path }));
}

/** The same, then a few raw edits of the TOML text. */
function edited(inputs: fc.Arbitrary<{ text: string; path: string }>): fc.Arbitrary<{ text: string; path: string }> {
  return fc
    .tuple(inputs, fc.array(editArbitrary(fc.constantFrom(...TOML_SNIPPETS)), { minLength: 1, maxLength: 3 }))
    .map(([{ text, path }, edits]) => ({ text: applyEdits(text, edits), path }));
}

function report(label: string): void {
  const summary = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ${n}`).join(', ');
  console.info(`fuzz: ${label}: outcomes: ${summary}`);
  outcomes.clear();
}

const SHAPES: ReadonlyArray<readonly [format: string, shape: fc.Arbitrary<TomlTable>]> = [
  ['uv.lock', uvLockDocument],
  ['pylock.toml', pylockDocument],
];

describe.each(SHAPES)('fuzz: parseLock on %s-shaped documents', (format, shape) => {
  const cases = runs(1500);
  it('returns a LockGraph or throws LockhouseError, quickly', async () => {
    check(`parseLock on generated ${format} documents`, documents(shape, format), ({ text, path }) => void readsOrRefuses(text, path), cases);
    const graphs = outcomes.get('graph') ?? 0;
    report(`parseLock on generated ${format} documents`);
    // The generator must reach past the schema into conversion, or the property proves little.
    expect(graphs).toBeGreaterThan(cases / 50);
    await bound.confirm(freshParseLock, WARM_UP, ({ text }) => preview(text));
  }, timeoutFor(cases, 5));

  const editedCases = runs(1000);
  it('returns a LockGraph or throws LockhouseError on raw text mutations, quickly', async () => {
    check(`parseLock on edited ${format} texts`, edited(documents(shape, format)), ({ text, path }) => void readsOrRefuses(text, path), editedCases);
    report(`parseLock on edited ${format} texts`);
    await bound.confirm(freshParseLock, WARM_UP, ({ text }) => preview(text));
  }, timeoutFor(editedCases, 5));
});

describe('fuzz: parseLock on any text', () => {
  const cases = runs(2000);
  it('returns a LockGraph or throws LockhouseError, quickly', async () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.constantFrom(...TOML_SNIPPETS), maxLength: 40 }));
    check('parseLock on arbitrary text', fc.tuple(text, fc.constantFrom(...PATHS)), ([t, path]) => void readsOrRefuses(t, path), cases);
    report('parseLock on arbitrary text');
    await bound.confirm(freshParseLock, WARM_UP, ({ text: t }) => preview(t));
  }, timeoutFor(cases, 2));
});

// ---------------------------------------------------------------------------
// What the properties found, pinned as plain tests.

describe('fuzz regressions: lock readers', () => {
  it('a legacy file:// source with a malformed percent-escape is LOCK_INVALID_FIELD, not a URIError', () => {
    // Shrunk from a generated three-package lock.
    const text = 'version = 1\n\n[[package]]\nname = "eps"\nversion = "1!2.0rc1"\nsource = "directory+file:///%zz"\n';
    const outcome = onlyThrows('parseLock', [LockhouseError], () => parseLock(text, 'uv.lock'));
    expect('error' in outcome && (outcome.error as LockhouseError).format()).toMatchInlineSnapshot(`
      "error[LOCK_INVALID_FIELD]: uv.lock: package[0].source (eps 1!2.0rc1): expected a file:// URL with valid percent-escapes, found "file:///%zz"
        hint: uv writes \`%\` in a path as \`%25\`; regenerate the lock with \`uv lock\`"
    `);
  });
});
