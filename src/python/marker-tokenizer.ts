/**
 * packaging's marker tokenizer (`_tokenizer.py`), as the parser drives it:
 * context-sensitive, so the parser asks "is token X here?" and the answer
 * depends on what it expects. Hand-written rather than packaging's regexes:
 * regexes dominated parsing time.
 */

export type TokenName = 'LEFT_PARENTHESIS' | 'RIGHT_PARENTHESIS' | 'QUOTED_STRING' | 'OP' | 'BOOLOP' | 'IN' | 'NOT' | 'VARIABLE' | 'WS';

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

/** Where token `name` would end if it starts at `start`, or -1. */
export function scanToken(source: string, start: number, name: TokenName): number {
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
