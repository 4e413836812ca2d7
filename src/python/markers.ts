/**
 * PEP 508 environment markers: parse once, evaluate many times, with the
 * answers Python's `packaging` 26.2 gives for
 * `Marker(text).evaluate(environment, context="lock_file")`. The way in for
 * the rest of lockhouse; the work is done by
 * - marker-parse.ts (with marker-tokenizer.ts, python-string-literal.ts):
 *   packaging's `_tokenizer.py` and `_parser.py`;
 * - marker-evaluate.ts and marker-comparison.ts: `markers.py`'s evaluation,
 *   against marker-environment.ts's environment and context;
 * - pep440-version.ts and pep440-specifier.ts: the parts of `version.py` and
 *   `specifiers.py` that markers reach.
 *
 * Where packaging is odd we are odd the same way, and say so: a lock means
 * what its installer makes of it. test/golden/markers.json (written by
 * scripts/golden/markers.py with packaging itself) pins the behaviour.
 */
import { memoize } from './bounded-cache.js';
import type { Marker, MarkerEnvironment } from '../model.js';
import type { MarkerContext } from './marker-environment.js';
import type { Test } from './marker-comparison.js';
import { compileMarker } from './marker-evaluate.js';
import { type MarkerList, parseMarkerList } from './marker-parse.js';

export { type MarkerContext, type MarkerEnvironment, MarkerEvaluationError } from './marker-environment.js';
export {
  type MarkerComparison,
  type MarkerList,
  type MarkerOperand,
  type MarkerOperator,
  MarkerSyntaxError,
} from './marker-parse.js';

export type { Marker };

/** What parseMarker returns: the text and its syntax tree. */
export interface ParsedMarker extends Marker {
  readonly expression: MarkerList;
}

export function parseMarker(text: string): ParsedMarker {
  return parseCached(text);
}

export function evaluateMarker(marker: Marker, env: MarkerEnvironment, context: MarkerContext = NO_CONTEXT): boolean {
  // A Marker built elsewhere (say `{ text }`) is parsed here, once per text.
  const compiled = marker instanceof MarkerImpl ? marker.compiled : parseCached(marker.text).compiled;
  return compiled(env, context);
}

const NO_CONTEXT: MarkerContext = {};

const parseCached = memoize((text: string) => new MarkerImpl(text, parseMarkerList(text)));

/**
 * The expression is a prototype getter so that the object's own fields stay
 * `{ text }`, the shape Marker had before parsing mattered to anyone.
 */
class MarkerImpl implements ParsedMarker {
  readonly #expression: MarkerList;
  #compiled: Test | undefined;

  constructor(
    readonly text: string,
    expression: MarkerList,
  ) {
    this.#expression = expression;
  }

  get expression(): MarkerList {
    return this.#expression;
  }

  get compiled(): Test {
    this.#compiled ??= compileMarker(this.#expression, this.text);
    return this.#compiled;
  }

  toString(): string {
    return this.text;
  }
}
