/**
 * `--mirror FROM=TO` and `LOCKHOUSE_MIRROR`: which simple index serves a
 * file of the plan, and which one serves a build's requirements. One rule,
 * used by downloads (app/collect/io.ts) and by builds (app/collect/build-io.ts),
 * so the two never disagree. Pure: it lives beside jobs.ts because it is a
 * fact about jobs, and the architecture test keeps it free of I/O.
 *
 * FROM is one of:
 * - `pypi`: every file whose URL is on pypi.org or files.pythonhosted.org,
 *   whatever the lock says about its index (pylocks written by pip, pdm or
 *   `uv pip compile` name none), and every package locked from PyPI;
 * - a `[[tool.uv.index]]` name: that index's URL, as below;
 * - an http(s) URL: packages locked from that index or from one under it
 *   (`https://download.pytorch.org/whl` covers `…/whl/cu121`), and files
 *   whose URL is under it (with a trailing `/simple` dropped: the files of
 *   an index usually sit beside its simple pages).
 *
 * When several match a file, the one naming its locked index wins, then the
 * longest URL prefix, then `pypi` by the file's host.
 *
 * A mirror given on the command line that matches nothing in the selection
 * is an error (MIRROR_UNUSED), with where the selection's files come from:
 * a typo there would otherwise send every file past the mirror. Mirrors
 * from LOCKHOUSE_MIRROR are a site-wide default: one that names an index
 * this project does not have, or matches nothing, is passed over (said with -v).
 */
import { LockhouseError } from '../errors.js';
import { redactUrl } from '../redact.js';
import type { ProjectSettings } from '../model.js';
import type { BuildJob, FileJob, Jobs } from './jobs.js';

/** The index build requirements of git and local projects come from, when no `pypi` mirror is given. */
export const PYPI_SIMPLE = 'https://pypi.org/simple';

/** Hosts of PyPI's simple index (an index locked from one of these is PyPI). */
const PYPI_INDEX_HOSTS = new Set(['pypi.org', 'www.pypi.org', 'pypi.python.org']);
/** Hosts PyPI serves files from. */
const PYPI_FILE_HOSTS = new Set(['files.pythonhosted.org', ...PYPI_INDEX_HOSTS]);

export type MirrorFrom = { readonly kind: 'pypi' } | { readonly kind: 'url'; readonly url: string; readonly root: string };

export interface Mirror {
  readonly from: MirrorFrom;
  /** The simple index to fetch through (may carry credentials: never shown as is). */
  readonly to: string;
  /** Where it was given: `--mirror` or `LOCKHOUSE_MIRROR`. */
  readonly given: '--mirror' | 'LOCKHOUSE_MIRROR';
  /** `FROM=TO` as given, credentials removed: how messages name it. */
  readonly label: string;
}

export interface ParsedMirrors {
  readonly mirrors: readonly Mirror[];
  /** LOCKHOUSE_MIRROR entries passed over, and why (for -v). */
  readonly notes: readonly string[];
}

/** The entries of LOCKHOUSE_MIRROR: the flag's syntax, separated by whitespace. */
export function splitMirrorList(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((entry) => entry !== '');
}

/** `scheme://host[:port]/path` without userinfo, query, fragment or trailing slashes; null when not an http(s) URL. */
export function canonicalUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

const hostOf = (canonical: string): string => new URL(canonical).hostname;

/** Is `url` (canonical) `prefix` or under it, on a path-segment boundary? */
function under(url: string, prefix: string): boolean {
  return url === prefix || url.startsWith(`${prefix}/`);
}

/**
 * The mirrors of one run: LOCKHOUSE_MIRROR's entries, then the flags; a
 * flag whose FROM is the same as an entry of the variable replaces it.
 * Throws USAGE (a malformed pair, one FROM twice) or SELECT_UNKNOWN_INDEX (a
 * flag's FROM that is neither `pypi`, an index name nor a URL).
 */
export function parseMirrors(flags: readonly string[], defaults: readonly string[], settings: ProjectSettings): ParsedMirrors {
  const notes: string[] = [];
  const fromEnv = new Map<string, Mirror>();
  for (const pair of defaults) {
    const parsed = parsePair(pair, 'LOCKHOUSE_MIRROR', settings);
    if (typeof parsed === 'string') {
      notes.push(parsed);
      continue;
    }
    const key = keyOf(parsed.from);
    if (fromEnv.has(key)) throw twice('LOCKHOUSE_MIRROR', fromEnv.get(key)!, parsed);
    fromEnv.set(key, parsed);
  }
  const fromFlags = new Map<string, Mirror>();
  for (const pair of flags) {
    const parsed = parsePair(pair, '--mirror', settings) as Mirror;
    const key = keyOf(parsed.from);
    if (fromFlags.has(key)) throw twice('--mirror', fromFlags.get(key)!, parsed);
    fromFlags.set(key, parsed);
    const replaced = fromEnv.get(key);
    if (replaced) {
      notes.push(`--mirror ${parsed.label} replaces LOCKHOUSE_MIRROR's ${replaced.label}`);
      fromEnv.delete(key);
    }
  }
  return { mirrors: [...fromEnv.values(), ...fromFlags.values()], notes };
}

