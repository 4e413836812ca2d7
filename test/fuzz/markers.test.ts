/**
 * Fuzzing the PEP 508 marker parser and evaluator: `parseMarker` returns or
 * throws MarkerSyntaxError (its documented error, which lock readers turn
 * into LOCK_INVALID_MARKER), `evaluateMarker` returns a boolean or throws
 * MarkerEvaluationError, and neither takes long on any input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MarkerContext,
  type MarkerEnvironment,
  MarkerEvaluationError,
  MarkerSyntaxError,
  type ParsedMarker,
  evaluateMarker,
  parseMarker,
} from '../../src/python/markers.js';
import { LINUX_312 } from '../helpers/marker-environments.js';
import { AWKWARD, TimeBound, anyText, applyEdits, check, editArbitrary, onlyThrows, preview, runs, timeoutFor } from './fuzz.js';

// ---------------------------------------------------------------------------
// Generators

const VARIABLES = [
  'python_version',
  'python_full_version',
  'os_name',
  'os.name',
  'sys_platform',
  'sys.platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform.version',
  'platform_machine',
  'platform.machine',
  'platform_python_implementation',
  'platform.python_implementation',
  'python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  'extras',
  'dependency_groups',
];
/** Words the tokenizer must refuse as variables, and near misses. */
const NOT_VARIABLES = ['python_versions', 'platform', 'os', 'sys.', 'Python_Version', 'foo', 'os.name.x', 'éxtra'];
const OPERATORS = ['===', '==', '~=', '!=', '<=', '>=', '<', '>', 'in', 'not in', 'not\tin', 'not  in'];
const BROKEN_OPERATORS = ['=', '!', '<>', '=<', 'not', 'notin', 'in not', '= =', '=~', '~', '===='];
const VERSIONS = [
  '3', '3.8', '3.10', '3.10.*', '3.*', '2.7.18', '3.13.0rc1', '3.14.0a1', '1!2.0', '3.12+local', '3.12.0+',
  'v3.8', '=3.8', ' 3.9 ', '3..8', '3.8.', '99999999999999999999', '3.8.post1.dev2', '0', '', '*', '3.8-1', '1.0+a.b-c_d',
];
const WORDS = [
  'linux', 'win32', 'darwin', 'cygwin', 'x86_64', 'aarch64', 'AMD64', 'arm64', 'CPython', 'PyPy', 'posix', 'nt', 'Linux',
  'Windows', 'cpu', 'Extra_Name', 'extra-3-pkg-cu128', 'group-4-pkg-dev', 'dev', '#1 SMP PREEMPT', 'a b', 'linux2',
];
const ESCAPES = ['\\x41', '\\n', '\\t', '\\\\', '\\N{DASH}', '\\u12', '\\u00e9', '\\U0010ffff', '\\U00110000', '\\777', '\\0', '\\q', '\\\n', '\\\r\n'];

const stringBody = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VERSIONS, ...WORDS) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...ESCAPES, ...WORDS, ...AWKWARD), { maxLength: 4 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const quoted = fc.tuple(fc.constantFrom("'", '"'), stringBody).map(([quote, body]) => `${quote}${body}${quote}`);
const variable = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...VARIABLES) }, { weight: 1, arbitrary: fc.constantFrom(...NOT_VARIABLES) });
const operand = fc.oneof(variable, quoted);
const operator = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...OPERATORS) }, { weight: 1, arbitrary: fc.constantFrom(...BROKEN_OPERATORS) });

/** A marker as a list of tokens: comparisons, parenthesised groups, and/or joins. */
const markerTokens: fc.Arbitrary<string[]> = fc.letrec<{ expr: string[]; item: string[]; group: string[]; join: string[] }>((tie) => ({
  expr: fc.oneof({ depthSize: 'small', maxDepth: 6 }, tie('item'), tie('group'), tie('join')),
  item: fc.tuple(operand, operator, operand),
  group: tie('expr').map((tokens) => ['(', ...tokens, ')']),
  join: fc.tuple(tie('expr'), fc.constantFrom('and', 'or'), tie('expr')).map(([a, join, b]) => [...a, join, ...b]),
})).expr;

/** Mostly a space, sometimes none, a tab, several, or a newline (valid only at the very end). */
const separator = fc.oneof({ weight: 8, arbitrary: fc.constant(' ') }, { weight: 1, arbitrary: fc.constantFrom('', '\t', '   ', ' \t', '\n', '\r\n') });

