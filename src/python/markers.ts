/**
 * PEP 508 environment markers: parse once, evaluate many times, with the
 * answers Python's `packaging` 26.2 gives for
 * `Marker(text).evaluate(environment, context="lock_file")`.
 *
 * The tokenizer, grammar and evaluation rules follow packaging's
 * `_tokenizer.py`, `_parser.py`, `markers.py` and the parts of
 * `specifiers.py` that markers reach. Where packaging is odd we are odd the
 * same way, and say so: a lock means what its installer makes of it.
 * test/golden/markers.json (written by scripts/golden/markers.py with
 * packaging itself) pins the behaviour.
 *
 * One deliberate extension: `extra` is a set (MarkerContext.extras), which is
 * how uv.lock's conflict markers read (`extra == 'extra-3-pkg-cpu'` means
 * "that item is activated"). With zero or one element it is exactly
 * packaging's string `extra`.
 */
import { parse as parsePep440 } from '@renovatebot/pep440';
import { VERSION_PATTERN } from '@renovatebot/pep440/lib/version.js';
import { LockhouseError } from '../errors.js';

/** The eleven PEP 508 marker variables of one environment. */
export interface MarkerEnvironment {
  readonly implementation_name: string;
  readonly implementation_version: string;
  readonly os_name: string;
  readonly platform_machine: string;
  readonly platform_python_implementation: string;
  readonly platform_release: string;
  readonly platform_system: string;
  readonly platform_version: string;
  readonly python_full_version: string;
  readonly python_version: string;
  readonly sys_platform: string;
}

/**
 * What a marker is evaluated with beyond the environment.
 * - `extras`: the values `extra` may take. `extra == 'x'` is true when x is in
 *   the set, `extra != 'x'` when it is not (uv's conflict markers and plain
 *   extras alike). Absent: the set is empty.
 * - `extrasSet` / `dependencyGroups`: the PEP 751 `extras` and
 *   `dependency_groups` variables (`'dev' in dependency_groups`).
 * Names are compared after PEP 503 normalisation, as packaging does.
 */
export interface MarkerContext {
  readonly extras?: ReadonlySet<string>;
  readonly extrasSet?: ReadonlySet<string>;
  readonly dependencyGroups?: ReadonlySet<string>;
}

export interface Marker {
  readonly text: string;
}

export type MarkerOperator = '===' | '==' | '~=' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'not in';
export interface MarkerOperand {
  readonly kind: 'variable' | 'string';
  readonly value: string;
}
export interface MarkerComparison {
  readonly left: MarkerOperand;
  readonly op: MarkerOperator;
  readonly right: MarkerOperand;
}
/**
 * packaging's own shape: comparisons and parenthesised sub-lists joined by
 * 'and' / 'or' in source order; 'and' binds tighter at evaluation.
 */
export type MarkerList = readonly (MarkerComparison | MarkerList | 'and' | 'or')[];

/** What parseMarker returns: the text and its syntax tree. */
export interface ParsedMarker extends Marker {
  readonly expression: MarkerList;
}

export class MarkerSyntaxError extends Error {
  constructor(
    message: string,
    readonly marker: string,
    /** Where parsing stopped: packaging's caret. */
    readonly position: number,
    /** Where the offending span starts (packaging underlines start..position). */
    readonly start: number = position,
  ) {
    super(message);
    this.name = 'MarkerSyntaxError';
  }
}

/**
 * A marker that parses but that packaging refuses to evaluate: a comparison
 * it calls undefined (`os_name ~= 'x'`), a set on the left (`extras == 'x'`),
 * or an unknown variable (`'a' == 'b'` looks `b` up). packaging raises on
 * these whatever the other operands say, and so do we.
 */
export class MarkerEvaluationError extends LockhouseError {
  constructor(
    message: string,
    readonly marker: string,
  ) {
    super('LOCK_INVALID_MARKER', message, { hint: 'packaging (pip, uv) cannot evaluate this marker either; fix it in the lock' });
    this.name = 'MarkerEvaluationError';
  }
}

