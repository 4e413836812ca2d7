/**
 * Every pylock of the shared corpora, planned for the six corpus targets,
 * against the reference run live: `packaging.pylock.Pylock.select` with the
 * same marker environment and tags must pick the same package and the same
 * file (or the same vcs / directory / archive), or refuse the same way.
 * Skipped, saying why, without the corpora or python3 with packaging ≥ 26.1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';
import type { LockGraph, Target } from '../../src/model.js';
import { plan } from '../../src/plan/index.js';
import { select } from '../../src/select/index.js';
import { corpusAvailable, corpusDir, corpusLocks, uvExportDir } from '../helpers/corpus.js';
import { corpusTargets } from '../helpers/corpus-targets.js';
import { PYLOCK_READABLE, findPackaging, runPythonJson } from '../helpers/python.js';

/** Pylock.select on each lock (made readable for packaging: see PYLOCK_READABLE) for each target. */
const REFERENCE = PYLOCK_READABLE + String.raw`
import json, sys, tomllib
from packaging.pylock import PackageArchive, PackageDirectory, PackageVcs, PackageWheel, Pylock, PylockSelectError, PylockValidationError
from packaging.tags import Tag


def ref(dist):
    if isinstance(dist, PackageVcs): return ["vcs", dist.url or dist.path]
    if isinstance(dist, PackageDirectory): return ["directory", dist.path]
    if isinstance(dist, PackageArchive): return ["archive", dist.url or dist.path]
    return ["wheel" if isinstance(dist, PackageWheel) else "sdist", dist.filename]

request = json.load(sys.stdin)
out = []
for path in request["locks"]:
    try:
        lock = Pylock.from_dict(readable(tomllib.load(open(path, "rb"))))
    except PylockValidationError as error:
        out.append({"invalid": str(error)})
        continue
    results = []
    for target in request["targets"]:
        tags = [Tag(*t.split("-")) for t in target["tags"]]
        try:
            picked = sorted([str(p.name), str(p.version) if p.version else None, *ref(d)] for p, d in lock.select(environment=target["markers"], tags=tags))
            results.append({"selected": picked})
        except PylockSelectError as error:
            results.append({"error": str(error)})
    out.append({"results": results})
print(json.dumps(out))
`;

interface Outcome {
  invalid?: string;
  results?: Array<{ selected?: Array<[string, string | null, string, string]>; error?: string }>;
}

function ours(graph: LockGraph, target: Target): { selected: Array<[string, string | null, string, string]>; missing: string[] } {
  const made = plan(graph, select(graph, [target]));
  const selected = made.items.map((item): [string, string | null, string, string] => {
    const pkg = graph.packages[item.packageIndex]!;
    const source = pkg.source;
    if (source.kind === 'vcs') return [pkg.displayName, pkg.version, 'vcs', (source.url ?? source.path)!];
    if (source.kind === 'directory' || source.kind === 'editable') return [pkg.displayName, pkg.version, 'directory', source.path];
    if (source.kind === 'url') return [pkg.displayName, pkg.version, 'archive', source.url];
    if (source.kind === 'path') return [pkg.displayName, pkg.version, 'archive', source.path];
    return [pkg.displayName, pkg.version, item.kind, item.filename!];
  });
  const key = (row: readonly unknown[]): string => JSON.stringify(row);
  return { selected: selected.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)), missing: made.errors.map((e) => e.package!) };
}

const reference = findPackaging();
const available = corpusAvailable(corpusDir);
const skip = !available ? `${corpusDir} is absent` : 'missing' in reference ? reference.missing : null;

describe.skipIf(skip !== null)(`corpus pylocks: plan picks what Pylock.select picks (${skip ?? 'live reference'})`, () => {
  const locks = [...corpusLocks(corpusDir), ...corpusLocks(uvExportDir)].filter((lock) => lock.file !== 'uv.lock');
  const readable = locks.filter((lock) => {
    try {
      parseLock(readFileSync(lock.path, 'utf8'), lock.path);
      return true;
    } catch (error) {
      // The requirements.txt saved as pylock.toml; anything else fails the test below.
      return !(isLockhouseError(error) && error.code === 'LOCK_LOOKS_LIKE_REQUIREMENTS');
    }
  });
  const targets = corpusTargets();
  const expected =
    skip === null
      ? runPythonJson<Outcome[]>((reference as { python: string }).python, REFERENCE, {
          locks: readable.map((lock) => lock.path),
          targets: targets.map((target) => ({ markers: target.markers, tags: target.tags.ordered })),
        })
      : [];

  it('reads every pylock of the corpora', () => {
    expect(readable.length).toBeGreaterThan(20);
  });

  it.each(readable.flatMap((lock, i) => targets.map((target, j) => [`${lock.name}/${lock.file} → ${target.id}`, i, j] as const)))(
    '%s',
    (_label, lockIndex, targetIndex) => {
      const lock = readable[lockIndex]!;
      const target = targets[targetIndex]!;
      const outcome = expected[lockIndex]!;
      const graph = parseLock(readFileSync(lock.path, 'utf8'), lock.path);
      expect(outcome.invalid, 'packaging refuses a lock lockhouse reads').toBeUndefined();
      const want = outcome.results![targetIndex]!;
      const noWheel = /^No wheel found .* for package '([^']+)'/.exec(want.error ?? '');
      if (want.error && !noWheel) {
        expect(() => ours(graph, target), want.error).toThrow();
        return;
      }
      const got = ours(graph, target);
      if (noWheel) expect(got.missing).toContain(noWheel[1]);
      else {
        expect(got.missing).toEqual([]);
        expect(got.selected).toEqual(want.selected);
      }
    },
  );
});
