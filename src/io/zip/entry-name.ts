/**
 * Entry names as Python's zipfile reads them, and the rules a name must
 * keep to be extracted. Zips lockhouse reads are written for Python (a
 * wheel pip installs, a bundle its own installer unpacks), so a name means
 * what zipfile decodes it to, not what another reader would: UTF-8 when the
 * entry says so (flag bit 11), else code page 437 — with bytes below 0x80
 * as themselves (Python's cp437 codec), where yauzl shows 0x01–0x1f as
 * graphic characters, hiding a control character. The rules are
 * bundle/__main__.py's `name_problem` (test/bundle compares them), plus the
 * Info-ZIP Unicode Path field newer Pythons honour (3.12+: a second name a
 * reader may use instead of the header's).
 */
import { crc32 } from 'node:zlib';

/** Code page 437, 0x80–0xff (0x00–0x7f are ASCII, as in Python's codec). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const UTF8_FLAG = 0x800;
const UNICODE_PATH_FIELD = 0x7075;

/** A name's bytes as zipfile decodes them; null when it says UTF-8 and is not (zipfile then cannot open the zip). */
export function decodeEntryName(raw: Buffer, generalPurposeBitFlag: number): string | null {
  if (generalPurposeBitFlag & UTF8_FLAG) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return null;
    }
  }
  let name = '';
  for (const byte of raw) name += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80]!;
  return name;
}

/**
 * The name an Info-ZIP Unicode Path extra field (0x7075) gives, when it
 * applies (version 1, and the CRC-32 of the header's name bytes): Python
 * 3.12 and newer read the entry under that name. Null when there is none.
 */
export function unicodePathName(raw: Buffer, extraFields: ReadonlyArray<{ readonly id: number; readonly data: Buffer }>): string | null {
  for (const field of extraFields) {
    if (field.id !== UNICODE_PATH_FIELD || field.data.length < 5 || field.data[0] !== 1) continue;
    if (field.data.readUInt32LE(1) !== crc32(raw)) continue;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(field.data.subarray(5)) || null;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Why an entry may not be extracted under this name, or null: the bundle
 * installer's rules (bundle/__main__.py `name_problem`), which refuse every
 * name that could leave the folder it is extracted into, or mean two
 * things on two systems.
 */
export function entryNameProblem(name: string): string | null {
  if (name === '') return 'an empty name';
  if (name.includes('\u0000')) return 'a NUL character in its name';
  if (/[\u0001-\u001f\u007f]/.test(name)) return 'a control character in its name';
  if (name.includes('\\')) return 'a backslash in its name';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  const parts = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  if (parts.includes('..')) return "a '..' component";
  if (parts.includes('') || parts.includes('.')) return "an empty or '.' path component";
  return null;
}