// ---------------------------------------------------------------------------
// Public entry points

export function parseMarker(text: string): ParsedMarker {
  return parseCached(text);
}

export function evaluateMarker(marker: Marker, env: MarkerEnvironment, context: MarkerContext = NO_CONTEXT): boolean {
  // A Marker built elsewhere (say `{ text }`) is parsed here, once per text.
  const compiled = marker instanceof MarkerImpl ? marker.compiled : parseCached(marker.text).compiled;
  return compiled(env, context);
}

const NO_CONTEXT: MarkerContext = {};

function parseCached(text: string): MarkerImpl {
  let marker = parsedByText.get(text);
  if (marker === undefined) {
    marker = new MarkerImpl(text, parseExpression(text));
    remember(parsedByText, text, marker);
  }
  return marker;
}

/** PEP 503 normalisation, as packaging's canonicalize_name (extras and groups are names). */
function canonicalizeName(name: string): string {
  let normal = canonicalNames.get(name);
  if (normal === undefined) {
    normal = name.toLowerCase().replace(/[_.]/g, '-').replace(/-{2,}/g, '-');
    remember(canonicalNames, name, normal);
  }
  return normal;
}

type Test = (env: MarkerEnvironment, context: MarkerContext) => boolean;

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
    this.#compiled ??= compileList(this.#expression, this.text).test;
    return this.#compiled;
  }

  toString(): string {
    return this.text;
  }
}

// Caches keyed by strings that come from locks and targets: a few thousand
// entries at most. The cap only guards a long-lived process fed endless text.
const CACHE_LIMIT = 50_000;
const parsedByText = new Map<string, MarkerImpl>();
const canonicalNames = new Map<string, string>();

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

// ---------------------------------------------------------------------------
// Parsing: packaging's context-sensitive tokenizer and recursive descent.

/** Python's `\s` and str.strip() whitespace (str.isspace), not JavaScript's `\s`. */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
type TokenName = 'LEFT_PARENTHESIS' | 'RIGHT_PARENTHESIS' | 'QUOTED_STRING' | 'OP' | 'BOOLOP' | 'IN' | 'NOT' | 'VARIABLE' | 'WS';

/**
 * The words packaging's tokenizer accepts, each written there as
 * `\b(...)\b`. The dotted spellings are PEP 345 leftovers it still takes.
 */
const WORDS: Readonly<Partial<Record<TokenName, ReadonlySet<string>>>> = {
  BOOLOP: new Set(['or', 'and']),
  IN: new Set(['in']),
  NOT: new Set(['not']),
  VARIABLE: new Set([
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
  ]),
};
/** Where a dotted spelling continues past its first word. */
const DOTTED_PREFIXES = new Set(['os', 'sys', 'platform']);
const OPERATORS = ['===', '==', '~=', '!=', '<=', '>=', '<', '>'] as const;

/** Python's Unicode `\w` (for its `\b`): letters, digits of any script, and `_`. */
function isWordCode(code: number | undefined): boolean {
  if (code === undefined) return false;
  if (code < 128) return isAsciiWordCode(code);
  return /^[\p{L}\p{N}]$/u.test(String.fromCodePoint(code));
}

function asciiWordEnd(source: string, start: number): number {
  let end = start;
  while (end < source.length && isAsciiWordCode(source.charCodeAt(end))) end++;
  return end;
}

function isAsciiWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/** The code point that ends just before `index`, surrogate pairs included. */
function codeBefore(source: string, index: number): number | undefined {
  if (index <= 0) return undefined;
  const low = source.charCodeAt(index - 1);
  return source.codePointAt(low >= 0xdc00 && low <= 0xdfff && index >= 2 ? index - 2 : index - 1);
}

const OPERATOR_EXPECTED = 'marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in';

function parseExpression(source: string): MarkerList {
  const parser = new Parser(source);
  const list = parser.markerList();
  parser.expectEnd();
  return normalizeExtras(list);
}

class Parser {
  private position = 0;

  constructor(private readonly source: string) {}

