/**
 * One marker comparison as packaging 26.2's `_evaluate_markers` /
 * `_eval_op` evaluates it, compiled to a closure: a PEP 440 comparison for
 * version variables when the other side is a valid specifier, packaging's
 * string operators otherwise, the uv set reading of `extra`, and PEP 751's
 * `extras` / `dependency_groups` sets. Version comparisons remember their
 * answer per environment value.
 */
import { memoize, remember } from './bounded-cache.js';
import { type MarkerContext, type MarkerEnvironment, MarkerEvaluationError } from './marker-environment.js';
import type { MarkerComparison, MarkerOperator } from './marker-parse.js';
import { canonicalizeName } from './names.js';
import { parseSpecifier } from './pep440-specifier.js';

export type Test = (env: MarkerEnvironment, context: MarkerContext) => boolean;

export interface Compiled {
  readonly test: Test;
  /** Can evaluation throw? Then every comparison runs, as in packaging, so it throws when packaging does. */
  readonly mayThrow: boolean;
}

/**
 * Extras and group names from the context are normalised at every
 * evaluation, so their normal forms are remembered: running names.ts's
 * regex each time made evaluating a conflict-marker-heavy lock (SkyRL's)
 * three times slower.
 */
const canonicalName = memoize(canonicalizeName);

/** packaging compares these as PEP 440 versions when the other side is a valid specifier. */
const VERSION_VARIABLES = new Set(['implementation_version', 'platform_release', 'python_full_version', 'python_version']);
const ENVIRONMENT_VARIABLES = new Set([
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'python_version',
  'sys_platform',
]);

/** The operators packaging's `_operators` lacks: UndefinedComparison on strings. */
const STRING_UNDEFINED: ReadonlySet<MarkerOperator> = new Set<MarkerOperator>(['~=', '===']);

/** packaging's `_operators`, for anything that is not compared as a version. */
function compareStrings(op: MarkerOperator, lhs: string, rhs: string): boolean | undefined {
  switch (op) {
    case 'in':
      return rhs.includes(lhs);
    case 'not in':
      return !rhs.includes(lhs);
    case '==':
    case '<=': // yes: packaging treats <= and >= on strings as ==
    case '>=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
    case '>':
      return false;
    default:
      return undefined; // ~= and === are undefined on strings
  }
}

/**
 * Compiled comparisons that cannot throw are shared by every marker: a lock
 * repeats `platform_machine != 'aarch64'` thousands of times, and a shared
 * version comparison also shares its answers.
 */
const comparisons = new Map<string, Compiled>();

export function compileComparison(comparison: MarkerComparison, text: string): Compiled {
  const { left, op, right } = comparison;
  const key = `${left.kind}:${left.value}\0${op}\0${right.kind}:${right.value}`;
  let compiled = comparisons.get(key);
  if (compiled === undefined) {
    compiled = buildComparison(comparison, text);
    if (!compiled.mayThrow) remember(comparisons, key, compiled);
  }
  return compiled;
}

/** A comparison packaging refuses whatever the environment: evaluating the marker throws. */
function refused(message: string, text: string): Compiled {
  return {
    mayThrow: true,
    test: () => {
      throw new MarkerEvaluationError(`${message} in marker "${text}"`, text);
    },
  };
}

function readVariable(env: MarkerEnvironment, variable: keyof MarkerEnvironment): string {
  const value = env[variable] as string | undefined;
  if (typeof value !== 'string') throw new TypeError(`The marker environment has no "${variable}"`);
  // packaging's _repair_python_full_version: "3.13.0+" (an untagged build) is not PEP 440.
  return variable === 'python_full_version' && value.endsWith('+') ? `${value}local` : value;
}

