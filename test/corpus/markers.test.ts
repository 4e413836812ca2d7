/**
 * Every marker in the shared lock corpus (../shared/corpus and
 * ../shared/corpus-uvexport beside the repository, when present) must parse,
 * and must evaluate as packaging evaluates it, in one python3 run for all of
 * them. Skipped, and named so, when the corpus or packaging >= 26.1 is missing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { type MarkerContext, type MarkerEnvironment, evaluateMarker, parseMarker } from '../../src/python/markers.js';
import { corpusAvailable, corpusDir, uvExportDir } from '../helpers/corpus.js';
import { findPackaging, PYTHON, pythonEnv } from '../helpers/python.js';

const CORPORA = [corpusDir, uvExportDir].filter((dir) => corpusAvailable(dir));

/** The keys whose values are markers, in uv.lock and pylock.toml alike. */
const MARKER_KEYS = new Set(['marker', 'resolution-markers', 'supported-markers', 'required-markers', 'environments']);

function lockFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return lockFiles(path);
    return entry.name === 'uv.lock' || /^pylock(\..+)?\.toml$/.test(entry.name) ? [path] : [];
  });
}

function collectMarkers(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectMarkers(item, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (MARKER_KEYS.has(key)) {
        for (const marker of Array.isArray(value) ? value : [value]) if (typeof marker === 'string') into.add(marker);
      }
      collectMarkers(value, into);
    }
  }
}

function readCorpus(): { locks: number; markers: string[] } {
  const markers = new Set<string>();
  let locks = 0;
  for (const file of CORPORA.flatMap(lockFiles)) {
    let document: unknown;
    try {
      document = parseToml(readFileSync(file, 'utf8'));
    } catch {
      continue; // not TOML: the corpus keeps a requirements.txt saved as pylock.toml
    }
    locks++;
    collectMarkers(document, markers);
  }
  return { locks, markers: [...markers].sort() };
}

/** The packaging that python3 has, when it is >= 26.1 (the same reference the other comparisons use). */
function packagingVersion(): string | null {
  const reference = findPackaging();
  return 'missing' in reference ? null : reference.packaging;
}

/** Reads {markers, environments, contexts}; writes one string per marker, a character per context × environment. */
const EVALUATE_WITH_PACKAGING = `
import json, sys
from packaging.markers import Marker
data = json.load(sys.stdin)
out = []
for text in data["markers"]:
    marker = Marker(text)
    row = []
    for context in data["contexts"]:
        for env in data["environments"]:
            environment = dict(env, extra=context["extra"], extras=frozenset(context["extras"]),
                               dependency_groups=frozenset(context["dependency_groups"]))
            try:
                row.append("T" if marker.evaluate(environment, context="lock_file") else "F")
            except Exception:
                row.append("E")
    out.append("".join(row))
json.dump(out, sys.stdout)
`;

const CPYTHON = { implementation_name: 'cpython', platform_python_implementation: 'CPython' };
const LINUX = { os_name: 'posix', sys_platform: 'linux', platform_system: 'Linux', platform_release: '6.8.0-45-generic', platform_version: '#1' };
const MACOS = { os_name: 'posix', sys_platform: 'darwin', platform_system: 'Darwin', platform_release: '24.1.0', platform_version: 'Darwin' };
const WINDOWS = { os_name: 'nt', sys_platform: 'win32', platform_system: 'Windows', platform_release: '10', platform_version: '10.0.22631' };
const python = (full: string) => {
  const [major, minor] = full.split('.');
  return { python_version: `${major}.${minor}`, python_full_version: full, implementation_version: full };
};
const ENVIRONMENTS: MarkerEnvironment[] = [
  { ...CPYTHON, ...LINUX, platform_machine: 'x86_64', ...python('3.12.7') },
  { ...CPYTHON, ...LINUX, platform_machine: 'aarch64', ...python('3.10.15') },
  { ...CPYTHON, ...LINUX, platform_machine: 'x86_64', ...python('3.8.20') },
  { ...CPYTHON, ...MACOS, platform_machine: 'arm64', ...python('3.13.0') },
  { ...CPYTHON, ...MACOS, platform_machine: 'x86_64', ...python('3.11.10') },
  { ...CPYTHON, ...WINDOWS, platform_machine: 'AMD64', ...python('3.9.0') },
  { ...CPYTHON, ...WINDOWS, platform_machine: 'x86', ...python('3.14.0') },
];

