/**
 * Replays test/golden/markers.json, written by scripts/golden/markers.py with
 * packaging itself: every marker's parse tree, its verdict in every
 * environment × context, and packaging's message for every marker it refuses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type MarkerContext,
  type MarkerEnvironment,
  type MarkerList,
  type MarkerOperand,
  MarkerEvaluationError,
  MarkerSyntaxError,
  evaluateMarker,
  parseMarker,
} from '../../src/python/markers.js';

interface GoldenContext {
  name: string;
  extra: string;
  extras: string[];
  dependency_groups: string[];
}
type GoldenOperand = { variable: string } | { string: string };
type GoldenTree = (GoldenTree | 'and' | 'or' | { left: GoldenOperand; op: string; right: GoldenOperand })[];
interface Golden {
  packaging: string;
  environments: { name: string; env: MarkerEnvironment }[];
  contexts: GoldenContext[];
  valid: { marker: string; tree: GoldenTree; results: Record<string, string> }[];
  invalid: { marker: string; error: string; message: string }[];
}

const golden = JSON.parse(readFileSync(new URL('../golden/markers.json', import.meta.url), 'utf8')) as Golden;

/** packaging's `extra` is one string; lockhouse's is a set of zero or one element here. */
function toContext(context: GoldenContext): MarkerContext {
  return {
    extras: new Set(context.extra === '' ? [] : [context.extra]),
    extrasSet: new Set(context.extras),
    dependencyGroups: new Set(context.dependency_groups),
  };
}

function toGoldenTree(list: MarkerList): GoldenTree {
  const operand = (o: MarkerOperand): GoldenOperand => (o.kind === 'variable' ? { variable: o.value } : { string: o.value });
  return list.map((item) => {
    if (typeof item === 'string') return item;
    if (Array.isArray(item)) return toGoldenTree(item as MarkerList);
    const { left, op, right } = item as Exclude<typeof item, MarkerList>;
    return { left: operand(left), op, right: operand(right) };
  });
}

function verdict(text: string, env: MarkerEnvironment, context: MarkerContext): string {
  try {
    return evaluateMarker(parseMarker(text), env, context) ? 'T' : 'F';
  } catch (error) {
    if (error instanceof MarkerEvaluationError) return 'E';
    throw error;
  }
}

describe(`markers agree with packaging ${golden.packaging}`, () => {
  it('has a golden file worth replaying', () => {
    expect(golden.valid.length).toBeGreaterThan(300);
    expect(golden.environments.length).toBeGreaterThan(60);
    expect(golden.invalid.length).toBeGreaterThan(40);
  });

  const contexts = golden.contexts.map((context) => [context.name, toContext(context)] as const);

  it.each(golden.valid)('$marker', ({ marker, tree, results }) => {
    expect(toGoldenTree(parseMarker(marker).expression)).toEqual(tree);
    const ours: Record<string, string> = {};
    for (const [name, context] of contexts) {
      ours[name] = golden.environments.map(({ env }) => verdict(marker, env, context)).join('');
    }
    expect(ours).toEqual(results);
  });

  it.each(golden.invalid)('refuses $marker', ({ marker, error, message }) => {
    let thrown: unknown;
    try {
      parseMarker(marker);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(MarkerSyntaxError);
    // packaging's own parse errors, word for word; Python's string-literal
    // errors (SyntaxError) come from its compiler, so only the kind matches.
    if (error === 'InvalidMarker') expect((thrown as Error).message).toBe(message);
  });
});
