/** The header fields of an email-style file (a wheel's METADATA and WHEEL). */

export interface HeaderFields {
  /** The first value of each field, by lowercased name. */
  readonly first: ReadonlyMap<string, string>;
  /** Every field in order, lowercased name and value (WHEEL repeats `Tag`). */
  readonly all: ReadonlyArray<readonly [string, string]>;
}

/** The fields up to the first blank line (the body after it, a description, may quote field-like lines). */
export function headerFields(text: string): HeaderFields {
  const first = new Map<string, string>();
  const all: Array<readonly [string, string]> = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') break;
    if (/^[ \t]/.test(line)) continue; // a continuation line: not a field any check here reads
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    all.push([key, value]);
    if (!first.has(key)) first.set(key, value);
  }
  return { first, all };
}
