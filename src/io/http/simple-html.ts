/**
 * The little of HTML a PEP 503 page needs (no I/O, no dependency): its `<a>`
 * anchors (attributes and text) and its `<base href>`. Tolerant, as pip is:
 * attribute values in double, single or no quotes, a `>` inside a quoted
 * value, upper-case tags, comments, tags inside the anchor text, unclosed
 * anchors (their text runs to the next `<a>` or the end of the page).
 * Entities are decoded in attribute values and text: numeric ones and the
 * named ones simple pages use.
 *
 * One forward scan, whatever the page holds: a mirror's page is the
 * network's input, so a malformed page must cost no more than a sound one of
 * its size. The scan never goes back; every lookahead (a closing quote, the
 * end of a comment, `</script>`) either consumes what it scanned or, for
 * quotes, remembers where the next one is, so no character is looked at more
 * than a few times. `Meter.steps` counts every character looked at, so a test
 * can prove that bound without a clock (test/io/http/simple-html.test.ts).
 * Rules the HTML standard has and simple pages never need (character
 * references without `;`, `<textarea>`, foreign content) are left out.
 */

export interface Anchor {
  readonly attributes: ReadonlyMap<string, string>;
  /** The text, tags removed, entities decoded, trimmed. */
  readonly text: string;
}

export interface SimpleHtml {
  readonly anchors: readonly Anchor[];
  /** The first `<base href>` before the scan stopped, if any. */
  readonly base: string | undefined;
  /** The page has more than `maxAnchors` anchors: the scan stopped at the one past the limit. */
  readonly overflow: boolean;
}

export interface ParseOptions {
  readonly meter?: Meter;
  /** Stop at the anchor past this many (default: no limit). */
  readonly maxAnchors?: number;
}

/** Counts the characters a parse looks at (for tests: the bound on work, measured without a clock). */
export interface Meter {
  steps: number;
}

/** Attributes kept per tag: a simple page's anchors carry a handful; a page of thousands per tag is not worth a Map each. */
const MAX_ATTRIBUTES = 64;

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const EQUALS = 0x3d;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const HASH = 0x23;
const SEMICOLON = 0x3b;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isAlphanumeric(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0x30 && c <= 0x39);
}

/** The next index of one character at or after a position that only moves forward: each character is scanned once. */
class NextIndex {
  #at = -2; // -2: not looked for yet; -1: none left
  readonly #text: string;
  readonly #code: number;
  readonly #meter: Meter;

  constructor(text: string, code: number, meter: Meter) {
    this.#text = text;
    this.#code = code;
    this.#meter = meter;
  }

