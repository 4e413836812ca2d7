/**
 * What the fuzz properties share: how many cases they run, the one rule every
 * property checks (a reader returns, or throws one of its documented errors:
 * never a TypeError, a RangeError or a URIError), and a time bound that
 * catches catastrophic backtracking without flaking on a busy machine.
 *
 * Run counts are moderate so that `.ci/run` stays quick;
 * LOCKHOUSE_FUZZ_RUNS=N raises every property to at least N cases (a longer
 * local or nightly run), and LOCKHOUSE_FUZZ_SEED=S replays a run (fast-check
 * prints the seed and the path of a failure).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { vi } from 'vitest';

function positiveInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, found ${JSON.stringify(text)}`);
  return value;
}

const RAISED = positiveInteger('LOCKHOUSE_FUZZ_RUNS');
const SEED = process.env['LOCKHOUSE_FUZZ_SEED'] === undefined ? undefined : Number(process.env['LOCKHOUSE_FUZZ_SEED']);

/** The number of cases a property runs: its CI default, or LOCKHOUSE_FUZZ_RUNS when that is larger. */
export function runs(ciDefault: number): number {
  return RAISED === undefined ? ciDefault : Math.max(ciDefault, RAISED);
}

/** A vitest timeout for `cases` cases of about `msPerCase` each: the suite's minute, or more for a raised run. */
export function timeoutFor(cases: number, msPerCase: number): number {
  return Math.min(2 ** 31 - 1, Math.max(60_000, cases * msPerCase * 4));
}

/** fc.assert with the run's seed, when LOCKHOUSE_FUZZ_SEED gives one. */
export function assertProperty<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void, cases: number): void {
  fc.assert(
    fc.property(arbitrary, (value) => {
      predicate(value);
    }),
    { numRuns: cases, ...(SEED === undefined ? {} : { seed: SEED }) },
  );
}

/**
 * Check `predicate` on `cases` generated values, then say how many cases ran
 * and how long they took (the figure docs/reliability.md quotes).
 */