function buildComparison({ left, op, right }: MarkerComparison, text: string): Compiled {
  // packaging looks up whichever side is a variable (the left one first) and
  // takes the other side's text as is, even when it is a variable's name.
  const envOnLeft = left.kind === 'variable';
  const key = envOnLeft ? left.value : right.value;
  const constant = envOnLeft ? right.value : left.value;

  if (key === 'extras' || key === 'dependency_groups') {
    if (envOnLeft) return refused(`The set "${key}" can only be the right operand of "in" / "not in"`, text);
    const name = canonicalName(constant);
    const pick = key === 'extras' ? (c: MarkerContext) => c.extrasSet : (c: MarkerContext) => c.dependencyGroups;
    switch (op) {
      case 'in':
        return { mayThrow: false, test: (_env, context) => hasName(pick(context), name) };
      case 'not in':
        return { mayThrow: false, test: (_env, context) => !hasName(pick(context), name) };
      case '~=':
      case '===':
        return refused(`Undefined comparison "${constant}" ${op} ${key}`, text);
      default: {
        const answer = op === '!='; // a string never equals a set
        return { mayThrow: false, test: () => answer };
      }
    }
  }

  if (key === 'extra') {
    // The set reading: true when some activated extra satisfies it; for the
    // negated operators, when none satisfies the positive one. No extras at
    // all reads as packaging's `extra == ""`.
    if (STRING_UNDEFINED.has(op)) return refused(`Undefined comparison ${op} on extra`, text);
    const negated = op === '!=' || op === 'not in';
    const positive: MarkerOperator = op === '!=' ? '==' : op === 'not in' ? 'in' : op;
    const satisfies = envOnLeft
      ? (extra: string) => compareStrings(positive, extra, constant)
      : (extra: string) => compareStrings(positive, constant, extra);
    return {
      mayThrow: false,
      test: (_env, context) => {
        const extras = context.extras;
        if (extras === undefined || extras.size === 0) return satisfies('') !== negated;
        for (const extra of extras) if (satisfies(canonicalName(extra))) return !negated;
        return negated;
      },
    };
  }

  if (!ENVIRONMENT_VARIABLES.has(key)) return refused(`Unknown marker variable "${key}"`, text);
  const variable = key as keyof MarkerEnvironment;

  if (!VERSION_VARIABLES.has(key)) {
    if (STRING_UNDEFINED.has(op)) return refused(`Undefined comparison ${op} on ${key}`, text);
    return {
      mayThrow: false,
      test: envOnLeft
        ? (env) => compareStrings(op, readVariable(env, variable), constant) as boolean
        : (env) => compareStrings(op, constant, readVariable(env, variable)) as boolean,
    };
  }

  // A version variable: a PEP 440 comparison when `op + right side` is a
  // valid specifier, a string comparison otherwise. Only ~= and === have no
  // string fallback, so only they can be undefined.
  if (envOnLeft && STRING_UNDEFINED.has(op) && parseSpecifier(`${op}${constant}`) === null) {
    return refused(`Undefined comparison ${op} "${constant}" on ${key}`, text);
  }
  const compare = (lhs: string, rhs: string): boolean => {
    const specifier = parseSpecifier(`${op}${rhs}`);
    if (specifier !== null) return specifier(lhs);
    const answer = compareStrings(op, lhs, rhs);
    if (answer === undefined) {
      throw new MarkerEvaluationError(`Undefined comparison "${lhs}" ${op} "${rhs}" in marker "${text}"`, text);
    }
    return answer;
  };
  const answers = new Map<string, boolean>();
  return {
    // `'3.8' ~= python_version` is defined in some environments and not in others.
    mayThrow: !envOnLeft && STRING_UNDEFINED.has(op),
    test: (env) => {
      const value = readVariable(env, variable);
      let answer = answers.get(value);
      if (answer === undefined) {
        answer = envOnLeft ? compare(value, constant) : compare(constant, value);
        if (answers.size >= 64) answers.clear(); // a handful of targets; stay small regardless
        answers.set(value, answer);
      }
      return answer;
    },
  };
}

/** Membership after normalising both sides, as packaging does for `extras` and `dependency_groups`. */
function hasName(names: ReadonlySet<string> | undefined, name: string): boolean {
  if (names === undefined || names.size === 0) return false;
  if (names.has(name)) return true;
  for (const candidate of names) if (canonicalName(candidate) === name) return true;
  return false;
}

