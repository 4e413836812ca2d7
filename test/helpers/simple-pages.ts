/**
 * The simple repository API's pages as an index server writes them: PEP 503
 * HTML (anchors with `#sha256=` fragments, `data-requires-python` escaped)
 * and PEP 691 JSON (api-version 1.1: with `size` and `versions`).
 */
import type { Artifact } from './artifacts.js';

export const PEP691_JSON = 'application/vnd.pypi.simple.v1+json';
const PEP691_HTML = 'application/vnd.pypi.simple.v1+html';
const HTML = 'text/html; charset=utf-8';
const META = { 'api-version': '1.1' };

export interface ListedFile {
  readonly artifact: Artifact;
  /** PEP 592: a reason, or true. */
  readonly yanked?: string | boolean;
}

export interface Rendered {
  readonly contentType: string;
  readonly body: Buffer;
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Does the Accept header prefer PEP 691 JSON to HTML (by q-value; ties go to JSON)? */
export function wantsJson(accept: string | undefined): boolean {
  let json = -1;
  let html = -1;
  for (const item of (accept ?? '').split(',')) {
    const [type = '', ...params] = item.split(';').map((part) => part.trim().toLowerCase());
    const q = Number(params.find((param) => param.startsWith('q='))?.slice(2) ?? '1');
    if (type === PEP691_JSON) json = Math.max(json, q);
    else if (type === PEP691_HTML || type === 'text/html' || type === '*/*') html = Math.max(html, q);
  }
  return json > 0 && json >= html;
}

function html(title: string, anchors: readonly string[]): Rendered {
  const page = [
    '<!DOCTYPE html>',
    '<html>',
    `<head><meta name="pypi:repository-version" content="1.1"><title>${escapeHtml(title)}</title></head>`,
    `<body><h1>${escapeHtml(title)}</h1>`,
    ...anchors,
    '</body>',
    '</html>',
  ].join('\n');
  return { contentType: HTML, body: Buffer.from(page) };
}

const json = (value: unknown): Rendered => ({ contentType: PEP691_JSON, body: Buffer.from(JSON.stringify(value)) });

/** `/simple/`: every project, by normalized name. */
export function renderRoot(names: readonly string[], asJson: boolean): Rendered {
  if (asJson) return json({ meta: META, projects: names.map((name) => ({ name })) });
  return html('Simple index', names.map((name) => `<a href="${escapeHtml(name)}/">${escapeHtml(name)}</a><br/>`));
}

/** `/simple/<name>/`: the project's files; `href` gives each file's link. */
export function renderProject(name: string, files: readonly ListedFile[], asJson: boolean, href: (filename: string) => string): Rendered {
  if (asJson) {
    return json({
      meta: META,
      name,
      versions: [...new Set(files.map(({ artifact }) => artifact.version))],
      files: files.map(({ artifact, yanked }) => ({
        filename: artifact.filename,
        url: href(artifact.filename),
        hashes: { sha256: artifact.sha256 },
        size: artifact.size,
        ...(artifact.requiresPython ? { 'requires-python': artifact.requiresPython } : {}),
        ...(yanked ? { yanked } : {}),
      })),
    });
  }
  const anchors = files.map(({ artifact, yanked }) => {
    const attrs = [
      `href="${escapeHtml(`${href(artifact.filename)}#sha256=${artifact.sha256}`)}"`,
      ...(artifact.requiresPython ? [`data-requires-python="${escapeHtml(artifact.requiresPython)}"`] : []),
      ...(yanked ? [`data-yanked="${escapeHtml(yanked === true ? '' : yanked)}"`] : []),
    ];
    return `<a ${attrs.join(' ')}>${escapeHtml(artifact.filename)}</a><br/>`;
  });
  return html(`Links for ${name}`, anchors);
}
