/**
 * uv.lock package sources: the inline tables uv writes since 0.2.2x
 * (`{ registry = … }`, `{ git = "…#<commit>" }`, …) and the `"<kind>+<url>"`
 * strings of older locks, as the model's Source.
 */
import type { Source } from '../model.js';
import type { SourceWire } from './uv-schema.js';
import { type LockFile, type Where, child, describeValue, lockError } from './wire.js';

const SOURCE_KEYS = ['registry', 'git', 'url', 'path', 'directory', 'editable', 'virtual'] as const;

/** A registry is a URL when it starts with a scheme; otherwise it is a path to a flat directory of files. */
export function isUrl(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text);
}

/** A package's or an edge's `source`, in either spelling. Throws LOCK_INVALID_FIELD. */
export function convertSource(file: LockFile, wire: SourceWire, where: Where): Source {
  if (typeof wire === 'string') return legacySource(file, wire, where);
  const present = SOURCE_KEYS.filter((key) => wire[key] !== undefined);
  const [kind] = present;
  if (present.length !== 1 || kind === undefined) {
    const found = present.length === 0 ? describeValue(wire) : `${present.join(' and ')}`;
    const message = `expected a table with exactly one of ${SOURCE_KEYS.join(', ')}; found ${found}`;
    throw lockError('LOCK_INVALID_FIELD', file, where, message);
  }
  const value = wire[kind] as string;
  switch (kind) {
    case 'registry':
      return { kind: 'registry', index: value };
    case 'git':
      return gitSource(file, value, child(where, 'git'));
    case 'url':
      return { kind: 'url', url: value, subdirectory: wire.subdirectory ?? null };
    default:
      return { kind, path: value };
  }
}

/** Locks written before uv 0.3 spell sources as `"<kind>+<url>"`; local kinds carry `file://` URLs or relative paths. */
function legacySource(file: LockFile, text: string, where: Where): Source {
  const plus = text.indexOf('+');
  const kind = plus > 0 ? text.slice(0, plus) : '';
  const rest = text.slice(plus + 1);
  switch (kind) {
    case 'registry':
      return { kind: 'registry', index: rest };
    case 'git':
      return gitSource(file, rest, where);
    case 'direct':
    case 'url': {
      const { base, query } = splitUrl(rest);
      const subdirectory = new URLSearchParams(query).get('subdirectory');
      return { kind: 'url', url: subdirectory === null ? rest : base, subdirectory };
    }
    case 'path':
    case 'directory':
    case 'editable':
    case 'virtual':
      return { kind, path: fileUrlToPath(file, rest, where) };
    default:
      throw lockError('LOCK_INVALID_FIELD', file, where,
        `expected a source like "registry+https://…" or "editable+.", found ${describeValue(text)}`);
  }
}

function fileUrlToPath(file: LockFile, text: string, where: Where): string {
  if (!text.startsWith('file://')) return text;
  const encoded = text.slice('file://'.length).replace(/^localhost\//, '/');
  let path: string;
  try {
    path = decodeURIComponent(encoded);
  } catch {
    // decodeURIComponent's URIError (found by test/fuzz): a `%` that
    // starts no escape, or escapes that are not UTF-8.
    const message = `expected a file:// URL with valid percent-escapes, found ${describeValue(text)}`;
    throw lockError('LOCK_INVALID_FIELD', file, where, message, 'uv writes `%` in a path as `%25`; regenerate the lock with `uv lock`');
  }
  // file:///C:/x → C:/x
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

function splitUrl(url: string): { base: string; query: string; fragment: string | null } {
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? null : url.slice(hash + 1);
  const question = beforeHash.indexOf('?');
  return {
    base: question < 0 ? beforeHash : beforeHash.slice(0, question),
    query: question < 0 ? '' : beforeHash.slice(question + 1),
    fragment,
  };
}

/** `https://host/repo?tag=v1&subdirectory=pkg#<commit>` (uv's `GitSource::from_url`). */
function gitSource(file: LockFile, text: string, where: Where): Source {
  const { base, query, fragment } = splitUrl(text);
  if (!fragment) {
    throw lockError('LOCK_INVALID_FIELD', file, where, `expected a git URL ending in #<commit>, found ${describeValue(text)}`);
  }
  if (!/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(fragment)) {
    throw lockError('LOCK_INVALID_FIELD', file, where, `expected a full commit hash after #, found ${describeValue(fragment)}`);
  }
  const commit = fragment.toLowerCase();
  let reference: { kind: 'tag' | 'branch' | 'rev'; value: string } | null = null;
  let subdirectory: string | null = null;
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === 'tag' || key === 'branch' || key === 'rev') reference = { kind: key, value };
    else if (key === 'subdirectory') subdirectory = value;
    // `lfs` and `path` are uv options that do not change what is fetched here.
  }
  if (reference?.kind === 'rev' && /^[0-9a-fA-F]{40}$/.test(reference.value) && reference.value.toLowerCase() !== commit) {
    const message = `the requested commit ${reference.value} differs from the locked commit ${commit}`;
    throw lockError('LOCK_INVALID_FIELD', file, where, message);
  }
  return { kind: 'vcs', vcs: 'git', url: base, path: null, commit, reference, subdirectory };
}

/** Equal for the same source however the lock spelled it; edges match packages by it. */
export function sourceKey(source: Source): string {
  return JSON.stringify(source);
}

/** "registry https://pypi.org/simple", "git https://…#<commit>", "editable .": for messages. */
export function describeSource(source: Source): string {
  switch (source.kind) {
    case 'registry':
      return `registry ${source.index ?? '(index not recorded)'}`;
    case 'vcs':
      return `git ${source.url ?? source.path ?? ''}#${source.commit}`;
    case 'url':
      return `url ${source.url}`;
    default:
      return `${source.kind} ${source.path}`;
  }
}
