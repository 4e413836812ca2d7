/**
 * PEP 508 marker syntax: packaging's recursive descent (`_parser.py`) over
 * its context-sensitive tokenizer (marker-tokenizer.ts), with its error
 * messages and caret, and the syntax tree in packaging's own shape.
 */
import { canonicalizeName } from './names.js';
import { type TokenName, scanToken } from './marker-tokenizer.js';
import { decodePythonString } from './python-string-literal.js';

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

const OPERATOR_EXPECTED = 'marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in';

/**
 * How deep parentheses may nest. The parser recurses once per level, so
 * without a limit a few thousand `(` overflow the stack: a RangeError instead
 * of a syntax error (found by test/fuzz). packaging recurses as well and fails
 * with Python's RecursionError between 400 and 500 levels; real markers nest
 * a handful.
 */
const MAX_NESTING = 400;

/** The syntax tree of a marker, or a MarkerSyntaxError with packaging's message. */
export function parseMarkerList(source: string): MarkerList {
  const parser = new Parser(source);
  const list = parser.markerList();
  parser.expectEnd();
  return normalizeExtras(list);
}

class Parser {
  private position = 0;
  private depth = 0;

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
      if (++this.depth > MAX_NESTING) {
        throw this.error(`Expected at most ${MAX_NESTING} nested parentheses; simplify the marker`, open);
      }
      this.take('WS');
      atom = this.markerList();
      this.take('WS');
      if (this.take('RIGHT_PARENTHESIS') === null) {
        throw this.error('Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression', open);
      }
      this.depth--;
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
    if (quoted !== null) {
      const fail = (why: string) => syntaxError(`Invalid string literal: ${why}`, this.source, start, start + quoted.length);
      return { kind: 'string', value: decodePythonString(quoted, fail) };
    }
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
    const end = scanToken(this.source, this.position, name);
    if (end < 0) return null;
    const text = this.source.slice(this.position, end);
    this.position = end;
    return text;
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

export function isList(item: MarkerComparison | MarkerList): item is MarkerList {
  return Array.isArray(item);
}