interface Context {
  extra: string;
  extras: string[];
  dependency_groups: string[];
}

/** No extras; PEP 751 sets; and the corpus's most used `extra == '…'` value of each kind, so conflict markers also turn true. */
function contextsFor(markers: readonly string[]): Context[] {
  const counts = new Map<string, number>();
  for (const marker of markers) {
    for (const [, value] of marker.matchAll(/extra == '([^']*)'/g)) counts.set(value as string, (counts.get(value as string) ?? 0) + 1);
  }
  const mostUsed = (test: (value: string) => boolean): string[] => {
    const ranked = [...counts].filter(([value]) => test(value)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return ranked.length > 0 ? [(ranked[0] as [string, number])[0]] : [];
  };
  const extras = [
    ...mostUsed((v) => v.startsWith('extra-')),
    ...mostUsed((v) => v.startsWith('group-')),
    ...mostUsed((v) => !/^(extra|group|project)-\d+-/.test(v)),
  ];
  return [
    { extra: '', extras: [], dependency_groups: [] },
    { extra: '', extras: ['security', 'tests'], dependency_groups: ['default', 'dev', 'lint', 'test', 'types'] },
    ...extras.map((extra) => ({ extra, extras: [], dependency_groups: [] })),
  ];
}

const toMarkerContext = (context: Context): MarkerContext => ({
  extras: new Set(context.extra === '' ? [] : [context.extra]),
  extrasSet: new Set(context.extras),
  dependencyGroups: new Set(context.dependency_groups),
});

const corpus = CORPORA.length > 0 ? readCorpus() : null;
const packaging = corpus ? packagingVersion() : null;

const CORPUS_TITLE = corpus ? 'markers of the lock corpus' : 'markers of the lock corpus (skipped: ../shared/corpus not found)';
const PACKAGING_TITLE = packaging
  ? `evaluates each as packaging ${packaging} does`
  : 'evaluates each as packaging does (skipped: python3 with packaging >= 26.1 not found)';

describe.skipIf(corpus === null)(CORPUS_TITLE, () => {
  const { markers, locks } = corpus ?? { markers: [], locks: 0 };

  it('finds markers in the corpus', () => {
    expect(locks).toBeGreaterThan(20);
    expect(markers.length).toBeGreaterThan(100);
  });

  it('parses every one', () => {
    const failures = markers.flatMap((text) => {
      try {
        parseMarker(text);
        return [];
      } catch (error) {
        return [`${text}: ${(error as Error).message}`];
      }
    });
    expect(failures).toEqual([]);
  });

  describe.skipIf(packaging === null)(PACKAGING_TITLE, () => {
    it('in every environment and context', () => {
      const contexts = contextsFor(markers);
      const result = spawnSync(PYTHON, ['-c', EVALUATE_WITH_PACKAGING], {
        env: pythonEnv({ PYTHONIOENCODING: 'utf-8' }),
        encoding: 'utf8',
        input: JSON.stringify({ markers, environments: ENVIRONMENTS, contexts }),
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(result.stderr).toBe('');
      const expected = JSON.parse(result.stdout) as string[];
      expect(expected).toHaveLength(markers.length);

      const mismatches: string[] = [];
      markers.forEach((text, m) => {
        contexts.forEach((context, c) => {
          const markerContext = toMarkerContext(context);
          ENVIRONMENTS.forEach((env, e) => {
            let ours: string;
            try {
              ours = evaluateMarker(parseMarker(text), env, markerContext) ? 'T' : 'F';
            } catch {
              ours = 'E';
            }
            const theirs = expected[m]?.[c * ENVIRONMENTS.length + e];
            if (ours !== theirs) {
              const where = `${env.sys_platform} ${env.platform_machine} ${env.python_full_version} ${JSON.stringify(context)}`;
              mismatches.push(`${text.length > 160 ? `${text.slice(0, 160)}…` : text} | ${where}: ours ${ours}, packaging ${theirs}`);
            }
          });
        });
      });
      expect({ count: mismatches.length, first: mismatches.slice(0, 20) }).toEqual({ count: 0, first: [] });
      expect(markers.length * contexts.length * ENVIRONMENTS.length).toBeGreaterThan(1000);
    });
  });
});
