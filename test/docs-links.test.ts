/**
 * Every relative link in the README, the docs and the examples' README leads
 * somewhere: the file or folder exists, and an `#anchor` is a heading of the
 * page it points into (as GitHub makes anchors from headings).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pages = ['README.md', 'examples/README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** Markdown without its fenced code blocks and inline code, where `[x](y)` and `# x` are not links or headings. */
const prose = (markdown: string): string => markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, (code) => code.replace(/[[\]()#]/g, ' '));

/** GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces to `-`; repeats get `-1`, `-2`. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = match[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

const links = pages.flatMap((page) =>
  [...prose(readFileSync(join(root, page), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target))
    .map((target) => [page, target] as const),
);

it('finds links to check', () => {
  expect(links.length).toBeGreaterThan(50);
});

it.each(links)('%s → %s', (page, target) => {
  const [path, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = path === '' ? join(root, page) : join(root, dirname(page), decodeURIComponent(path));
  expect(existsSync(file), `${relative(root, file)} does not exist`).toBe(true);
  if (anchor !== undefined && file.endsWith('.md')) {
    expect([...anchors(readFileSync(file, 'utf8'))], `no heading for #${anchor} in ${relative(root, file)}`).toContain(anchor);
  }
});
