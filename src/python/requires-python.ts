/**
 * `requires-python` checks, answered as packaging's
 * `SpecifierSet(spec).contains(version, prereleases=True)` answers them
 * (pip and uv read requires-python with packaging's rules). A target's
 * Python is its python_full_version ("3.12.0" for `--python-version 3.12`),
 * and pre-releases count: a 3.14.0rc1 interpreter satisfies ">=3.10".
 */
import { parseSpecifierSet } from './pep440-specifier.js';

/** Would packaging's SpecifierSet accept it? Empty (or only commas and spaces) is valid: it allows every Python. */
export function isValidSpecifier(specifier: string): boolean {
  return parseSpecifierSet(specifier) !== null;
}

/** An invalid specifier, where packaging raises InvalidSpecifier, is satisfied by no Python. */
export function satisfiesRequiresPython(pythonFullVersion: string, specifier: string): boolean {
  const contains = parseSpecifierSet(specifier);
  return contains !== null && contains(pythonFullVersion);
}