const keyOf = (from: MirrorFrom): string => (from.kind === 'pypi' ? 'pypi' : from.url);

function twice(where: string, first: Mirror, second: Mirror): LockhouseError {
  return new LockhouseError('USAGE', `${where} names one FROM twice: ${first.label} and ${second.label}`, {
    hint: 'give each index one mirror (an index name and its URL are the same FROM)',
  });
}

/** One `FROM=TO`; for LOCKHOUSE_MIRROR, a FROM this project does not know is a note (a string), not an error. */
function parsePair(pair: string, where: Mirror['given'], settings: ProjectSettings): Mirror | string {
  const at = pair.indexOf('=');
  const fromText = at > 0 ? pair.slice(0, at).trim() : '';
  const to = pair.slice(at + 1).trim();
  const shown = `${fromText}=${redactUrl(to)}`;
  if (fromText === '' || canonicalUrl(to) === null) {
    // Its userinfo was taken out of what is shown (a secret), so the URL shown may look sound: say the usual cause.
    const why = fromText !== '' && redactUrl(to) !== to ? ' (its user name or password holds a character that must be percent-encoded: / as %2F, # as %23, @ as %40, ? as %3F)' : '';
    throw new LockhouseError('USAGE', `${where} takes FROM=TO, where TO is the http(s) URL of a simple index, not "${redactUrl(pair)}"${why}`, {
      hint: 'e.g. --mirror pypi=https://artifactory.example/api/pypi/pypi/simple',
    });
  }
  const from = parseFrom(fromText, settings);
  if (from === null) {
    const known = [...settings.indexes.keys(), 'pypi'].join(', ');
    if (where === 'LOCKHOUSE_MIRROR') return `LOCKHOUSE_MIRROR's ${shown} is passed over: "${fromText}" is no index of this project (known: ${known})`;
    throw new LockhouseError('SELECT_UNKNOWN_INDEX', `--mirror ${shown}: "${fromText}" is neither pypi, an index name nor an http(s) URL`, {
      hint: `index names come from [[tool.uv.index]] in the pyproject.toml beside the lock; known: ${known}`,
    });
  }
  return { from, to, given: where, label: shown };
}

function parseFrom(text: string, settings: ProjectSettings): MirrorFrom | null {
  if (text.toLowerCase() === 'pypi') return { kind: 'pypi' };
  let url: string | null = null;
  for (const [name, indexUrl] of settings.indexes) {
    if (name.toLowerCase() === text.toLowerCase()) url = indexUrl;
  }
  if (url === null && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) return null;
  const canonical = canonicalUrl(url ?? text);
  if (canonical === null) return null;
  // An index name or URL that is PyPI's own index is `pypi`: its files are on files.pythonhosted.org.
  if (PYPI_INDEX_HOSTS.has(hostOf(canonical))) return { kind: 'pypi' };
  return { kind: 'url', url: canonical, root: canonical.replace(/\/simple$/i, '') };
}

/** What a file is matched by: the index it was locked from and its URL (either may be absent). */
export interface MirrorSubject {
  readonly index: string | null;
  readonly url: string | null;
}

/** How well a mirror matches, higher first: [tier, prefix length]. */
function score(mirror: Mirror, index: string | null, url: string | null): readonly [number, number] | null {
  const from = mirror.from;
  if (from.kind === 'pypi') {
    if (index !== null && PYPI_INDEX_HOSTS.has(hostOf(index))) return [3, 0];
    if (url !== null && PYPI_FILE_HOSTS.has(hostOf(url))) return [1, 0];
    return null;
  }
  if (index !== null && index === from.url) return [3, from.url.length];
  if (index !== null && under(index, from.url)) return [2, from.url.length];
  if (url !== null && under(url, from.root)) return [2, from.root.length];
  return null;
}

/** The mirror that serves a file, or null (it is fetched from its own URL). */
export function mirrorFor(mirrors: readonly Mirror[], subject: MirrorSubject): Mirror | null {
  const index = subject.index === null ? null : canonicalUrl(subject.index);
  const url = subject.url === null ? null : canonicalUrl(subject.url);
  let best: Mirror | null = null;
  let bestScore: readonly [number, number] = [0, 0];
  for (const mirror of mirrors) {
    const found = score(mirror, index, url);
    if (found && (found[0] > bestScore[0] || (found[0] === bestScore[0] && found[1] > bestScore[1]))) {
      best = mirror;
      bestScore = found;
    }
  }
  return best;
}