  /** marker = marker_atom (BOOLOP marker_atom)* */
  markerList(): MarkerList {
    const items: (MarkerComparison | MarkerList | 'and' | 'or')[] = [this.atom()];
    for (let join = this.take('BOOLOP'); join !== null; join = this.take('BOOLOP')) {
      items.push(join as 'and' | 'or', this.atom());
    }
    return items;
  }

  /** Python's `$`: the end, or just before one final newline. */
  expectEnd(): void {
    const rest = this.source.length - this.position;
    if (rest === 0 || (rest === 1 && this.source[this.position] === '\n')) return;
    throw this.error('Expected end of marker expression');
  }

  /** marker_atom = WS? ( '(' WS? marker WS? ')' | marker_item ) WS? */
  private atom(): MarkerComparison | MarkerList {
    this.take('WS');
    let atom: MarkerComparison | MarkerList;
    const open = this.position;
    if (this.take('LEFT_PARENTHESIS') !== null) {
      this.take('WS');
      atom = this.markerList();
      this.take('WS');
      if (this.take('RIGHT_PARENTHESIS') === null) {
        throw this.error('Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression', open);
      }
    } else {
      atom = this.item();
    }
    this.take('WS');
    return atom;
  }

  /** marker_item = WS? marker_var WS? marker_op WS? marker_var WS? */
  private item(): MarkerComparison {
    this.take('WS');
    const left = this.operand();
    this.take('WS');
    const op = this.operator();
    this.take('WS');
    const right = this.operand();
    this.take('WS');
    return { left, op, right };
  }

  private operand(): MarkerOperand {
    const variable = this.take('VARIABLE');
    if (variable !== null) {
      const name = variable.replace('.', '_');
      return { kind: 'variable', value: name === 'python_implementation' ? 'platform_python_implementation' : name };
    }
    const start = this.position;
    const quoted = this.take('QUOTED_STRING');
    if (quoted !== null) return { kind: 'string', value: decodePythonString(quoted, this.source, start) };
    throw this.error('Expected a marker variable or quoted string');
  }

  private operator(): MarkerOperator {
    if (this.take('IN') !== null) return 'in';
    if (this.take('NOT') !== null) {
      if (this.take('WS') === null) throw this.error("Expected whitespace after 'not'");
      if (this.take('IN') === null) throw this.error("Expected 'in' after 'not'");
      return 'not in';
    }
    const op = this.take('OP');
    if (op !== null) return op as MarkerOperator;
    throw this.error(`Expected ${OPERATOR_EXPECTED}`);
  }

  private take(name: TokenName): string | null {
    const end = this.scan(name);
    if (end < 0) return null;
    const text = this.source.slice(this.position, end);
    this.position = end;
    return text;
  }

  /** Where token `name` would end if it starts here, or -1. Hand-written: regexes dominated parsing time. */
  private scan(name: TokenName): number {
    const { source, position: start } = this;
    switch (name) {
      case 'WS': {
        let end = start;
        while (source[end] === ' ' || source[end] === '\t') end++;
        return end > start ? end : -1;
      }
      case 'LEFT_PARENTHESIS':
        return source[start] === '(' ? start + 1 : -1;
      case 'RIGHT_PARENTHESIS':
        return source[start] === ')' ? start + 1 : -1;
      case 'QUOTED_STRING': {
        const quote = source[start];
        if (quote !== "'" && quote !== '"') return -1;
        const close = source.indexOf(quote, start + 1);
        return close < 0 ? -1 : close + 1;
      }
      case 'OP': {
        const op = OPERATORS.find((candidate) => source.startsWith(candidate, start));
        return op === undefined ? -1 : start + op.length;
      }
      default: {
        // A whole word between two `\b`s. Every accepted word ends in a word
        // character, so a longer run that is not a word means no match at all.
        if (isWordCode(codeBefore(source, start))) return -1;
        let end = asciiWordEnd(source, start);
        if (name === 'VARIABLE' && source[end] === '.' && DOTTED_PREFIXES.has(source.slice(start, end))) {
          end = asciiWordEnd(source, end + 1);
        }
        if (!(WORDS[name] as ReadonlySet<string>).has(source.slice(start, end))) return -1;
        return isWordCode(source.codePointAt(end)) ? -1 : end;
      }
    }
  }

