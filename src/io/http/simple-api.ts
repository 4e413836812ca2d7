/**
 * Finding a file on a simple index by its name, for `--mirror FROM=TO`: GET
 * `TO/<normalized-project>/` asking for PEP 691 JSON first, and read the
 * answer as JSON (`files[].filename`, `.url`, `.hashes`) or as PEP 503 HTML
 * (anchors: the text is the file name, the href its URL, a `#sha256=…`
 * fragment its hash). Relative URLs are resolved against the page's URL
 * (after redirects) or its `<base href>`.
 *
 * Pages are fetched once per (index, project) for the life of the object:
 * the caller keeps one per run. A project the index does not have (404) is
 * remembered as absent; a page that failed otherwise is asked again next time.
 * Credentials in TO's URL reach the files on TO's origin (auth.ts remembers
 * them); the URLs returned here never carry them.
 */
import { escapeControls } from '../../errors.js';
import { canonicalizeName } from '../../python/names.js';
import { FetchError, isFetchError } from './errors.js';
import { redactUrl } from '../../redact.js';
import { parseSimpleHtml } from './simple-html.js';
import type { Downloader, Page } from './types.js';

/**
 * The most files a project page may list. PyPI's largest projects list tens
 * of thousands (each anchor of a real page is 300–600 bytes, so a page at
 * page.ts's 20 MiB ceiling holds under 70 000); a page of tiny anchors could
 * otherwise hold two million, each a URL to resolve and an object to keep
 * (20 s and 1.1 GB for one 20 MiB page, measured).
 */
export const MAX_PAGE_FILES = 200_000;

export const SIMPLE_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';

export interface SimpleFile {
  readonly filename: string;
  /** Absolute, without fragment and without credentials. */
  readonly url: string;
  /** Algorithm (lower case) → hex digest (lower case), as the index gives them. */
  readonly hashes: Readonly<Record<string, string>>;
}

export class SimpleApi {
  readonly #pages: Pick<Downloader, 'page'>;
  readonly #projects = new Map<string, Promise<ReadonlyMap<string, SimpleFile> | null>>();

  constructor(pages: Pick<Downloader, 'page'>) {
    this.#pages = pages;
  }

  /** The file `filename` of `project` on the index at `indexUrl`, or null when the index does not have it. Throws FetchError. */
  async find(indexUrl: string, project: string, filename: string, options: { signal?: AbortSignal } = {}): Promise<SimpleFile | null> {
    const files = await this.files(indexUrl, project, options);
    return files?.get(filename) ?? null;
  }

  /** Every file of `project` by file name, or null when the index does not know the project (404). */
  files(indexUrl: string, project: string, options: { signal?: AbortSignal } = {}): Promise<ReadonlyMap<string, SimpleFile> | null> {
    const url = projectUrl(indexUrl, project);
    let pending = this.#projects.get(url);
    if (!pending) {
      pending = this.#load(url, options.signal);
      this.#projects.set(url, pending);
      pending.catch(() => this.#projects.delete(url));
    }
    return pending;
  }

  async #load(url: string, signal: AbortSignal | undefined): Promise<ReadonlyMap<string, SimpleFile> | null> {
    let page: Page;
    try {
      page = await this.#pages.page(url, SIMPLE_ACCEPT, signal ? { signal } : {});
    } catch (error) {
      if (isFetchError(error) && error.status === 404) return null;
      throw error;
    }
    const byName = new Map<string, SimpleFile>();
    for (const file of parseSimplePage(page)) {
      if (!byName.has(file.filename)) byName.set(file.filename, file);
    }
    return byName;
  }
}

/** `TO/<normalized-name>/`. */
export function projectUrl(indexUrl: string, project: string): string {
  return `${indexUrl.replace(/\/+$/, '')}/${canonicalizeName(project)}/`;
}

/** The files a simple page lists, JSON or HTML by its Content-Type (else by its first character). */
export function parseSimplePage(page: Page): SimpleFile[] {
  const type = page.contentType.split(';')[0]!.trim().toLowerCase();
  const json = type.endsWith('+json') || type === 'application/json' || (!type.includes('html') && page.body.trimStart().startsWith('{'));
  return json ? parseSimpleJson(page) : parseSimpleHtmlPage(page);
}

function parseSimpleJson(page: Page): SimpleFile[] {
  let data: unknown;
  try {
    data = JSON.parse(page.body);
  } catch (cause) {
    // JSON.parse quotes the page in its message, line breaks and all: escaped whole.
    throw new FetchError('FETCH_BAD_RESPONSE', `GET ${page.url}: not a PEP 691 JSON page (${escapeControls((cause as Error).message)})`, {
      url: page.url,
      attempts: 1,
    });
  }
  const files = (data as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) return [];
  if (files.length > MAX_PAGE_FILES) throw tooManyFiles(page);
  const out: SimpleFile[] = [];
  for (const entry of files as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { filename, url, hashes } = entry as { filename?: unknown; url?: unknown; hashes?: unknown };
    if (typeof filename !== 'string' || typeof url !== 'string') continue;
    const absolute = resolve(url, page.url);
    if (!absolute) continue;
    const found: Record<string, string> = { ...absolute.hashes };
    if (typeof hashes === 'object' && hashes !== null) {
      for (const [algorithm, digest] of Object.entries(hashes)) {
        if (typeof digest === 'string') found[algorithm.toLowerCase()] = digest.toLowerCase();
      }
    }
    out.push({ filename, url: absolute.url, hashes: found });
  }
  return out;
}

function parseSimpleHtmlPage(page: Page): SimpleFile[] {
  const { anchors, base, overflow } = parseSimpleHtml(page.body, { maxAnchors: MAX_PAGE_FILES });
  if (overflow) throw tooManyFiles(page);
  const baseUrl = (base && resolve(base, page.url)?.url) || page.url;
  const out: SimpleFile[] = [];
  for (const anchor of anchors) {
    const href = anchor.attributes.get('href');
    if (!href) continue;
    const absolute = resolve(href, baseUrl);
    if (!absolute) continue;
    const filename = anchor.text || lastSegment(absolute.url);
    if (filename) out.push({ filename, url: absolute.url, hashes: absolute.hashes });
  }
  return out;
}

function tooManyFiles(page: Page): FetchError {
  return new FetchError('FETCH_BAD_RESPONSE', `GET ${page.url}: the page lists more than ${MAX_PAGE_FILES} files`, {
    url: page.url,
    attempts: 1,
    hint: 'a project page of a simple index lists far fewer: check that the --mirror URL is a simple index',
  });
}

/** `href` against `base`: the URL without fragment or credentials, and the `#alg=hex` fragment as hashes. */
function resolve(href: string, base: string): { url: string; hashes: Record<string, string> } | null {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const hashes: Record<string, string> = {};
  const fragment = /^#([a-z0-9_-]+)=([0-9a-f]+)$/i.exec(url.hash);
  if (fragment) hashes[fragment[1]!.toLowerCase()] = fragment[2]!.toLowerCase();
  url.hash = '';
  return { url: redactUrl(url), hashes };
}

function lastSegment(url: string): string {
  const segment = new URL(url).pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
