/**
 * Fuzzing the lock readers with real locks: every uv.lock and pylock*.toml in
 * the shared corpus (../shared/corpus; see test/helpers/corpus.ts), mutated
 * as text (bytes inserted, deleted, repeated, cut short) or as a document
 * (fields deleted, given junk or another field's value, array items
 * duplicated), is read by `parseLock` into a LockGraph or refused with a
 * LockhouseError, and nothing else, within a loose time bound. Skipped, with
 * a warning saying why, where the corpus is absent.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';
import { corpusLocks } from '../helpers/corpus.js';
import { TimeBound, applyEdits, assertProperty, editArbitrary, onlyThrows, preview, runs, timeoutFor } from '../fuzz/fuzz.js';
import { TOML_SNIPPETS, type TomlTable, mutate, mutation, toToml } from '../fuzz/lock-shapes.js';

const locks = corpusLocks().map((lock) => {
  const text = readFileSync(lock.path, 'utf8');
  return { ...lock, label: `${lock.name}/${lock.file}`, text };
});
/** The TOML documents, parsed on first use (the structural mutations need them). */
const documents = new Map<number, TomlTable | null>();
function documentOf(index: number): TomlTable | null {
  if (!documents.has(index)) {
    try {
      documents.set(index, parseToml((locks[index] as (typeof locks)[number]).text) as TomlTable);
    } catch {
      documents.set(index, null); // a corpus file that is not TOML (a requirements.txt named pylock.toml)
    }
  }
  return documents.get(index) ?? null;
}

/** 200 ms plus 2 ms per KB: the largest lock (2.7 MB) is read in about 0.3 s. */
const bound = new TimeBound<{ text: string; path: string }>('parseLock on corpus locks', ({ text }) => 200 + 2 * Math.ceil(text.length / 1024));

const textCase = fc.record({
  kind: fc.constant('text' as const),
  edits: fc.array(editArbitrary(fc.constantFrom(...TOML_SNIPPETS), 20), { minLength: 1, maxLength: 4 }),
});
const documentCase = fc.record({
  kind: fc.constant('document' as const),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }),
});

/**
 * Every lock is mutated: `runs(total)` cases shared among them, at least two
 * each (one text and one document mutation, on average).
 */
const total = runs(Math.max(100, 2 * locks.length));
const perLock = Math.max(2, Math.ceil(total / Math.max(1, locks.length)));

describe.skipIf(locks.length === 0)('fuzz: parseLock on mutated real locks', () => {
  it(`returns a LockGraph or throws LockhouseError for every corpus lock (${locks.length}) mutated ${perLock} times, quickly`, async () => {
    const started = performance.now();
    const outcomes = new Map<string, number>();
    let unwritable = 0;
    for (const [index, lock] of locks.entries()) {
      assertProperty(fc.oneof(textCase, documentCase), (c) => {
        let text: string;
        if (c.kind === 'text') text = applyEdits(lock.text, c.edits);
        else {
          const document = documentOf(index);
          const written = document === null ? null : toToml(mutate(document, c.mutations));
          if (written === null) {
            unwritable++;
            return;
          }
          text = written;
        }
        const outcome = bound.time({ text, path: lock.file }, () =>
          onlyThrows(`parseLock(mutated ${lock.label}: ${preview(text, 120)})`, [LockhouseError], () => parseLock(text, lock.file)),
        );
        const key = 'value' in outcome ? 'graph' : (outcome.error as LockhouseError).code;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }, perLock);
    }
    const summary = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ${n}`).join(', ');
    const ms = Math.round(performance.now() - started);
    console.info(`fuzz: parseLock on mutated corpus locks: ${perLock * locks.length} cases (${locks.length} locks × ${perLock}) in ${ms} ms`);
    console.info(`fuzz: parseLock on mutated corpus locks: outcomes: ${summary}${unwritable ? `; ${unwritable} not writable as TOML` : ''}`);
    expect(outcomes.size).toBeGreaterThan(0);
    await bound.confirm(
      async () => {
        const { parseLock: fresh } = await import('../../src/lock/parse.js');
        return ({ text, path }) => fresh(text, path);
      },
      { text: 'version = 1\n', path: 'uv.lock' },
      ({ text, path }) => `${path}: ${preview(text, 120)}`,
    );
  }, timeoutFor(perLock * locks.length, 400));
});
