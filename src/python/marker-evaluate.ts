/**
 * A parsed marker compiled to one test: its comparisons (marker-comparison.ts)
 * joined as packaging evaluates them, 'and' binding tighter than 'or'.
 */
import { type Compiled, type Test, compileComparison } from './marker-comparison.js';
import { type MarkerList, isList } from './marker-parse.js';

/** The marker's test; `text` is the marker as written, for error messages. */
export function compileMarker(list: MarkerList, text: string): Test {
  return compileList(list, text).test;
}

function compileList(list: MarkerList, text: string): Compiled {
  const groups: Test[][] = [[]];
  let mayThrow = false;
  for (const item of list) {
    if (item === 'or') groups.push([]);
    else if (item !== 'and') {
      const compiled = isList(item) ? compileList(item, text) : compileComparison(item, text);
      (groups[groups.length - 1] as Test[]).push(compiled.test);
      mayThrow ||= compiled.mayThrow;
    }
  }
  const first = groups[0] as Test[];
  if (groups.length === 1 && first.length === 1) return { test: first[0] as Test, mayThrow };
  if (mayThrow) {
    return {
      mayThrow,
      test: (env, context) => {
        let any = false;
        for (const group of groups) {
          let all = true;
          for (const test of group) if (!test(env, context)) all = false;
          if (all) any = true;
        }
        return any;
      },
    };
  }
  return {
    mayThrow,
    test: (env, context) => {
      next: for (const group of groups) {
        for (const test of group) if (!test(env, context)) continue next;
        return true;
      }
      return false;
    },
  };
}
