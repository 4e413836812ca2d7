/**
 * A static "simple" index of a wheelhouse, as strings: PEP 503 HTML and
 * PEP 691 JSON (with PEP 700's `versions` and `size`), one root page and one
 * page per project, each file linked with its sha256 and, for wheels whose
 * METADATA was extracted beside them, PEP 714's `data-core-metadata` /
 * `core-metadata` so a resolver reads dependencies without downloading wheels.
 *
 * Only PEP 714's names, never the legacy `data-dist-info-metadata` /
 * `dist-info-metadata`: the only installers that read the legacy names and
 * not the new ones are pip 22.3 to 23.1 (Debian 12's pip 23.0.1 among them),
 * and the legacy names are exactly what breaks them: the JSON key's hash
 * object crashes them (pip issue 12042, the reason PEP 714 exists), and the
 * HTML attribute makes them compare the metadata's Name with the
 * requirement's spelling as written (`Pygments` is not `pygments`), fixed
 * only in pip 23.2. Given PEP 714's names alone, those pips download the
 * wheel to read its metadata, as every pip before 22.3 does; pip 23.2 and
 * later, and uv, read the `.metadata` file. The table per pip version is in
 * docs/collect.md, "Which pip reads what".
 *
 * Pure: the caller lists and hashes the files and writes the documents.
 * Deterministic: everything is sorted by code unit (never by locale), there
 * are no timestamps, and JSON is printed with a fixed key order and indent,
 * so the same files give the same bytes on every run and every machine.
 */
import { parseSdistFilename, parseWheelFilename, normalizeVersion } from '../python/names.js';
import { compareVersions, parseVersion } from '../python/pep440-version.js';
import { compareText as byCodeUnit } from '../compare.js';

/** The top folder of the index, relative to DIR. */
export const SIMPLE_DIR = 'simple';
/** PEP 629 / PEP 691 / PEP 700: 1.1 adds `versions` and `size` to the JSON. */
const API_VERSION = '1.1';

export interface IndexFile {
  /** A wheel or sdist file name, as on disk. */
  readonly filename: string;
  /** Lower-case hex. */
  readonly sha256: string;
  readonly size: number;
  /** The wheel's Requires-Python, as written in its METADATA; null when unknown. */
  readonly requiresPython: string | null;
  /** The sha256 of `<filename>.metadata` (PEP 658) beside the file, or null when there is none. */
  readonly metadataSha256: string | null;
}

export interface IndexDocument {
  /** Relative to DIR, with `/`: `simple/index.html`, `simple/<name>/index.json`. */
  readonly path: string;
  readonly content: string;
}

export interface IndexProject {
  /** PEP 503-normalized. */
  readonly name: string;
  /** Sorted by file name. */
  readonly files: readonly IndexFile[];
  /** Distinct versions (as the first file name spells them), oldest first. */
  readonly versions: readonly string[];
}

export interface SimpleIndex {
  /** Sorted by name. */
  readonly projects: readonly IndexProject[];
  /** Sorted by path. */
  readonly documents: readonly IndexDocument[];
  /** Files whose names are neither a wheel's nor an sdist's, left out, with the reason. */
  readonly rejected: ReadonlyArray<{ readonly filename: string; readonly reason: string }>;
}

export interface SimpleIndexOptions {
  /**
   * The URL of the files' folder relative to a project page
   * (`DIR/simple/<name>/`), ending in `/`: `../../files/` when the files
   * are in DIR/files, `../../` when they are in DIR itself.
   */
  readonly filesUrl: string;
}

const SHA256 = /^[0-9a-f]{64}$/;


