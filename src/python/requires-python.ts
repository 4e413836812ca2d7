/**
 * `requires-python` checks. A target's Python is its python_full_version
 * ("3.12.0" for `--python-version 3.12`), compared as PEP 440 allows
 * pre-releases here: a 3.14.0rc1 interpreter satisfies ">=3.10".
 */
import { satisfies, validRange } from '@renovatebot/pep440';

export function isValidSpecifier(specifier: string): boolean {
  return specifier.trim() === '' || Boolean(validRange(specifier));
}

export function satisfiesRequiresPython(pythonFullVersion: string, specifier: string): boolean {
  if (specifier.trim() === '') return true;
  return satisfies(pythonFullVersion, specifier, { prereleases: true });
}
