/**
 * Every lock in the shared corpora (../shared/corpus and
 * ../shared/corpus-uvexport beside the repository; see their INDEX.md and
 * README.md) parses, and the graph holds as many packages, wheels and sdists
 * as a plain count over the raw TOML says. Skipped when the corpora are absent:
 * they are other projects' files and are not part of this repository.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';
import { corpusAvailable, corpusDir, sharedDir, uvExportDir } from '../helpers/corpus.js';

const corpora = [corpusDir, uvExportDir].filter((dir) => corpusAvailable(dir));

function locks(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return locks(path);
    return entry === 'uv.lock' || /^pylock(\.[^.]+)?\.toml$/.test(entry) ? [path] : [];
  });
}

const files = corpora.flatMap(locks).sort();

type Table = Record<string, unknown>;
const tables = (value: unknown): Table[] => (Array.isArray(value) ? (value as Table[]) : []);
const fileName = (wheel: Table): string => String(wheel.filename ?? wheel.name ?? String(wheel.url ?? wheel.path ?? '').split('/').pop());

/** A variant label after the platform tag: seven parts, or six whose third is not a build tag. */
function isVariant(name: string): boolean {
  const parts = name.replace(/\.whl$/, '').split('-');
  return parts.length === 7 || (parts.length === 6 && !/^[0-9]/.test(parts[2] ?? ''));
}

/** Counted straight from the TOML, with the rules the reader documents: source trees and git checkouts have no artifacts; variant wheels are left out. */
function expectedCounts(document: Table): { packages: number; wheels: number; sdists: number } {
  if ('lock-version' in document) {
    const packages = tables(document.packages);
    const archives = packages.map((p) => p.archive as Table | undefined).filter((a): a is Table => a !== undefined);
    const archiveWheels = archives.filter((a) => String(a.path ?? a.url).endsWith('.whl')).length;
    return {
      packages: packages.length,
      wheels: packages.reduce((n, p) => n + tables(p.wheels).filter((w) => !isVariant(fileName(w))).length, 0) + archiveWheels,
      sdists: packages.filter((p) => p.sdist !== undefined).length + archives.length - archiveWheels,
    };
  }
  const packages = tables(document.package ?? document.distribution);
  const built = (p: Table): boolean => {
    const source = p.source;
    const kind = typeof source === 'string' ? source.split('+')[0] : Object.keys(source as Table).find((k) => k !== 'subdirectory');
    return kind === 'git' || kind === 'directory' || kind === 'editable' || kind === 'virtual';
  };
  const collected = packages.filter((p) => !built(p));
  return {
    packages: packages.length,
    wheels: collected.reduce((n, p) => n + tables(p.wheels).filter((w) => !isVariant(fileName(w))).length, 0),
    sdists: collected.filter((p) => p.sdist !== undefined).length,
  };
}

describe('lock corpora', () => {
  if (files.length === 0) {
    it.skip('skipped: no locks found in ../shared/corpus or ../shared/corpus-uvexport beside the repository', () => {});
    return;
  }

  it.each(files.map((file) => [relative(sharedDir, file), file]))('%s', (_, file) => {
    const text = readFileSync(file, 'utf8');
    let document: Table;
    try {
      document = parseToml(text) as Table;
    } catch {
      // The corpus holds one requirements.txt saved as pylock.toml.
      expect(() => parseLock(text, file)).toThrowError(expect.objectContaining({ code: 'LOCK_LOOKS_LIKE_REQUIREMENTS' }) as LockhouseError);
      return;
    }
    const graph = parseLock(text, file);
    const counted = {
      packages: graph.packages.length,
      wheels: graph.packages.reduce((n, p) => n + p.wheels.length, 0),
      sdists: graph.packages.filter((p) => p.sdist !== null).length,
    };
    expect(counted).toEqual(expectedCounts(document));
    for (const pkg of graph.packages) {
      for (const dep of [...pkg.dependencies, ...[...pkg.optionalDependencies.values()].flat(), ...[...pkg.dependencyGroups.values()].flat()]) {
        expect(graph.packages[dep.target]?.name).toBe(dep.name);
      }
      for (const artifact of [...pkg.wheels, ...(pkg.sdist ? [pkg.sdist] : [])]) {
        expect(artifact.filename).not.toMatch(/[/\\]|\.\./);
        expect(artifact.url !== null || artifact.path !== null).toBe(true);
      }
    }
  });
});
