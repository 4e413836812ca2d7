/**
 * What the hostile-input suite shares: a snapshot of a folder tree (to
 * prove nothing outside DIR changed), a check that text carries no
 * terminal control characters, and a counter of hostile cases that each
 * file prints when it is done, so the figure can be quoted.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll } from 'vitest';
import type { Artifact } from '../helpers/artifacts.js';
import { tomlString } from '../helpers/toml.js';

export interface Node {
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
  /** sha256 of a file's bytes; a symlink's target. */
  readonly content: string;
}

/** Every entry under `root` (symlinks not followed), by '/'-separated relative path; `skip` leaves out subtrees. */
export function snapshot(root: string, skip: (rel: string) => boolean = () => false): Map<string, Node> {
  const out = new Map<string, Node>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path).split(sep).join('/');
      if (skip(rel)) continue;
      const stats = lstatSync(path);
      const type = stats.isSymbolicLink() ? 'symlink' : stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : 'other';
      const content =
        type === 'file' ? createHash('sha256').update(readFileSync(path)).digest('hex') : type === 'symlink' ? readlinkSync(path) : '';
      // A directory's mtime changes when an entry is added or removed in it: compared like a file's.
      out.set(rel, { type, size: type === 'dir' ? 0 : stats.size, mtimeMs: stats.mtimeMs, mode: stats.mode, content });
      if (type === 'dir') walk(path);
    }
  };
  walk(root);
  return out;
}

/**
 * The entries that differ between two snapshots, among the paths `where`
 * keeps: added (`+`), removed (`-`) or changed (`~`: type, size, mtime,
 * mode or bytes).
 */
export function changes(before: Map<string, Node>, after: Map<string, Node>, where: (rel: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const [path, node] of after) {
    if (!where(path)) continue;
    const old = before.get(path);
    if (!old) out.push(`+ ${path} (${node.type})`);
    else if (JSON.stringify(old) !== JSON.stringify(node)) out.push(`~ ${path}`);
  }
  for (const path of before.keys()) if (where(path) && !after.has(path)) out.push(`- ${path}`);
  return out;
}

/** A `where` for changes(): paths outside the given top-level folders (relative to the snapshot's root). */
export const outside =
  (...folders: string[]) =>
  (rel: string): boolean =>
    !folders.some((folder) => rel === folder || rel.startsWith(`${folder}/`));

// C0 controls but the line feed that separates lines, DEL, and C1 controls
// (U+009B is CSI on terminals that read 8-bit controls).
const FORGING = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** The first control character in `text` that could forge or garble terminal output, or null. */
export function controlCharIn(text: string): string | null {
  const match = FORGING.exec(text);
  return match ? `U+${match[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${match.index}` : null;
}

/**
 * Counts the hostile inputs a test file tried; printed once when the file
 * is done (`console.info`), e.g. "hostile-names: 54 hostile cases".
 */
export function hostileCounter(suite: string): { add(n?: number): void } {
  let count = 0;
  afterAll(() => {
    console.info(`${suite}: ${count} hostile cases ran`);
  });
  return {
    add(n = 1) {
      count += n;
    },
  };
}

export type LockFormat = 'uv.lock' | 'pylock.toml';
export const LOCK_FORMATS: readonly LockFormat[] = ['uv.lock', 'pylock.toml'];

export interface GoodAndOne {
  /** The index's simple URL, `<base>/simple`. */
  readonly index: string;
  /** A sound wheel the lock also names, at `goodUrl`: the rest of the lock must still be collected. */
  readonly good: Artifact;
  readonly goodUrl: string;
  /** The package under test, version 1.0. */
  readonly name: string;
  /** Its table after name and version, in the format's own spelling (source and files, or index and files). */
  readonly body: string;
}

/**
 * A lock, in either format, of `good` and the package under test. In
 * uv.lock the virtual project `app` depends on both. The hostile-input
 * suites vary only `body`, so a case reads as the one table it is about.
 */
export function lockWithGood(format: LockFormat, lock: GoodAndOne): string {
  const { index, good, goodUrl, name, body } = lock;
  const header =
    format === 'uv.lock'
      ? ['version = 1', 'revision = 3', 'requires-python = ">=3.9"', '', '[[package]]', 'name = "app"', 'version = "0.1.0"', 'source = { virtual = "." }', `dependencies = [{ name = "good" }, { name = ${tomlString(name)} }]`]
      : ['lock-version = "1.0"', 'created-by = "lockhouse-security-tests"', 'requires-python = ">=3.9"'];
  const table = format === 'uv.lock' ? '[[package]]' : '[[packages]]';
  const goodFiles =
    format === 'uv.lock'
      ? [`source = { registry = ${tomlString(index)} }`, `wheels = [{ url = ${tomlString(goodUrl)}, hash = "sha256:${good.sha256}", size = ${good.size} }]`]
      : [`index = ${tomlString(index)}`, `wheels = [{ url = ${tomlString(goodUrl)}, hashes = { sha256 = "${good.sha256}" } }]`];
  return [...header, '', table, 'name = "good"', 'version = "1.0"', ...goodFiles, '', table, `name = ${tomlString(name)}`, 'version = "1.0"', body, ''].join('\n');
}