/** Tokens joined by separators, with one before the first and one after the last. */
function spaced(tokens: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return tokens.chain((list) =>
    fc
      .array(separator, { minLength: list.length + 1, maxLength: list.length + 1 })
      .map((seps) => list.map((token, i) => `${seps[i]}${token}`).join('') + seps[list.length]),
  );
}

/** Token-level breakage: drop, insert, duplicate or swap tokens. */
type TokenEdit = { kind: 'drop' | 'duplicate' | 'swap'; at: number } | { kind: 'insert'; at: number; token: string };
const tokenEdit: fc.Arbitrary<TokenEdit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const, 'swap' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    token: fc.oneof(fc.constantFrom('(', ')', 'and', 'or', 'not', 'in', ...OPERATORS, ...BROKEN_OPERATORS), operand, fc.constantFrom(...AWKWARD)),
  }),
);

function editTokens(tokens: readonly string[], edits: readonly TokenEdit[]): string[] {
  const out = [...tokens];
  for (const edit of edits) {
    const at = Math.min(out.length, Math.floor(edit.at * (out.length + 1)));
    if (edit.kind === 'insert') out.splice(at, 0, edit.token);
    else if (at < out.length) {
      if (edit.kind === 'drop') out.splice(at, 1);
      else if (edit.kind === 'duplicate') out.splice(at, 0, out[at] as string);
      else if (at + 1 < out.length) out.splice(at, 2, out[at + 1] as string, out[at] as string);
    }
  }
  return out;
}

const wellFormed = spaced(markerTokens);
const tokenBroken = spaced(fc.tuple(markerTokens, fc.array(tokenEdit, { minLength: 1, maxLength: 4 })).map(([tokens, edits]) => editTokens(tokens, edits)));
const textBroken = fc
  .tuple(wellFormed, fc.array(editArbitrary(fc.constantFrom(...AWKWARD, '(', ')', ' and ', ' or ', ' not in ', '"', "'")), { minLength: 1, maxLength: 3 }))
  .map(([text, edits]) => applyEdits(text, edits));

/** Deep nesting, balanced or not, in both of the forms a parser recurses on. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('plain', 'chained', 'unclosed', 'unopened'), fc.constantFrom("os_name == 'posix'", 'python_version >= "3.8"'))
  .map(([depth, form, item]) => {
    if (form === 'plain') return `${'('.repeat(depth)}${item}${')'.repeat(depth)}`;
    if (form === 'chained') return `${`(${item} and `.repeat(depth)}${item}${')'.repeat(depth)}`;
    if (form === 'unclosed') return `${'('.repeat(depth)}${item}`;
    return `${item}${')'.repeat(depth)}`;
  });

const generatedMarker = fc.oneof(
  { weight: 4, arbitrary: wellFormed },
  { weight: 2, arbitrary: tokenBroken },
  { weight: 2, arbitrary: textBroken },
  { weight: 1, arbitrary: deeplyNested },
);

const versionLike = fc
  .tuple(fc.array(fc.nat({ max: 20 }).map(String), { minLength: 1, maxLength: 4 }), fc.constantFrom('', 'rc1', 'a0', '.post1', '.dev0', '+local', '+', ' ', '.*', 'x'))
  .map(([parts, suffix]) => parts.join('.') + suffix);
const envValue = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...WORDS, ...VERSIONS) },
  { weight: 2, arbitrary: versionLike },
  { weight: 1, arbitrary: anyText(256) },
);
const environment: fc.Arbitrary<MarkerEnvironment> = fc.record({
  implementation_name: envValue,
  implementation_version: envValue,
  os_name: envValue,
  platform_machine: envValue,
  platform_python_implementation: envValue,
  platform_release: envValue,
  platform_system: envValue,
  platform_version: envValue,
  python_full_version: envValue,
  python_version: envValue,
  sys_platform: envValue,
});
const nameSet = fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 12 })), { maxLength: 4 }).map((names) => new Set(names));
const context: fc.Arbitrary<MarkerContext> = fc.record(
  { extras: nameSet, extrasSet: nameSet, dependencyGroups: nameSet },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------
// Properties

/** 50 ms, plus 1 ms per KB: linear parsing of a few KB takes well under 1 ms. */
const boundFor = (text: string): number => 50 + Math.ceil(text.length / 1024);

const parseBound = new TimeBound<string>('parseMarker', boundFor);
const evaluateBound = new TimeBound<{ text: string; env: MarkerEnvironment; context: MarkerContext }>('evaluateMarker', ({ text, env }) =>
  boundFor(text + Object.values(env).join('')),
);

