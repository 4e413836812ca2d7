/**
 * A tolerant .netrc parser (no I/O). The format, as curl, Python's `netrc`
 * and inetutils read it: whitespace-separated tokens; `machine NAME` starts
 * an entry, `default` starts the catch-all entry; inside an entry `login`
 * (or `user`), `password` (or `passwd`) and `account` take the next token;
 * `macdef NAME` is followed by a macro body that runs to the next empty line
 * (skipped). Tokens may be double-quoted with backslash escapes (`"a b\"c"`);
 * a `#` where a keyword is expected comments out the rest of the line, but
 * not where a value is expected, so `password #secret` works. Anything not
 * understood is skipped rather than fatal: a netrc written for another tool
 * must never stop a download that does not need it.
 */

export interface NetrcEntry {
  readonly login?: string;
  readonly password?: string;
  readonly account?: string;
}

export interface Netrc {
  /** By lower-cased host name. When a host is listed twice the first entry wins, as in curl. */
  readonly machines: ReadonlyMap<string, NetrcEntry>;
  readonly default: NetrcEntry | undefined;
}

export function parseNetrc(text: string): Netrc {
  const machines = new Map<string, NetrcEntry>();
  let defaultEntry: NetrcEntry | undefined;
  const lexer = new Lexer(text);
  let current: Record<string, string> | null = null;

  for (;;) {
    const keyword = lexer.next(false);
    if (keyword === null) break;
    switch (keyword) {
      case 'machine': {
        current = null;
        const host = lexer.next(true);
        if (host === null) break;
        const entry: Record<string, string> = {};
        if (!machines.has(host.toLowerCase())) machines.set(host.toLowerCase(), entry);
        current = entry;
        break;
      }
      case 'default':
        current = {};
        defaultEntry ??= current;
        break;
      case 'login':
      case 'user':
      case 'password':
      case 'passwd':
      case 'account': {
        const value = lexer.next(true);
        if (value === null || current === null) break;
        const field = keyword === 'user' ? 'login' : keyword === 'passwd' ? 'password' : keyword;
        current[field] ??= value;
        break;
      }
      case 'macdef':
        current = null;
        lexer.next(true); // the macro's name
        lexer.skipMacroBody();
        break;
      default:
        // An unknown token: skipped, as the tools above do.
        break;
    }
  }
  return { machines, default: defaultEntry };
}

/** The entry for `host` (case-insensitive, IPv6 brackets optional), else the `default` entry. */
export function netrcLookup(netrc: Netrc, host: string): NetrcEntry | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return netrc.machines.get(bare) ?? netrc.machines.get(`[${bare}]`) ?? netrc.default;
}

const WHITESPACE = /\s/;

class Lexer {
  #pos = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  /** The next token, or null at the end. `value`: a `#` starts a token, not a comment. */
  next(value: boolean): string | null {
    const text = this.#text;
    for (;;) {
      while (this.#pos < text.length && WHITESPACE.test(text[this.#pos]!)) this.#pos++;
      if (this.#pos >= text.length) return null;
      if (!value && text[this.#pos] === '#') {
        const end = text.indexOf('\n', this.#pos);
        this.#pos = end === -1 ? text.length : end + 1;
        continue;
      }
      break;
    }
    const quoted = text[this.#pos] === '"';
    if (quoted) this.#pos++;
    let token = '';
    while (this.#pos < text.length) {
      const char = text[this.#pos]!;
      if (quoted ? char === '"' : WHITESPACE.test(char)) break;
      if (char === '\\' && this.#pos + 1 < text.length) {
        token += text[this.#pos + 1];
        this.#pos += 2;
        continue;
      }
      token += char;
      this.#pos++;
    }
    if (quoted && this.#pos < text.length) this.#pos++; // the closing quote
    return token;
  }

  /** Skip a macdef body: up to and including the next empty line. */
  skipMacroBody(): void {
    const text = this.#text;
    const lineEnd = text.indexOf('\n', this.#pos);
    if (lineEnd === -1) {
      this.#pos = text.length;
      return;
    }
    const blank = /\n[ \t\r]*\n/g;
    blank.lastIndex = lineEnd;
    const match = blank.exec(text);
    this.#pos = match ? match.index + match[0].length : text.length;
  }
}
