/**
 * A Python string literal's value. packaging reads a marker's quoted strings
 * with Python's `ast.literal_eval`, so backslash escapes are Python's:
 * `'\x41'` is "A", `'\d'` stays `\d`, a backslash-newline disappears.
 * `\N{NAME}` would need Unicode's name table; we refuse it rather than guess
 * (no lock has one).
 */

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
 * The value of `token`, a quoted string with its quotes. What Python refuses
 * goes to `fail`, which returns the error to throw (the caller knows where
 * the token stands).
 */
export function decodePythonString(token: string, fail: (why: string) => Error): string {
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