/** parseMarker: a ParsedMarker, or MarkerSyntaxError and nothing else, within the bound. */
function parsesOrRefuses(text: string): ParsedMarker | null {
  const outcome = parseBound.time(text, () => onlyThrows(`parseMarker(${preview(text)})`, [MarkerSyntaxError], () => parseMarker(text)));
  return 'value' in outcome ? outcome.value : null;
}

async function freshParse(): Promise<(text: string) => unknown> {
  const { parseMarker: fresh } = await import('../../src/python/markers.js');
  return (text) => fresh(text);
}

const WARM_UP = "python_version >= '3.8' and (sys_platform == 'linux' or extra == 'cpu')";
parseMarker(WARM_UP);

describe('fuzz: parseMarker', () => {
  const anyCases = runs(3000);
  it('returns or throws MarkerSyntaxError on any string, quickly', async () => {
    check('parseMarker on arbitrary strings', anyText(), (text) => void parsesOrRefuses(text), anyCases);
    await parseBound.confirm(freshParse, WARM_UP, preview);
  }, timeoutFor(anyCases, 1));

  const generatedCases = runs(3000);
  it('returns or throws MarkerSyntaxError on generated markers, well-formed and broken, quickly', async () => {
    let parsed = 0;
    check('parseMarker on generated markers', generatedMarker, (text) => {
      if (parsesOrRefuses(text) !== null) parsed++;
    }, generatedCases);
    console.info(`fuzz: parseMarker on generated markers: ${parsed} of ${generatedCases} parsed`);
    // The generator must reach past the parser, or the evaluation property below proves little.
    expect(parsed).toBeGreaterThan(generatedCases / 10);
    await parseBound.confirm(freshParse, WARM_UP, preview);
  }, timeoutFor(generatedCases, 1));
});

describe('fuzz: evaluateMarker', () => {
  const cases = runs(3000);
  it('returns a boolean or throws MarkerEvaluationError, quickly, in any environment and context', async () => {
    let evaluated = 0;
    check(
      'evaluateMarker on generated markers and environments',
      fc.tuple(fc.oneof({ weight: 6, arbitrary: wellFormed }, { weight: 1, arbitrary: deeplyNested }), environment, context),
      ([text, env, ctx]) => {
        const marker = parsesOrRefuses(text);
        if (marker === null) return;
        const outcome = evaluateBound.time({ text, env, context: ctx }, () =>
          onlyThrows(`evaluateMarker(${preview(text)}, ${JSON.stringify(env)})`, [MarkerEvaluationError], () => evaluateMarker(marker, env, ctx)),
        );
        if ('value' in outcome) {
          expect(typeof outcome.value).toBe('boolean');
          evaluated++;
        }
        // The same marker by text only ({ text }) means the same thing.
        const again = onlyThrows('evaluateMarker({ text })', [MarkerEvaluationError], () => evaluateMarker({ text }, env, ctx));
        expect('value' in again ? again.value : 'threw').toBe('value' in outcome ? outcome.value : 'threw');
      },
      cases,
    );
    console.info(`fuzz: evaluateMarker: ${evaluated} of ${cases} cases evaluated to a boolean`);
    expect(evaluated).toBeGreaterThan(cases / 10);
    await evaluateBound.confirm(
      async () => {
        const fresh = await import('../../src/python/markers.js');
        return ({ text, env, context: ctx }) => fresh.evaluateMarker(fresh.parseMarker(text), env, ctx);
      },
      { text: WARM_UP, env: LINUX_312, context: {} },
      ({ text }) => preview(text),
    );
  }, timeoutFor(cases, 1));
});

// ---------------------------------------------------------------------------
// What the properties found, pinned as plain tests.

describe('fuzz regressions: markers', () => {
  const nested = (depth: number): string => `${'('.repeat(depth)}os_name == 'posix'${')'.repeat(depth)}`;

  it('a marker nested thousands of parentheses deep is a MarkerSyntaxError, not a stack overflow (RangeError)', () => {
    const error = onlyThrows('parseMarker', [MarkerSyntaxError], () => parseMarker(nested(9_112)));
    expect('error' in error && error.error.message.split('\n')[0]).toBe('Expected at most 400 nested parentheses; simplify the marker');
  });

  it('400 levels, as deep as packaging goes, still parse and evaluate', () => {
    expect(evaluateMarker(parseMarker(nested(400)), LINUX_312)).toBe(true);
    expect(() => parseMarker(nested(401))).toThrow(MarkerSyntaxError);
  });
});
