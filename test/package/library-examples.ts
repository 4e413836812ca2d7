/**
 * The examples of docs/library.md: each ```js block is a complete script,
 * named by its first line (`// plan.mjs: …`), and the ```text block right
 * after it is what it prints; ```ts blocks (`// summary.ts: …`) are
 * type-checked only.
 */

export interface LibraryExample {
  /** The file name its first line gives: `plan.mjs`, `summary.ts`. */
  readonly file: string;
  readonly code: string;
  /** What it prints on stdout, or null for an example that is not run. */
  readonly prints: string | null;
}

export function libraryExamples(markdown: string): LibraryExample[] {
  const blocks = [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({ lang: match[1]!, body: match[2]! }));
  const examples: LibraryExample[] = [];
  blocks.forEach((block, index) => {
    if (block.lang !== 'js' && block.lang !== 'ts') return;
    const file = /^\/\/ ([\w-]+\.(?:mjs|ts)):/.exec(block.body)?.[1];
    // An import line alone (no name) shows a shape, not a script.
    if (!file) return;
    const next = blocks[index + 1];
    const prints = block.lang === 'js' ? (next?.lang === 'text' ? next.body : '') : null;
    examples.push({ file, code: block.body, prints });
  });
  return examples;
}
