/**
 * `lockhouse plan --all-platforms --json` lists every artifact of a lock:
 * checked on every lock of ../shared/corpus against a count made here,
 * straight from the TOML, without lockhouse's reader.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { PlanJsonSchema } from '../../src/report/plan-json.js';
import { runCli } from '../helpers/cli.js';
import { corpusAvailable, corpusLocks } from '../helpers/corpus.js';

type Table = Record<string, unknown>;
const tables = (value: unknown): Table[] => (Array.isArray(value) ? (value as Table[]) : []);

/**
 * Wheel files named with a variant label (`…-py3-none-any-cpu1.whl`, a uv
 * preview) have no place in a wheelhouse yet: lockhouse leaves them out
 * with a warning, so they are not counted.
 */
function isVariantWheel(url: string): boolean {
  const parts = decodeURIComponent(url.split('/').pop()!).replace(/\.whl$/, '').split('-');
  return parts.length === 6 && !/^\d/.test(parts[2]!);
}

/** Files the lock names: wheels and sdists (and pylock archives) of packages that are not built from a tree. */
function countFiles(path: string): number {
  const doc = parse(readFileSync(path, 'utf8')) as Table;
  let count = 0;
  if (path.endsWith('uv.lock')) {
    for (const pkg of [...tables(doc['package']), ...tables(doc['distribution'])]) {
      const source = pkg['source'];
      const text = typeof source === 'string' ? source : JSON.stringify(source);
      if (/git|editable|directory|virtual/.test(text.split(/[=+:]/)[0]!) || /"(git|editable|directory|virtual)"/.test(text)) continue;
      if (pkg['sdist']) count++;
      count += tables(pkg['wheels']).filter((wheel) => !isVariantWheel(String(wheel['url'] ?? wheel['path'] ?? wheel['filename']))).length;
    }
  } else {
    for (const pkg of tables(doc['packages'])) {
      if (pkg['sdist']) count++;
      if (pkg['archive']) count++;
      count += tables(pkg['wheels']).length;
    }
  }
  return count;
}

function isToml(path: string): boolean {
  try {
    parse(readFileSync(path, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

const locks = corpusLocks().filter((lock) => isToml(lock.path));

describe.skipIf(!corpusAvailable())(`plan --all-platforms lists every artifact (${corpusAvailable() ? `${locks.length} locks` : 'skipped: ../shared/corpus is absent'})`, () => {
  it.each(locks.map((lock) => [`${lock.name}/${lock.file}`, lock.path] as const))('%s', async (_label, path) => {
    // --allow-empty: a lock that locks nothing (there is one) would be SELECT_EMPTY; here it lists its nothing.
    const run = await runCli(['plan', '--lock', path, '--all-platforms', '--allow-empty', '--json', '-q']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = PlanJsonSchema.parse(JSON.parse(run.stdout));
    const files = json.artifacts.filter((artifact) => artifact.kind === 'wheel' || artifact.kind === 'sdist');
    expect(files.length).toBe(countFiles(path));
    expect(new Set(files.map((file) => `${file.url ?? file.path}`)).size).toBe(files.length);
    expect(json.allPlatforms).toBe(true);
  });
});