/** What a build is asked for its requirements: the index URL (through its mirror), or null for none. */
export interface BuildIndex {
  readonly url: string;
  /** The mirror the URL is (null: the package's own index, or PyPI). */
  readonly mirror: Mirror | null;
}

/**
 * Where a build takes its build requirements from: the package's locked
 * index through its mirror; for git and local projects and packages whose
 * lock names no index, the `pypi` mirror, else PyPI. Null: no index (an
 * index that is a local folder: DIR and --find-links serve).
 * --offline and --no-build-isolation are the caller's to apply.
 */
export function buildIndexFor(mirrors: readonly Mirror[], job: Pick<BuildJob, 'index'>): BuildIndex | null {
  if (job.index === null) {
    const pypi = mirrors.find((mirror) => mirror.from.kind === 'pypi') ?? null;
    return { url: pypi ? pypi.to : PYPI_SIMPLE, mirror: pypi };
  }
  if (canonicalUrl(job.index) === null) return null;
  const mirror = mirrorFor(mirrors, { index: job.index, url: null });
  return { url: mirror ? mirror.to : job.index, mirror };
}

/**
 * The mirrors that serve nothing in `jobs`: no file, and (with build
 * isolation) no build's requirements.
 */
export function unusedMirrors(mirrors: readonly Mirror[], jobs: Pick<Jobs, 'files' | 'builds'>, options: { readonly isolation: boolean }): Mirror[] {
  const used = new Set<Mirror>();
  for (const job of jobs.files) {
    const mirror = mirrorFor(mirrors, job);
    if (mirror) used.add(mirror);
  }
  if (options.isolation) {
    for (const job of jobs.builds) {
      const mirror = buildIndexFor(mirrors, job)?.mirror;
      if (mirror) used.add(mirror);
    }
  }
  return mirrors.filter((mirror) => !used.has(mirror));
}

/**
 * Where the selection's files come from, for a message: "https://pypi.org/simple
 * (12 packages)", "files.pythonhosted.org, no index in the lock (3 packages)",
 * "git (1 package)", most packages first.
 */
export function originsOf(jobs: Pick<Jobs, 'files' | 'builds'>): string[] {
  const packages = new Map<string, Set<string>>();
  const add = (origin: string, name: string): void => {
    packages.set(origin, (packages.get(origin) ?? new Set()).add(name));
  };
  for (const job of jobs.files) add(fileOrigin(job), job.item.package);
  for (const job of jobs.builds) {
    if (job.source.kind === 'vcs') add('git', job.item.package);
    if (job.source.kind === 'directory') add('local projects', job.item.package);
  }
  return [...packages]
    .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1))
    .map(([origin, names]) => `${origin} (${names.size} package${names.size === 1 ? '' : 's'})`);
}

function fileOrigin(job: FileJob): string {
  if (job.index !== null) return `index ${redactUrl(job.index)}`;
  if (job.url !== null) {
    const canonical = canonicalUrl(job.url);
    if (canonical !== null) return `${hostOf(canonical)}, no index in the lock`;
  }
  return 'local files';
}

/**
 * The run's mirrors, checked against its jobs: a `--mirror` that matches
 * nothing is MIRROR_UNUSED (exit 2) naming it and the selection's origins;
 * a LOCKHOUSE_MIRROR entry that matches nothing is a note.
 */
export function checkMirrors(parsed: ParsedMirrors, jobs: Pick<Jobs, 'files' | 'builds'>, options: { readonly isolation: boolean }): ParsedMirrors {
  const unused = unusedMirrors(parsed.mirrors, jobs, options);
  const flagged = unused.filter((mirror) => mirror.given === '--mirror');
  if (flagged.length > 0) {
    const origins = originsOf(jobs);
    const names = flagged.map((mirror) => `--mirror ${mirror.label}`).join(', ');
    throw new LockhouseError(
      'MIRROR_UNUSED',
      `${names} match${flagged.length === 1 ? 'es' : ''} no package of this selection; its files come from: ${origins.length ? origins.join(', ') : 'nowhere (the selection is empty)'}`,
      {
        hint: 'FROM is pypi (files on pypi.org or files.pythonhosted.org), an index name from [[tool.uv.index]], or a URL prefix of an index or of the files’ URLs',
      },
    );
  }
  const notes = unused.map((mirror) => `LOCKHOUSE_MIRROR's ${mirror.label} matches no package of this selection; not used`);
  return { mirrors: parsed.mirrors, notes: [...parsed.notes, ...notes] };
}
