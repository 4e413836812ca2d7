/**
 * The layering rules of docs/architecture.md, checked on src/'s imports:
 * no import runs up a layer, no two files reach each other through
 * imports (no circle), pure layers do no I/O, and the things that must have
 * one home have one (rename(2) in land.ts, each third-party package in its
 * module).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');

/** Layers, top first; a file may import its own layer or any below it. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['cli'],
  ['report'],
  ['index.ts'],
  ['app'],
  ['plan', 'select', 'lock', 'output', 'io'],
  ['python'],
  ['model.ts', 'errors.ts', 'compare.ts', 'secrets.ts', 'redact.ts'],
];
const PURE = ['lock', 'python', 'select', 'plan', 'output', 'report', 'model.ts', 'errors.ts', 'compare.ts', 'secrets.ts', 'redact.ts'];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const sources = files(src).map((path) => ({ path: relative(src, path), text: readFileSync(path, 'utf8') }));
const topOf = (path: string): string => path.split('/')[0]!;
const layerOf = (path: string): number => LAYERS.findIndex((layer) => layer.includes(topOf(path)));

/** Relative imports (static, dynamic and type-only) of a file, as paths under src/. */
function importsOf(path: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom|\bimport\(|^import)\s*['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    found.push(normalize(join(dirname(path), match[1]!)).replace(/\.js$/, '.ts'));
  }
  return found;
}

const graph = new Map(sources.map(({ path, text }) => [path, importsOf(path, text).filter((target) => !target.startsWith('..'))]));

describe('src/ layering (docs/architecture.md)', () => {
  it('every file is in a layer', () => {
    expect(sources.filter(({ path }) => layerOf(path) < 0).map(({ path }) => path)).toEqual([]);
  });

  it('no import runs up a layer', () => {
    const upward = [...graph].flatMap(([from, targets]) => targets.filter((to) => layerOf(to) < layerOf(from)).map((to) => `${from} -> ${to}`));
    expect(upward).toEqual([]);
  });

  it('no circle of imports', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('pure layers do no I/O', () => {
    const io = /from ['"](?:node:fs|node:fs\/promises|node:child_process|node:net|node:http|undici|pino)['"]/;
    expect(sources.filter(({ path, text }) => PURE.includes(topOf(path)) && io.test(text)).map(({ path }) => path)).toEqual([]);
  });

  it('one home each: rename(2) in io/store/land.ts; yauzl, yazl, smol-toml, the CycloneDX library, undici and pino in their modules', () => {
    const homes = (pattern: RegExp): string[] => sources.filter(({ text }) => pattern.test(text)).map(({ path }) => path).sort();
    expect(homes(/\brename\((?!2\))/)).toEqual(['io/store/land.ts']);
    expect(homes(/from ['"]yauzl['"]/)).toEqual(['io/zip/zip-reader.ts']);
    expect(homes(/from ['"]yazl['"]/)).toEqual(['io/store/zip-writer.ts']);
    expect(homes(/from ['"]smol-toml['"]/)).toEqual(['lock/parse.ts']);
    expect(homes(/from ['"]@cyclonedx\/cyclonedx-library['"]|from ['"]packageurl-js['"]/)).toEqual(['output/sbom.ts']);
    expect(homes(/from ['"]undici['"]|import\(['"]undici['"]\)/).every((path) => path.startsWith('io/http/'))).toBe(true);
    expect(homes(/from ['"]pino['"]|require\(['"]pino['"]\)/).every((path) => path === 'cli/logger.ts')).toBe(true);
  });
});
