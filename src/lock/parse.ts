/**
 * The only way into lock/: detect whether a text is a uv.lock or a PEP 751
 * pylock.toml (by file name, then by content), parse the TOML with smol-toml
 * (imported nowhere else), and hand the document to the reader of its format.
 * Pure: the caller reads the file.
 */
import { TomlError, parse as parseToml } from 'smol-toml';
import { type ErrorCode, LockhouseError } from '../errors.js';
import type { LockFormat, LockGraph } from '../model.js';
import { registerUrlSecrets } from '../secrets.js';
import { pylockFromToml } from './pylock.js';
import { uvLockFromToml } from './uv.js';

/** Which lock format a file name says, or null when the name says nothing. */
export function formatFromFilename(path: string): LockFormat | null {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (base === 'uv.lock') return 'uv.lock';
  // PEP 751: `pylock.toml` or `pylock.<name>.toml` where <name> has no dot.
  if (base === 'pylock.toml' || /^pylock\.[^.]+\.toml$/.test(base)) return 'pylock';
  return null;
}

/** Which lock format a parsed TOML document looks like, or null. */
function formatFromContent(document: Record<string, unknown>): LockFormat | null {
  if ('lock-version' in document) return 'pylock';
  if ('version' in document && ('package' in document || 'distribution' in document || 'requires-python' in document)) {
    return 'uv.lock';
  }
  return null;
}

/**
 * Parse a TOML text; a syntax error becomes a LockhouseError with `code`,
 * naming the file, line and column. Exported for pyproject.ts (smol-toml is
 * imported here only).
 */
export function parseTomlDocument(text: string, path: string, code: ErrorCode, hint?: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml's message is "Invalid TOML document: <reason>\n\n<code block>".
    const reason = error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? error.message;
    const message = `${path}:${error.line}:${error.column}: not valid TOML: ${reason}\n${error.codeblock.trimEnd()}`;
    throw new LockhouseError(code, message, hint === undefined ? { cause: error } : { hint, cause: error });
  }
}

// Lines a requirements file has and a TOML document cannot: pip options,
// and requirements (a name, optional extras, then a version specifier, a
// direct reference, a marker, a line continuation, or nothing).
const REQUIREMENT_OPTION =
  /^(?:-[ercif]\s|--(?:editable|requirement|constraint|index-url|extra-index-url|find-links|hash)[\s=]|--(?:no-binary|only-binary|pre|trusted-host)\b)/;
const REQUIREMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?\s*(?:===?|~=|!=|<=?|>=?|@|;|\\$|$)/;

/** The first line that makes a text look like a requirements.txt, with its number, or null. */
function requirementsEvidence(text: string): { line: number; text: string } | null {
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    // The first meaningful line decides: TOML starts with a key or a table header.
    return REQUIREMENT_OPTION.test(line) || REQUIREMENT.test(line) ? { line: i + 1, text: line } : null;
  }
  return null;
}

const NOT_TOML_HINT =
  'a lock is TOML; was this one edited by hand or cut short? Regenerate it with `uv lock` or `uv export --format pylock.toml`';

/**
 * Parse a uv.lock or pylock.toml text into a LockGraph. `path` is used to
 * detect the format and in messages. Throws LockhouseError (LOCK_* codes).
 */
export function parseLock(text: string, path: string): LockGraph {
  // Userinfo in any of the lock's URLs is a secret from here on (src/secrets.ts): registered before
  // parsing, so that an error quoting the lock (a TOML syntax error's excerpt) is scrubbed too.
  registerUrlSecrets(text);
  const byName = formatFromFilename(path);
  let document: Record<string, unknown>;
  try {
    document = parseTomlDocument(text, path, 'LOCK_NOT_TOML', NOT_TOML_HINT);
  } catch (error) {
    const evidence = error instanceof LockhouseError ? requirementsEvidence(text) : null;
    if (!evidence) throw error;
    const byUv = /^#.*\buv export\b/m.test(text)
      ? ' (older `uv export -o pylock.toml` wrote requirements text whatever the file name)'
      : '';
    const seen = `line ${evidence.line}: ${JSON.stringify(evidence.text)}`;
    throw new LockhouseError(
      'LOCK_LOOKS_LIKE_REQUIREMENTS',
      `${path} is not a lock file: it looks like a requirements.txt (${seen})${byUv}`,
      {
        hint:
          'regenerate it as a PEP 751 lock with `uv export --format pylock.toml -o pylock.toml` (or `pip lock`), ' +
          'or install it with `pip install -r` instead',
      },
    );
  }
  const format = byName ?? formatFromContent(document);
  if (format === 'uv.lock') return uvLockFromToml(document, path);
  if (format === 'pylock') return pylockFromToml(document, path);
  throw new LockhouseError(
    'LOCK_UNKNOWN_FORMAT',
    `${path} is neither a uv.lock nor a pylock.toml: it has no \`version\` with \`[[package]]\` and no \`lock-version\``,
    { hint: 'name the file uv.lock, pylock.toml or pylock.<name>.toml, or pass a lock written by uv, pip or pdm' },
  );
}