export function check<T>(label: string, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void, cases: number): void {
  const started = performance.now();
  assertProperty(arbitrary, predicate, cases);
  console.info(`fuzz: ${label}: ${cases} cases in ${Math.round(performance.now() - started)} ms`);
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Run `call`; an error that is not an instance of one of `allowed` fails the
 * case, with the original error's stack (where it was thrown) in the message.
 */
export function onlyThrows<T>(what: string, allowed: readonly ErrorClass[], call: () => T): { value: T } | { error: Error } {
  try {
    return { value: call() };
  } catch (error) {
    if (allowed.some((kind) => error instanceof kind)) return { error: error as Error };
    const shown = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    const expected = allowed.length === 0 ? 'when it must not throw' : `something other than ${allowed.map((kind) => kind.name).join(' or ')}`;
    throw new Error(`${what} threw ${expected}:\n${shown}`, { cause: error });
  }
}

/** Shorten an input for a message. */
export function preview(input: string, length = 200): string {
  return JSON.stringify(input.length > length ? `${input.slice(0, length)}…` : input) + ` (${input.length} chars)`;
}

/**
 * A per-call time bound. Each call is timed as it runs; one over the bound is
 * noted, not failed at once: a garbage collection, a JIT compilation or a
 * machine shared with other test runs can stall any call. After the property,
 * `confirm` times each noted input again, up to three times, in freshly
 * imported modules (so the parsers' memo caches cannot answer for them) after
 * a warm-up call on a benign input. Only an input slow every time fails: what
 * catastrophic backtracking looks like, seconds rather than milliseconds. (A
 * call that never returns shows as the test's timeout.)
 */
export class TimeBound<I> {
  readonly #slow: { input: I; ms: number }[] = [];

  constructor(
    readonly label: string,
    /** The bound in ms for an input: say 50 ms plus a little per KB. */
    readonly boundFor: (input: I) => number,
  ) {}

  time<T>(input: I, call: () => T): T {
    const started = performance.now();
    try {
      return call();
    } finally {
      const ms = performance.now() - started;
      if (ms > this.boundFor(input) && this.#slow.length < 20) this.#slow.push({ input, ms });
    }
  }

  /**
   * `fresh()` re-imports the modules (after vi.resetModules) and returns the
   * call to time; `warmUp` is a benign input it runs first.
   */
  async confirm(fresh: () => Promise<(input: I) => unknown>, warmUp: I, describe: (input: I) => string): Promise<void> {
    const failures: string[] = [];
    const failed: I[] = [];
    for (const { input, ms } of this.#slow) {
      let best = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 3 && best > this.boundFor(input); attempt++) {
        vi.resetModules();
        const call = await fresh();
        quietly(() => call(warmUp));
        const started = performance.now();
        quietly(() => call(input));
        best = Math.min(best, performance.now() - started);
      }
      const bound = this.boundFor(input);
      if (best > bound) {
        failures.push(`${describe(input)}: ${Math.round(ms)} ms, then at best ${Math.round(best)} ms (bound ${bound} ms)`);
        failed.push(input);
      } else console.info(`fuzz: ${this.label}: a call took ${Math.round(ms)} ms once, ${best.toFixed(1)} ms when timed again (noise)`);
    }
    this.#slow.length = 0;
    if (failures.length > 0) {
      // The inputs in full (they are long): to replay one, JSON.parse a line.
      const saved = join(mkdtempSync(join(tmpdir(), 'lockhouse-fuzz-')), 'slow-inputs.jsonl');
      writeFileSync(saved, failed.map((input) => JSON.stringify(input)).join('\n'));
      throw new Error(`${this.label}: too slow, every time (inputs in ${saved}):\n${failures.join('\n')}`);
    }
  }
}

function quietly(call: () => unknown): void {
  try {
    call();
  } catch {
    // Only the time matters here; the property checked what was thrown.
  }
}

/** Python's and the TOML writer's awkward characters, for insertion into otherwise plausible text. */
export const AWKWARD = [
  '-', '.', '_', '..', '/', '\\', ' ', '\t', '\n', '\r', '\0', '\u007f', '\u0085', '\u00a0', '\u2028', '\u202e',
  '\ufeff', 'é', 'İ', 'ß', '\u0301', '𝔘', '\ud800', '\udc00', '%', '%2', '%zz', '%E0%A4%A', '%2B', '+', '!', '*',
  '"', "'", '#', '=', '[', ']', '{', '}', ',', ';', '@', ':', '~', '<', '>', '(', ')',
];

/** Text mutations: insert, delete, replace, repeat, truncate, at random places. */
export type Edit =
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'replace'; readonly at: number; readonly length: number; readonly text: string }
  | { readonly kind: 'repeat'; readonly at: number; readonly length: number; readonly times: number }
  | { readonly kind: 'truncate'; readonly at: number };

/** An edit; positions are fractions of the text's length, so one edit fits any text. */
export function editArbitrary(insertions: fc.Arbitrary<string>, maxRepeat = 50): fc.Arbitrary<Edit> {
  const at = fc.double({ min: 0, max: 1, noNaN: true });
  return fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at, text: insertions }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('replace' as const), at, length: fc.integer({ min: 1, max: 8 }), text: insertions }),
    fc.record({
      kind: fc.constant('repeat' as const),
      at,
      length: fc.integer({ min: 1, max: 20 }),
      times: fc.integer({ min: 2, max: maxRepeat }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
  );
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const edit of edits) {
    const at = Math.min(out.length, Math.floor(edit.at * (out.length + 1)));
    switch (edit.kind) {
      case 'insert':
        out = out.slice(0, at) + edit.text + out.slice(at);
        break;
      case 'delete':
        out = out.slice(0, at) + out.slice(at + edit.length);
        break;
      case 'replace':
        out = out.slice(0, at) + edit.text + out.slice(at + edit.length);
        break;
      case 'repeat':
        out = out.slice(0, at) + out.slice(at, at + edit.length).repeat(edit.times) + out.slice(at + edit.length);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
    }
  }
  return out;
}

/** Any string, with the long and repetitive ones (where backtracking hides) well represented. */
export function anyText(maxLength = 4096): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
    { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...AWKWARD), maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 256 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: maxLength }))
        .map(([unit, times]) => unit.repeat(Math.ceil(times / unit.length)).slice(0, maxLength)),
    },
  );
}