/** The project (normalized) and version a file name gives, or the reason it gives none. */
export function projectOf(filename: string): { readonly name: string; readonly version: string } | { readonly reason: string } {
  try {
    const parsed = filename.endsWith('.whl') ? parseWheelFilename(filename) : parseSdistFilename(filename);
    return { name: parsed.name, version: parsed.version };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}

export function renderSimpleIndex(files: readonly IndexFile[], options: SimpleIndexOptions): SimpleIndex {
  if (!options.filesUrl.endsWith('/')) throw new Error(`filesUrl must end with "/", not ${JSON.stringify(options.filesUrl)}`);
  const groups = new Map<string, Array<{ file: IndexFile; version: string }>>();
  const rejected: Array<{ filename: string; reason: string }> = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.filename)) throw new Error(`${file.filename} is listed twice`);
    seen.add(file.filename);
    for (const digest of [file.sha256, file.metadataSha256]) {
      if (digest !== null && !SHA256.test(digest)) throw new Error(`${file.filename}: ${JSON.stringify(digest)} is not a lower-case hex sha256`);
    }
    const project = projectOf(file.filename);
    if ('reason' in project) {
      rejected.push({ filename: file.filename, reason: project.reason });
      continue;
    }
    const group = groups.get(project.name) ?? [];
    group.push({ file, version: project.version });
    groups.set(project.name, group);
  }

  const projects: IndexProject[] = [...groups]
    .sort(([a], [b]) => byCodeUnit(a, b))
    .map(([name, entries]) => {
      entries.sort((a, b) => byCodeUnit(a.file.filename, b.file.filename));
      return { name, files: entries.map((entry) => entry.file), versions: distinctVersions(entries.map((entry) => entry.version)) };
    });

  const documents: IndexDocument[] = [
    { path: `${SIMPLE_DIR}/index.html`, content: rootHtml(projects) },
    { path: `${SIMPLE_DIR}/index.json`, content: rootJson(projects) },
    ...projects.flatMap((project) => [
      { path: `${SIMPLE_DIR}/${project.name}/index.html`, content: projectHtml(project, options.filesUrl) },
      { path: `${SIMPLE_DIR}/${project.name}/index.json`, content: projectJson(project, options.filesUrl) },
    ]),
  ].sort((a, b) => byCodeUnit(a.path, b.path));
  rejected.sort((a, b) => byCodeUnit(a.filename, b.filename));
  return { projects, documents, rejected };
}

/** One spelling per PEP 440 version (the first seen), oldest first. */
function distinctVersions(spellings: readonly string[]): string[] {
  const byCanonical = new Map<string, string>();
  for (const spelling of spellings) {
    const canonical = normalizeVersion(spelling) ?? spelling;
    if (!byCanonical.has(canonical)) byCanonical.set(canonical, spelling);
  }
  return [...byCanonical.values()].sort((a, b) => {
    const va = parseVersion(a);
    const vb = parseVersion(b);
    const order = va && vb ? compareVersions(va, vb) : 0;
    return order !== 0 ? order : byCodeUnit(a, b);
  });
}

// ---------------------------------------------------------------- HTML (PEP 503)

/** Text and attribute values: the five characters HTML gives meaning to. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The file's URL from a project page: percent-encoded, so `+` in a local version and any other character reach the server as written. */
export function fileUrl(filesUrl: string, filename: string): string {
  return `${filesUrl}${encodeURIComponent(filename)}`;
}

function page(title: string, body: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    '    <meta charset="utf-8">',
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    `    <h1>${escapeHtml(title)}</h1>`,
    ...body.map((line) => `    ${line}`),
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

function rootHtml(projects: readonly IndexProject[]): string {
  return page(
    'Simple index',
    projects.map((project) => `<a href="${escapeHtml(encodeURIComponent(project.name))}/">${escapeHtml(project.name)}</a><br>`),
  );
}

function projectHtml(project: IndexProject, filesUrl: string): string {
  return page(
    `Links for ${project.name}`,
    project.files.map((file) => {
      const attributes = [`href="${escapeHtml(fileUrl(filesUrl, file.filename))}#sha256=${file.sha256}"`];
      if (file.requiresPython !== null) attributes.push(`data-requires-python="${escapeHtml(file.requiresPython)}"`);
      // PEP 714's name only: the legacy data-dist-info-metadata breaks pip 22.3 to 23.1 (see the top of this file).
      if (file.metadataSha256 !== null) attributes.push(`data-core-metadata="sha256=${file.metadataSha256}"`);
      return `<a ${attributes.join(' ')}>${escapeHtml(file.filename)}</a><br>`;
    }),
  );
}

// ---------------------------------------------------------------- JSON (PEP 691, PEP 700)

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

function rootJson(projects: readonly IndexProject[]): string {
  return json({ meta: { 'api-version': API_VERSION }, projects: projects.map((project) => ({ name: project.name })) });
}

function projectJson(project: IndexProject, filesUrl: string): string {
  return json({
    meta: { 'api-version': API_VERSION },
    name: project.name,
    files: project.files.map((file) => {
      return {
        filename: file.filename,
        url: fileUrl(filesUrl, file.filename),
        hashes: { sha256: file.sha256 },
        ...(file.requiresPython === null ? {} : { 'requires-python': file.requiresPython }),
        // PEP 714's key only: a legacy dist-info-metadata crashes pip 22.3 to 23.1 (pip issue 12042).
        'core-metadata': file.metadataSha256 === null ? false : { sha256: file.metadataSha256 },
        size: file.size,
      };
    }),
    versions: project.versions,
  });
}