  private error(message: string, start = this.position): MarkerSyntaxError {
    return syntaxError(message, this.source, start, this.position);
  }
}

/** packaging's ParserSyntaxError text: the message, the marker, and a caret under the spot. */
function syntaxError(message: string, source: string, start: number, end: number): MarkerSyntaxError {
  const underline = `${' '.repeat(start)}${'~'.repeat(end - start)}^`;
  return new MarkerSyntaxError(`${message}\n    ${source}\n    ${underline}`, source, end, start);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * packaging reads a quoted string with Python's `ast.literal_eval`, so
 * backslash escapes are Python's: `'\x41'` is "A", `'\d'` stays `\d`, a
 * backslash-newline disappears. `\N{NAME}` would need Unicode's name table;
 * we refuse it rather than guess (no lock has one).
 */
function decodePythonString(token: string, source: string, start: number): string {
  const fail = (why: string): MarkerSyntaxError => syntaxError(`Invalid string literal: ${why}`, source, start, start + token.length);
  const body = token.slice(1, -1);
  if (!body.includes('\\')) {
    if (/[\n\r]/.test(body)) throw fail('unterminated string literal (a newline inside quotes)');
    if (body.includes('\0')) throw fail('source code string cannot contain null bytes');
    return body;
  }
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\n' || c === '\r') throw fail('unterminated string literal (a newline inside quotes)');
    if (c === '\0') throw fail('source code string cannot contain null bytes');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[++i];
    if (next === undefined) throw fail('unterminated string literal (the closing quote is escaped)');
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
    } else if (next === '\n') {
      // line continuation
    } else if (next === '\r') {
      if (body[i + 1] === '\n') i++;
    } else if (next >= '0' && next <= '7') {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i, i + 3))?.[0] ?? next;
      out += String.fromCharCode(parseInt(digits, 8));
      i += digits.length - 1;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw fail(`truncated \\${next} escape`);
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw fail(`illegal Unicode character \\${next}${hex}`);
      out += String.fromCodePoint(code);
      i += width;
    } else if (next === 'N') {
      throw fail('\\N{...} escapes are not supported');
    } else {
      out += `\\${next}`; // Python keeps an unknown escape as written
    }
  }
  return out;
}

/**
 * packaging normalises the string compared with `extra` at parse time, but
 * only in comparisons at the top level: `(extra == 'Foo_Bar')` keeps its
 * spelling and so never matches. A packaging quirk, kept on purpose. When the
 * other side is a variable, it is its *name* that gets normalised.
 */
function normalizeExtras(list: MarkerList): MarkerList {
  return list.map((item) => {
    if (typeof item === 'string' || isList(item)) return item;
    if (item.left.kind === 'variable' && item.left.value === 'extra') {
      return { ...item, right: { kind: 'string', value: canonicalizeName(item.right.value) } };
    }
    if (item.right.kind === 'variable' && item.right.value === 'extra') {
      return { ...item, left: { kind: 'string', value: canonicalizeName(item.left.value) } };
    }
    return item;
  });
}

function isList(item: MarkerComparison | MarkerList): item is MarkerList {
  return Array.isArray(item);
}

// ---------------------------------------------------------------------------
// PEP 440, as far as markers reach it.
//
// Versions are parsed by @renovatebot/pep440 (`parse` with an anchored copy
// of its VERSION_PATTERN, padded with Python whitespace as packaging's
// `Version` allows). Its comparisons are not used, because they disagree with
// packaging 26.2 where markers can tell:
// - `satisfies('1.0b1', '>1.0a1')` is false (it rejects every version with
//   the same release for < and >); packaging says true. Likewise
//   `<1.0.post1` against 1.0a1.
// - `==3.11.0.*` against 3.11 is false; packaging pads the release (true).
// - `===1.0` against 1.0+local is true (it drops the local part); packaging
//   compares the strings (false).
// - `~=v3.8` against 3.9 is true; packaging builds its prefix from the text
//   and so never matches (false).
// - local segments go through Number(), so `+0x1` equals `+1`; `clean()`
//   prints `1.0+abc.1` as `1.0+abc,1`; `compare()` re-parses strings on
//   every call and throws on surrounding whitespace.
// So the local segment is re-read from the text, and the comparison key and
// the specifier rules below follow packaging's `_cmpkey` and `Specifier`.
// Release numbers are JavaScript numbers: exact up to 2**53, which no real
// version exceeds (Python's ints are unbounded).

