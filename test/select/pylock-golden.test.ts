/**
 * Pylock selection against the reference implementation: for each fixture,
 * target and extras/groups choice, lockhouse selects what
 * `packaging.pylock.Pylock.select` selected (test/golden/pylock-select.json,
 * written by scripts/golden/pylock_select.py).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';
import type { LockGraph, Target } from '../../src/model.js';
import { plan } from '../../src/plan/index.js';
import { buildTargets, type TargetFlags } from '../../src/python/targets.js';
import { select } from '../../src/select/index.js';
import type { SelectOptions } from '../../src/select/options.js';

interface Picked {
  name: string;
  version: string | null;
  kind: string;
  ref: string;
}
interface Result {
  target: string;
  choice: string;
  extras: string[];
  groups: string[] | null;
  selected?: Picked[];
  error?: string;
}
interface Golden {
  packaging: string;
  targets: Record<string, { flags: TargetFlags }>;
  fixtures: Array<{ fixture: string; results: Result[] }>;
}

const root = join(import.meta.dirname, '..', '..');
const golden = JSON.parse(readFileSync(join(root, 'test/golden/pylock-select.json'), 'utf8')) as Golden;

function options(result: Result): SelectOptions {
  if (result.groups === null) return { extras: result.extras };
  return { extras: result.extras, noDefaultGroups: true, groups: result.groups };
}

/** Our plan, in the terms packaging's select yields: vcs, directory, archive, wheel or sdist. */
function ours(graph: LockGraph, target: Target, result: Result): { selected: Picked[]; missing: string[] } {
  const made = plan(graph, select(graph, [target], options(result)));
  const selected = made.items.map((item) => {
    const pkg = graph.packages[item.packageIndex]!;
    const source = pkg.source;
    const base = { name: pkg.displayName, version: pkg.version };
    if (source.kind === 'vcs') return { ...base, kind: 'vcs', ref: (source.url ?? source.path)! };
    if (source.kind === 'directory' || source.kind === 'editable') return { ...base, kind: 'directory', ref: source.path };
    if (source.kind === 'url') return { ...base, kind: 'archive', ref: source.url };
    if (source.kind === 'path') return { ...base, kind: 'archive', ref: source.path };
    return { ...base, kind: item.kind, ref: item.filename! };
  });
  return {
    selected: selected.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    missing: made.errors.map((error) => error.package!),
  };
}

describe(`pylock selection matches packaging ${golden.packaging} Pylock.select`, () => {
  for (const { fixture, results } of golden.fixtures) {
    describe(fixture, () => {
      const graph = parseLock(readFileSync(join(root, 'test/fixtures/pylock', fixture), 'utf8'), fixture);
      it.each(results.map((result) => [`${result.target}, ${result.choice}`, result] as const))('%s', (_label, result) => {
        const [target] = buildTargets(golden.targets[result.target]!.flags);
        const noWheel = /^No wheel found .* for package '([^']+)'/.exec(result.error ?? '');
        if (result.error && !noWheel) {
          // A refusal of the whole selection: environments, requires-python, two packages of one name.
          let thrown: unknown;
          try {
            ours(graph, target!, result);
          } catch (error) {
            thrown = error;
          }
          expect(isLockhouseError(thrown), `expected a refusal like: ${result.error}`).toBe(true);
          return;
        }
        const got = ours(graph, target!, result);
        if (noWheel) {
          // packaging stops at the package; lockhouse plans the rest and reports it.
          expect(got.missing).toContain(noWheel[1]);
        } else {
          expect(got.missing).toEqual([]);
          expect(got.selected).toEqual(result.selected);
        }
      });
    });
  }
});
