/**
 * The pyproject.toml beside a uv.lock, for the two settings selection needs:
 * `[tool.uv] default-groups` and the names of `[[tool.uv.index]]` entries.
 * Pure: the caller reads the file.
 */
import { z } from 'zod';
import type { ProjectSettings } from '../model.js';
import { registerUrlSecrets } from '../secrets.js';
import { canonicalizeName } from '../python/names.js';
import { parseTomlDocument } from './parse.js';
import { lockError, schemaError } from './wire.js';

/** Only the keys read here; everything else in pyproject.toml is someone else's. */
const PyprojectWire = z.object({
  tool: z
    .object({
      uv: z
        .object({
          'default-groups': z.union([z.array(z.string()), z.literal('all')]).optional(),
          index: z
            .array(
              z.object({
                name: z.string().optional(),
                url: z.string(),
              }),
            )
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

/** Parse a pyproject.toml text. Throws LockhouseError (PYPROJECT_INVALID) naming the file and the field. */
export function parseProjectSettings(text: string, path: string): ProjectSettings {
  // An index URL's userinfo is a secret from here on (src/secrets.ts), before any error can quote the file.
  registerUrlSecrets(text);
  const document = parseTomlDocument(text, path, 'PYPROJECT_INVALID');
  const parsed = PyprojectWire.safeParse(document);
  if (!parsed.success) throw schemaError({ path }, document, parsed.error, [], 'PYPROJECT_INVALID');
  const uv = parsed.data.tool?.uv;
  const groups = uv?.['default-groups'];
  const indexes = new Map<string, string>();
  for (const [i, index] of (uv?.index ?? []).entries()) {
    const problem = userinfoProblem(index.url);
    if (problem) {
      // The URL itself is not shown: its userinfo is a secret.
      throw lockError('PYPROJECT_INVALID', { path }, { keys: ['tool', 'uv', 'index', i, 'url'], package: null }, problem,
        'percent-encode the user name and password: `%` as %25, `@` as %40, `:` as %3A, `/` as %2F');
    }
    // Unnamed indexes cannot be asked for by name; the first of two with one name wins, as in uv.
    if (index.name !== undefined && !indexes.has(index.name)) indexes.set(index.name, index.url);
  }
  return {
    defaultGroups: groups === undefined ? null : groups === 'all' ? 'all' : groups.map(canonicalizeName),
    indexes,
  };
}

/**
 * What is wrong with the user name or password in an index URL, or null: a
 * `%` that starts no escape, or escapes that are not UTF-8, cannot be sent
 * as the user meant them. A value that is not a URL at all (a directory
 * index) has no userinfo to check.
 */
function userinfoProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  for (const [part, value] of [['user name', url.username], ['password', url.password]] as const) {
    try {
      decodeURIComponent(value);
    } catch {
      return `the ${part} in the URL has a malformed percent-escape (a % not followed by two hex digits, or escapes that are not UTF-8)`;
    }
  }
  return null;
}