interface Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre: readonly [string, number] | null;
  readonly post: number | null;
  readonly dev: number | null;
  readonly local: readonly (string | number)[] | null;
}

/** What renovate's `parse` really returns (its .d.ts says otherwise). */
interface Pep440Parts {
  readonly epoch: number;
  readonly release: number[];
  readonly pre: [string, number] | null;
  readonly post: [string, number] | null;
  readonly dev: [string, number] | null;
}

const VERSION_REGEX = new RegExp(`^[${PY_SPACE}]*(?:${VERSION_PATTERN})[${PY_SPACE}]*$`, 'i');
const STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const versions = new Map<string, Version | null>();

function pyStrip(text: string): string {
  return text.replace(STRIP, '');
}

function parseVersion(text: string): Version | null {
  let version = versions.get(text);
  if (version === undefined) {
    const parts = parsePep440(text, VERSION_REGEX) as unknown as Pep440Parts | null;
    const plus = text.indexOf('+');
    version =
      parts === null
        ? null
        : {
            epoch: parts.epoch,
            release: parts.release,
            pre: parts.pre,
            post: parts.post === null ? null : parts.post[1],
            dev: parts.dev === null ? null : parts.dev[1],
            local:
              plus < 0
                ? null
                : pyStrip(text.slice(plus + 1))
                    .split(/[._-]/)
                    .map((part) => (/^[0-9]+$/.test(part) ? Number(part) : part.toLowerCase())),
          };
    remember(versions, text, version);
  }
  return version;
}

const PRE_RANK: Readonly<Record<string, number>> = { a: 0, b: 1, rc: 2 };

/** packaging's `_cmpkey` order: epoch, release without trailing zeros, pre/post/dev, local. */
function compareVersions(a: Version, b: Version): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const release = compareReleases(a.release, b.release);
  if (release !== 0) return release;
  const suffix = compareTuples(suffixKey(a), suffixKey(b));
  if (suffix !== 0) return suffix;
  if (a.local === null || b.local === null) return (a.local === null ? 0 : 1) - (b.local === null ? 0 : 1);
  for (let i = 0; i < Math.min(a.local.length, b.local.length); i++) {
    const x = a.local[i] as string | number;
    const y = b.local[i] as string | number;
    if (x === y) continue;
    // Strings sort before numbers; strings by code point, numbers by value.
    if (typeof x !== typeof y) return typeof x === 'string' ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.local.length - b.local.length;
}

