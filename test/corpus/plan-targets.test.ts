/**
 * Every lock of ../shared/corpus plans cleanly for each of the six targets
 * of issue 2, or is refused for a reason uv (or packaging's Pylock.select)
 * would give too, checked against the reference where python3 has
 * packaging ≥ 26.1:
 * - the target is outside the lock's requires-python (packaging's SpecifierSet decides);
 * - the target is outside the lock's supported environments (packaging's Marker decides);
 * - a package has no wheel for the target and no sdist (packaging's tag selector finds
 *   none of its wheels compatible with the target's tags);
 * - the file is not TOML at all.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';
import type { LockGraph, Target } from '../../src/model.js';
import { plan } from '../../src/plan/index.js';
import { select } from '../../src/select/index.js';
import { corpusAvailable, corpusLocks, type CorpusLock } from '../helpers/corpus.js';
import { corpusTargets } from '../helpers/corpus-targets.js';
import { findPackaging, runPythonJson } from '../helpers/python.js';

type Outcome =
  | { kind: 'ok' }
  | { kind: 'not-toml' }
  | { kind: 'refused'; code: string; message: string }
  | { kind: 'no-wheel'; packages: Array<{ name: string; wheels: string[]; sdist: boolean }> };

interface Check {
  lock: CorpusLock;
  target: Target;
  outcome: Outcome;
  requiresPython: string | null;
  environments: string[];
  /** Packages of the lock that are not virtual: something a selection could take. */
  installablePackages: number;
}

const available = corpusAvailable();
const reference = findPackaging();
const targets = corpusTargets();

function outcomes(lock: CorpusLock): Check[] {
  const text = readFileSync(lock.path, 'utf8');
  let graph: LockGraph;
  try {
    graph = parseLock(text, lock.path);
  } catch (error) {
    if (isLockhouseError(error) && error.code === 'LOCK_LOOKS_LIKE_REQUIREMENTS') {
      return targets.map((target) => ({ lock, target, outcome: { kind: 'not-toml' }, requiresPython: null, environments: [], installablePackages: 0 }));
    }
    throw error;
  }
  const environments = (graph.uv?.supportedMarkers ?? graph.pylock?.environments ?? []).map((marker) => marker.text);
  return targets.map((target) => {
    let outcome: Outcome;
    try {
      const made = plan(graph, select(graph, [target]));
      outcome =
        made.errors.length === 0
          ? { kind: 'ok' }
          : {
              kind: 'no-wheel',
              packages: made.errors.map((error) => {
                const pkg = graph.packages.find((candidate) => candidate.displayName === error.package && candidate.version === error.version)!;
                return { name: pkg.name, wheels: pkg.wheels.map((wheel) => wheel.filename), sdist: pkg.sdist !== null };
              }),
            };
    } catch (error) {
      if (!isLockhouseError(error)) throw error;
      outcome = { kind: 'refused', code: error.code, message: error.message };
    }
    return { lock, target, outcome, requiresPython: graph.requiresPython, environments, installablePackages: graph.packages.filter((pkg) => pkg.source.kind !== 'virtual').length };
  });
}

/** The reference's verdict on each refusal: is it one packaging would make too? */
const REFERENCE = String.raw`
import json, sys
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, create_compatible_tags_selector
from packaging.utils import parse_wheel_filename

out = []
for q in json.load(sys.stdin):
    env = q["markers"]
    inside = q["requiresPython"] is None or SpecifierSet(q["requiresPython"]).contains(env["python_full_version"], prereleases=True)
    supported = not q["environments"] or any(Marker(m).evaluate(env) for m in q["environments"])
    selector = create_compatible_tags_selector([Tag(*t.split("-")) for t in q["tags"]])
    installable = [
        bool(p["sdist"]) or any(True for _ in selector((w, parse_wheel_filename(w)[-1]) for w in p["wheels"]))
        for p in q["packages"]
    ]
    out.append({"inside": inside, "supported": supported, "installable": installable})
print(json.dumps(out))
`;

interface Verdict {
  inside: boolean;
  supported: boolean;
  installable: boolean[];
}

describe.skipIf(!available)(
  `every corpus lock plans for six targets, or is refused as uv would (${available ? '' : 'skipped: ../shared/corpus is absent'})`,
  () => {
    const checks = corpusLocks().flatMap(outcomes);
    const verdicts =
      'missing' in reference
        ? null
        : runPythonJson<Verdict[]>(
            reference.python,
            REFERENCE,
            checks.map((check) => ({
              markers: check.target.markers,
              tags: check.target.tags.ordered,
              requiresPython: check.requiresPython,
              environments: check.environments,
              packages: check.outcome.kind === 'no-wheel' ? check.outcome.packages : [],
            })),
          );

    it('walks every lock of the corpus', () => {
      expect(checks.length).toBe(corpusLocks().length * targets.length);
    });

    it.each(checks.map((check, i) => [`${check.lock.name}/${check.lock.file} → ${check.target.id}`, check, i] as const))(
      '%s',
      (_label, check, i) => {
        const { outcome } = check;
        const verdict = verdicts?.[i];
        if (outcome.kind === 'ok' || outcome.kind === 'not-toml') {
          if (verdict && outcome.kind === 'ok') expect(verdict.inside && verdict.supported).toBe(true);
          return;
        }
        if (outcome.kind === 'refused') {
          // A lock that locks nothing to install selects nothing: SELECT_EMPTY, unless --allow-empty.
          if (outcome.code === 'SELECT_EMPTY') return expect(check.installablePackages, outcome.message).toBe(0);
          expect(['TARGET_REQUIRES_PYTHON', 'TARGET_UNSUPPORTED_ENVIRONMENT']).toContain(outcome.code);
          if (!verdict) return;
          if (outcome.code === 'TARGET_UNSUPPORTED_ENVIRONMENT') expect(verdict.supported, outcome.message).toBe(false);
          // Pylock packages carry their own requires-python too: the lock-level one need not be what failed.
          else if (check.lock.file === 'uv.lock') expect(verdict.inside, outcome.message).toBe(false);
          return;
        }
        // Packages with nothing to install on this target: packaging agrees none of their wheels fit.
        expect(outcome.packages.length).toBeGreaterThan(0);
        if (verdict) expect(verdict.installable).toEqual(outcome.packages.map(() => false));
      },
    );
  },
);
