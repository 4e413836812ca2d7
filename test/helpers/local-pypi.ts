/**
 * This machine's copy of real PyPI files, where it has one: the local
 * indexes that pip's configuration names (`file:///…/simple`, PEP 503
 * layout, files under `…/files/`). Tests that need real wheels (pip 26,
 * real build backends) find them here, and skip, saying so, where there is
 * no copy.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './pip.js';

let roots: string[] | undefined;

/** The folders holding `simple/` and `files/`, from `pip config list` (extra-index-url, index-url). */
export function localPypiRoots(): string[] {
  if (roots) return roots;
  const listed = spawnSync(PYTHON, ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' });
  const urls = (listed.stdout ?? '').match(/file:\/\/[^\s'"]+/g) ?? [];
  roots = [...new Set(urls.map((url) => dirname(fileURLToPath(url.replace(/\/+$/, '')))))].filter((root) => existsSync(join(root, 'files')));
  return roots;
}

/** A real wheel of the local copy whose file name starts with `prefix` (e.g. "pip-26."), or null. */
export function localWheel(prefix: string): string | null {
  for (const root of localPypiRoots()) {
    const found = readdirSync(join(root, 'files')).filter((name) => name.startsWith(prefix) && name.endsWith('.whl')).sort();
    if (found.length) return join(root, 'files', found[found.length - 1]!);
  }
  return null;
}