function compareReleases(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(trimmedLength(a), trimmedLength(b));
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function trimmedLength(release: readonly number[]): number {
  let end = release.length;
  while (end > 0 && release[end - 1] === 0) end--;
  return end;
}

function suffixKey(v: Version): number[] {
  // A dev release with no pre or post part sorts before every pre-release.
  const preRank = v.pre !== null ? (PRE_RANK[v.pre[0]] ?? 0) : v.post === null && v.dev !== null ? -1 : 3;
  return [preRank, v.pre?.[1] ?? 0, v.post === null ? 0 : 1, v.post ?? 0, v.dev === null ? 1 : 0, v.dev ?? 0];
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

const isPrerelease = (v: Version): boolean => v.pre !== null || v.dev !== null;
const publicVersion = (v: Version): Version => (v.local === null ? v : { ...v, local: null });

/** str(Version): the normalised spelling. */
function formatVersion(v: Version): string {
  let text = v.release.join('.');
  if (v.epoch !== 0) text = `${v.epoch}!${text}`;
  if (v.pre !== null) text += `${v.pre[0]}${v.pre[1]}`;
  if (v.post !== null) text += `.post${v.post}`;
  if (v.dev !== null) text += `.dev${v.dev}`;
  if (v.local !== null) text += `+${v.local.join('.')}`;
  return text;
}

/**
 * packaging's `Specifier` grammar (its `_regex`, with IGNORECASE). Built by
 * concatenation, as packaging builds `f"{op}{value}"`, so
 * `python_version < '=3.8'` is the specifier `<=3.8`.
 */
const SPECIFIER_REGEX = (() => {
  const S = `[${PY_SPACE}]*`;
  const release = '(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*';
  const pre = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
  const post = '(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?';
  const dev = '(?:[-_.]?dev[-_.]?[0-9]*)?';
  const local = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
  const arbitrary = `===${S}[^${PY_SPACE};)]*`;
  const equality = `(?:==|!=)${S}v?${release}(?:\\.\\*|${pre}${post}${dev}${local})?`;
  const compatible = `~=${S}v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${pre}${post}${dev}`;
  const ordered = `(?:<=|>=|<|>)${S}v?${release}${pre}${post}${dev}`;
  return new RegExp(`^${S}(?:${arbitrary}|${equality}|${compatible}|${ordered})${S}$`, 'i');
})();

/** `Specifier(text).contains(item, prereleases=True)`, or null when packaging rejects the specifier. */
type Specifier = (item: string) => boolean;
const specifiers = new Map<string, Specifier | null>();

function parseSpecifier(text: string): Specifier | null {
  let specifier = specifiers.get(text);
  if (specifier === undefined) {
    specifier = SPECIFIER_REGEX.test(text) ? buildSpecifier(pyStrip(text)) : null;
    remember(specifiers, text, specifier);
  }
  return specifier;
}

function buildSpecifier(spec: string): Specifier {
  const op = spec.startsWith('===') ? '===' : /^(?:~=|==|!=|<=|>=)/.test(spec) ? spec.slice(0, 2) : spec.slice(0, 1);
  const text = pyStrip(spec.slice(op.length));
  if (op === '===') {
    // The one operator that works on any string, version or not.
    const lower = text.toLowerCase();
    return (item) => item.toLowerCase() === lower;
  }
  const matches = (test: (v: Version) => boolean): Specifier => {
    return (item) => {
      const v = parseVersion(item);
      return v !== null && test(v); // anything that is not a version fails, even !=
    };
  };
  if ((op === '==' || op === '!=') && text.endsWith('.*')) {
    const prefix = versionSplit(canonicalizeVersion(text.slice(0, -2)));
    return op === '==' ? matches((v) => prefixMatches(prefix, v)) : matches((v) => !prefixMatches(prefix, v));
  }
  const specVersion = parseVersion(text) as Version; // the grammar above guarantees a version
  switch (op) {
    case '==':
      return matches((v) => equalsExactly(v, specVersion));
    case '!=':
      return matches((v) => !equalsExactly(v, specVersion));
    case '<=':
      return matches((v) => compareVersions(publicVersion(v), specVersion) <= 0);
    case '>=':
      return matches((v) => compareVersions(publicVersion(v), specVersion) >= 0);
    case '<': {
      // <V excludes V's own pre-releases (from V.dev0 up) unless V is one.
      const earliest: Version = { ...specVersion, dev: 0, local: null };
      return matches(
        (v) =>
          compareVersions(v, specVersion) < 0 && (isPrerelease(specVersion) || !isPrerelease(v) || compareVersions(v, earliest) < 0),
      );
    }
    case '>': {
      // >V excludes V's post-releases unless V is one, and V's local versions.
      const postOf = (v: Version): boolean =>
        v.post !== null && compareVersions({ ...v, post: null, dev: null, local: null }, specVersion) === 0;
      return matches(
        (v) =>
          compareVersions(v, specVersion) > 0 &&
          !(specVersion.post === null && postOf(v)) &&
          !(v.local !== null && compareVersions(publicVersion(v), specVersion) === 0),
      );
    }
    default: {
      // ~=: >=V and ==prefix.*, the prefix cut from the text as written (so
      // a leading 'v' ends up in it and nothing matches: packaging does that).
      const prefix = versionSplit(canonicalizeVersion(compatiblePrefix(text)));
      return matches((v) => compareVersions(publicVersion(v), specVersion) >= 0 && prefixMatches(prefix, v));
    }
  }
}

function equalsExactly(v: Version, spec: Version): boolean {
  // Without a local part in the specifier, the candidate's local part is ignored.
  return compareVersions(spec.local === null ? publicVersion(v) : v, spec) === 0;
}

/** packaging's `_version_split`: epoch first, and `1rc2` split in two. */
function versionSplit(version: string): string[] {
  const bang = version.lastIndexOf('!');
  const result = [bang < 0 ? '0' : version.slice(0, bang) || '0'];
  for (const item of version.slice(bang + 1).split('.')) {
    const match = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (match) result.push(match[1] as string, match[2] as string);
    else result.push(item);
  }
  return result;
}

function canonicalizeVersion(text: string): string {
  const version = parseVersion(text);
  return version === null ? text : formatVersion(version);
}

function compatiblePrefix(text: string): string {
  const kept: string[] = [];
  for (const part of versionSplit(text)) {
    if (['dev', 'a', 'b', 'rc', 'post'].some((suffix) => part.startsWith(suffix))) break;
    kept.push(part);
  }
  kept.pop();
  const [epoch, ...rest] = kept;
  return `${epoch ?? ''}!${rest.join('.')}`;
}

/** `==prefix.*`: the candidate's release, zero-padded, starts with the prefix. */
function prefixMatches(prefix: readonly string[], v: Version): boolean {
  let numeric = 0;
  while (numeric < prefix.length && /^[0-9]+$/.test(prefix[numeric] as string)) numeric++;
  const candidate = versionSplit(formatVersion(publicVersion(v)));
  let candidateNumeric = 0;
  while (candidateNumeric < candidate.length && /^[0-9]+$/.test(candidate[candidateNumeric] as string)) candidateNumeric++;
  if (candidateNumeric < numeric) candidate.splice(candidateNumeric, 0, ...Array<string>(numeric - candidateNumeric).fill('0'));
  if (candidate.length < prefix.length) return false;
  return prefix.every((part, i) => candidate[i] === part);
}

// ---------------------------------------------------------------------------
// Evaluation: each comparison compiles to a closure; version comparisons
// remember their answer per environment value.

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

interface Compiled {
  readonly test: Test;
  /** Can evaluation throw? Then every comparison runs, as in packaging, so it throws when packaging does. */
  readonly mayThrow: boolean;
}

function compileList(list: MarkerList, text: string): Compiled {
  const groups: Test[][] = [[]];
  let mayThrow = false;
  for (const item of list) {
    if (item === 'or') groups.push([]);
    else if (item !== 'and') {
      const compiled = isList(item) ? compileList(item, text) : compileComparison(item, text);
      (groups[groups.length - 1] as Test[]).push(compiled.test);
      mayThrow ||= compiled.mayThrow;
    }
  }
  const first = groups[0] as Test[];
  if (groups.length === 1 && first.length === 1) return { test: first[0] as Test, mayThrow };
  if (mayThrow) {
    return {
      mayThrow,
      test: (env, context) => {
        let any = false;
        for (const group of groups) {
          let all = true;
          for (const test of group) if (!test(env, context)) all = false;
          if (all) any = true;
        }
        return any;
      },
    };
  }
  return {
    mayThrow,
    test: (env, context) => {
      next: for (const group of groups) {
        for (const test of group) if (!test(env, context)) continue next;
        return true;
      }
      return false;
    },
  };
}

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

function compileComparison(comparison: MarkerComparison, text: string): Compiled {
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
    const name = canonicalizeName(constant);
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
        for (const extra of extras) if (satisfies(canonicalizeName(extra))) return !negated;
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
  for (const candidate of names) if (canonicalizeName(candidate) === name) return true;
  return false;
}
