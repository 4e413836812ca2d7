/**
 * The few TOML forms the emitted pylock uses, written by hand so the file
 * reads like the ones uv and pip write (inline tables, one wheel a line)
 * and is byte-identical for the same input. Pure.
 */

/** A TOML basic string. Control characters (and DEL) are escaped, as TOML requires. */
export function tomlString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

export type TomlValue = string | number | boolean | readonly TomlValue[] | { readonly [key: string]: TomlValue | undefined };

/** A bare key when TOML allows one, else a quoted key. */
function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** A value on one line: strings, integers, booleans, arrays and inline tables (undefined entries left out). */
export function tomlInline(value: TomlValue): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`tomlInline: ${value} is not an integer`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${(value as readonly TomlValue[]).map(tomlInline).join(', ')}]`;
  const pairs = Object.entries(value as Record<string, TomlValue | undefined>).filter((pair): pair is [string, TomlValue] => pair[1] !== undefined);
  return pairs.length ? `{ ${pairs.map(([key, item]) => `${tomlKey(key)} = ${tomlInline(item)}`).join(', ')} }` : '{}';
}

/** `key = [` one item a line `]`, as uv writes long arrays. */
export function tomlArrayLines(key: string, items: readonly TomlValue[]): string {
  if (items.length === 0) return `${tomlKey(key)} = []\n`;
  return `${tomlKey(key)} = [\n${items.map((item) => `    ${tomlInline(item)},\n`).join('')}]\n`;
}