  from(position: number): number {
    if (this.#at === -1 || this.#at >= position) return this.#at;
    const text = this.#text;
    let i = position;
    while (i < text.length && text.charCodeAt(i) !== this.#code) i++;
    this.#meter.steps += i - position + 1;
    this.#at = i < text.length ? i : -1;
    return this.#at;
  }
}

interface Tag {
  readonly name: string;
  readonly attributes: Map<string, string>;
}

export function parseSimpleHtml(html: string, options: ParseOptions = {}): SimpleHtml {
  const meter = options.meter ?? { steps: 0 };
  const maxAnchors = options.maxAnchors ?? Infinity;
  const n = html.length;
  const quotes = { [DQUOTE]: new NextIndex(html, DQUOTE, meter), [SQUOTE]: new NextIndex(html, SQUOTE, meter) };
  const anchors: Anchor[] = [];
  let base: string | undefined;
  // The anchor being read: its attributes and the text runs seen so far.
  let open: { attributes: Map<string, string>; text: string[] } | null = null;
  let textStart = 0; // where the current text run began
  let i = 0;

  const closeText = (end: number): void => {
    if (open && end > textStart) open.text.push(html.slice(textStart, end));
  };
  const closeAnchor = (): void => {
    if (!open) return;
    anchors.push({ attributes: open.attributes, text: decodeEntities(open.text.join(''), meter).trim() });
    open = null;
  };
  /** Skip past the next `>` (or to the end); returns the new position. */
  const skipPast = (from: number, code: number): number => {
    let j = from;
    while (j < n && html.charCodeAt(j) !== code) j++;
    meter.steps += j - from + 1;
    return j < n ? j + 1 : n;
  };

  while (i < n) {
    meter.steps++;
    if (html.charCodeAt(i) !== LT) {
      i++;
      continue;
    }
    const next = i + 1 < n ? html.charCodeAt(i + 1) : -1;
    if (next === BANG && html.startsWith('<!--', i)) {
      closeText(i);
      const end = html.indexOf('-->', i + 4);
      meter.steps += (end === -1 ? n : end + 3) - i;
      i = end === -1 ? n : end + 3;
      textStart = i;
    } else if (next === BANG || next === QUESTION) {
      // <!DOCTYPE …>, <![CDATA[…]]>, <?xml …?>: skipped whole.
      closeText(i);
      i = skipPast(i + 1, GT);
      textStart = i;
    } else if (next === SLASH) {
      closeText(i);
      const nameEnd = tagNameEnd(html, i + 2, meter);
      const name = html.slice(i + 2, nameEnd).toLowerCase();
      i = readAttributes(html, nameEnd, quotes, meter, null);
      if (name === 'a') closeAnchor();
      textStart = i;
    } else if (next !== -1 && isAsciiLetter(next)) {
      closeText(i);
      const nameEnd = tagNameEnd(html, i + 1, meter);
      const tag: Tag = { name: html.slice(i + 1, nameEnd).toLowerCase(), attributes: new Map() };
      i = readAttributes(html, nameEnd, quotes, meter, tag.attributes);
      if (tag.name === 'a') {
        closeAnchor(); // an unclosed anchor ends where the next one starts
        if (anchors.length >= maxAnchors) return { anchors, base, overflow: true };
        open = { attributes: tag.attributes, text: [] };
      } else if (tag.name === 'base') {
        base ??= tag.attributes.get('href');
      } else if (tag.name === 'script' || tag.name === 'style') {
        // Raw text: no tags inside, up to the matching end tag.
        i = endTagAt(html, tag.name, i, meter);
      }
      textStart = i;
    } else {
      // A `<` that starts no tag (`a < b`) is text.
      i++;
    }
  }
  closeText(n);
  closeAnchor();
  return { anchors, base, overflow: false };
}

/** Where a tag name that starts at `start` ends: at whitespace, `/`, `>` or the end. */
function tagNameEnd(html: string, start: number, meter: Meter): number {
  let i = start;
  while (i < html.length) {
    const c = html.charCodeAt(i);
    if (isSpace(c) || c === SLASH || c === GT) break;
    i++;
  }
  meter.steps += i - start + 1;
  return i;
}

/**
 * Read the attributes of a tag from `start` (just past its name) to its `>`;
 * returns the position just past the `>` (or the end of the page). Names are
 * lower-cased, the first of two with one name wins, values are decoded. A
 * quote that no later quote closes opens no value: it is skipped, as a
 * character that belongs to no attribute.
 */
function readAttributes(
  html: string,
  start: number,
  quotes: Record<number, NextIndex>,
  meter: Meter,
  attributes: Map<string, string> | null,
): number {
  const n = html.length;
  let i = start;
  for (;;) {
    // Between attributes: whitespace and stray slashes.
    while (i < n && (isSpace(html.charCodeAt(i)) || html.charCodeAt(i) === SLASH)) {
      meter.steps++;
      i++;
    }
    meter.steps++;
    if (i >= n) return n;
    if (html.charCodeAt(i) === GT) return i + 1;

    // The name: at least one character (an `=` or a quote here starts one, as in HTML).
    const nameStart = i;
    i++;
    while (i < n) {
      const c = html.charCodeAt(i);
      if (isSpace(c) || c === SLASH || c === GT || c === EQUALS) break;
      i++;
    }
    meter.steps += i - nameStart;
    const nameEnd = i;
    while (i < n && isSpace(html.charCodeAt(i))) {
      meter.steps++;
      i++;
    }

    let value = '';
    if (i < n && html.charCodeAt(i) === EQUALS) {
      i++;
      while (i < n && isSpace(html.charCodeAt(i))) {
        meter.steps++;
        i++;
      }
      const c = i < n ? html.charCodeAt(i) : -1;
      if (c === DQUOTE || c === SQUOTE) {
        const close = quotes[c]!.from(i + 1);
        if (close === -1) {
          i++; // an unclosed quote: no value
        } else {
          value = html.slice(i + 1, close);
          meter.steps += close - i;
          i = close + 1;
        }
      } else {
        const valueStart = i;
        while (i < n && !isSpace(html.charCodeAt(i)) && html.charCodeAt(i) !== GT) i++;
        meter.steps += i - valueStart + 1;
        value = html.slice(valueStart, i);
      }
    }

    if (attributes && attributes.size < MAX_ATTRIBUTES) {
      const name = html.slice(nameStart, nameEnd).toLowerCase();
      if (!attributes.has(name)) attributes.set(name, decodeEntities(value, meter));
    }
  }
}

/** Where the end tag `</name` (any case) starts at or after `from`, else the end of the page. */
function endTagAt(html: string, name: string, from: number, meter: Meter): number {
  const n = html.length;
  let i = from;
  for (; i < n; i++) {
    meter.steps++;
    if (html.charCodeAt(i) !== LT || i + 1 + name.length >= n || html.charCodeAt(i + 1) !== SLASH) continue;
    meter.steps += name.length;
    if (html.slice(i + 2, i + 2 + name.length).toLowerCase() === name) return i;
  }
  return n;
}

const NAMED: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['nbsp', '\u00a0'],
]);

/** `&amp;`, `&#43;`, `&#x2B;` and the other named entities above; anything else is left as written. One scan. */
export function decodeEntities(text: string, meter: Meter = { steps: 0 }): string {
  let amp = text.indexOf('&');
  meter.steps += (amp === -1 ? text.length : amp) + 1;
  if (amp === -1) return text;
  let out = '';
  let copied = 0;
  while (amp !== -1) {
    // The reference's body: letters, digits and `#`, up to the next character that is none of them.
    let end = amp + 1;
    while (end < text.length && (isAlphanumeric(text.charCodeAt(end)) || text.charCodeAt(end) === HASH)) end++;
    meter.steps += end - amp + 1;
    const decoded = end < text.length && text.charCodeAt(end) === SEMICOLON ? reference(text.slice(amp + 1, end)) : null;
    if (decoded !== null) {
      out += text.slice(copied, amp) + decoded;
      copied = end + 1;
    }
    const nextAmp = text.indexOf('&', end);
    meter.steps += (nextAmp === -1 ? text.length : nextAmp) - end + 1;
    amp = nextAmp;
  }
  return out + text.slice(copied);
}

/** The character a reference body (`amp`, `#43`, `#x2B`) stands for, or null. */
function reference(body: string): string | null {
  if (body.charCodeAt(0) !== HASH) return NAMED.get(body.toLowerCase()) ?? null;
  const hex = body[1] === 'x' || body[1] === 'X';
  const digits = body.slice(hex ? 2 : 1);
  if (!(hex ? /^[0-9a-f]{1,8}$/i : /^[0-9]{1,10}$/).test(digits)) return null;
  const code = parseInt(digits, hex ? 16 : 10);
  return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : null;
}
