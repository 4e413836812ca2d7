/**
 * requires-python is checked as packaging checks it. Every expected value
 * below was computed with Python's packaging 26.2 (CPython 3.11.7):
 *
 *   from packaging.specifiers import SpecifierSet
 *   SpecifierSet(spec).contains(version, prereleases=True)
 *
 * and, for the invalid ones, `SpecifierSet(spec)` raising InvalidSpecifier.
 */
import { describe, expect, it } from 'vitest';
import { isValidSpecifier, satisfiesRequiresPython } from '../../src/python/requires-python.js';

describe('satisfiesRequiresPython', () => {
  it.each([
    // @renovatebot/pep440's satisfies(version, spec, { prereleases: true }),
    // used before, answered these twelve otherwise (the last one by throwing a
    // TypeError).
    ['>3.12.0a1', '3.12.0', true],
    ['>3.12.0a1', '3.12.0b1', true],
    ['>3.12.0b1', '3.12.0rc1', true],
    ['<3.13.0.post1', '3.13.0', true],
    ['<3.13.0.post1', '3.13.0rc1', true],
    ['>3.12.0.post0', '3.12.0.post1', true],
    ['==3.12.0.*', '3.12', true],
    ['===3.12.0', '3.12.0+local', false],
    ['~=v3.12', '3.12.7', false],
    ['>=3.8,', '3.12.0', true],
    [',', '3.12.0', true],
    ['>=3.8', '3.13.0+', false],
    // Where the two agree.
    ['>=3.10', '3.14.0rc2', true],
    ['<3.14', '3.14.0rc2', false],
    ['<3.14', '3.14.0a1', false],
    ['~=3.12', '3.12.7', true],
    ['===3.12.0', '3.12.0', true],
    ['>3.12.0', '3.12.0.post1', false],
    ['>3.12.0', '3.12.0+local', false],
    ['<=3.12', '3.12.0+local', true],
    ['>=3.10, !=3.11.*, <4', '3.11.9', false],
    ['>=3.10, !=3.11.*, <4', '3.12.0', true],
    [' >= 3.8 , < 4 ', '3.12.0', true],
    ['', '3.12.0', true],
    ['', '3.13.0+', true],
    ['===3.13.0+', '3.13.0+', true],
  ])('%j contains %s: %s', (spec, version, expected) => {
    expect(satisfiesRequiresPython(version, spec)).toBe(expected);
  });

  it.each(['~=3', '>=3.8.*', '=3.8', '>=3.8 <4', '>= 3.8 and < 4', '>=3.8;', 'abc'])(
    'is satisfied by no Python when packaging rejects %j',
    (spec) => {
      expect(isValidSpecifier(spec)).toBe(false);
      expect(satisfiesRequiresPython('3.12.0', spec)).toBe(false);
    },
  );
});

describe('isValidSpecifier', () => {
  it.each(['', '   ', ',', '>=3.8,', '>=3.10, !=3.11.*, <4', '===anything', '~=3.12'])('accepts %j', (spec) => {
    expect(isValidSpecifier(spec)).toBe(true);
  });
});
