/**
 * The little of HTML a PEP 503 page needs (no I/O, no dependency): its `<a>`
 * anchors (attributes and text) and its `<base href>`. Tolerant, as pip is:
 * attribute values in double, single or no quotes, a `>` inside a quoted
 * value, upper-case tags, comments, tags inside the anchor text, unclosed
 * anchors (text up to the next tag). Entities are decoded in attribute
 * values and text: numeric ones and the named ones simple pages use.
 */

export interface Anchor {
  readonly attributes: ReadonlyMap<string, string>;
  /** The text, tags removed, entities decoded, trimmed. */
  readonly text: string;
}

export interface SimpleHtml {
  readonly anchors: readonly Anchor[];
  /** The first `<base href>`, if any. */
  readonly base: string | undefined;
}

export function parseSimpleHtml(html: string): SimpleHtml {
  const anchors: Anchor[] = [];
  let base: string | undefined;
  let i = 0;
  while ((i = html.indexOf('<', i)) !== -1) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const name = /^[a-z][a-z0-9]*/i.exec(html.slice(i + 1, i + 16))?.[0].toLowerCase();
    if (name !== 'a' && name !== 'base') {
      i++;
      continue;
    }
    const tag = readAttributes(html, i + 1 + name.length);
    i = tag.end;
    if (name === 'base') {
      base ??= tag.attributes.get('href');
      continue;
    }
    const close = /<\/a\s*>/gi;
    close.lastIndex = i;
    const closed = close.exec(html);
    const nextTag = html.indexOf('<a', i);
    // An unclosed anchor ends where the next one starts.
    const textEnd = closed && (nextTag === -1 || closed.index <= nextTag) ? closed.index : nextTag === -1 ? html.length : nextTag;
    const text = decodeEntities(html.slice(i, textEnd).replace(/<[^>]*>/g, '')).trim();
    anchors.push({ attributes: tag.attributes, text });
    i = closed && closed.index === textEnd ? closed.index + closed[0].length : textEnd;
  }
  return { anchors, base };
}

/** The attributes of a tag whose name ends at `start`; `end` is just past its `>`. */
function readAttributes(html: string, start: number): { attributes: Map<string, string>; end: number } {
  const attributes = new Map<string, string>();
  const pattern = /\s*(?:([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?|(\/)|(>))/y;
  pattern.lastIndex = start;
  let end = html.length;
  for (;;) {
    const match = pattern.exec(html);
    if (!match) {
      // Unreadable junk: skip one character and go on.
      if (pattern.lastIndex >= html.length) break;
      pattern.lastIndex++;
      continue;
    }
    if (match[6]) {
      end = pattern.lastIndex;
      break;
    }
    if (match[1]) {
      const name = match[1].toLowerCase();
      const value = match[2] ?? match[3] ?? match[4] ?? '';
      if (!attributes.has(name)) attributes.set(name, decodeEntities(value));
    }
    if (pattern.lastIndex >= html.length) break;
  }
  return { attributes, end };
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** `&amp;`, `&#43;`, `&#x2B;` and the other named entities above; anything else is left as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]+|#x[0-9a-f]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}
