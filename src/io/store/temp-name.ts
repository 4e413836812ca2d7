/**
 * Names of everything lockhouse makes before it is in place — temporary
 * files, staging and work folders: `<pid>-<random>.tmp`, or, beside a file
 * in a folder that is not lockhouse's own (an emitted lock, a bundle),
 * `.<label>.<pid>-<random>.tmp`, the label being the final file's name.
 *
 * The pid lets the sweeper (sweep.ts) tell a dead writer's leftovers from a
 * live writer's work; the random part (72 bits) keeps two writers — even
 * with the same pid in two containers — from ever choosing one name. Names
 * this process holds are remembered, so its own sweep never removes them
 * whatever their age.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';

const held = new Set<string>();
const PATTERN = /^(?:\.(.+)\.)?([1-9][0-9]{0,9})-[A-Za-z0-9_-]+\.tmp$/;

/** A fresh name, held by this process until released. */
export function newTempName(label?: string): string {
  const core = `${process.pid}-${randomBytes(9).toString('base64url')}.tmp`;
  const name = label === undefined ? core : `.${label}.${core}`;
  held.add(name);
  return name;
}

/** The name (or a path ending in it) is no longer in use by this process. */
export function releaseTempName(nameOrPath: string): void {
  held.delete(basename(nameOrPath));
}

/** Is this a name this process made and still uses? */
export function isHeldTempName(name: string): boolean {
  return held.has(name);
}

/** The writer's pid and the label (null: none) of a temporary name, or null when it is not one. */
export function parseTempName(name: string): { readonly pid: number; readonly label: string | null } | null {
  const match = PATTERN.exec(name);
  return match ? { pid: Number(match[2]), label: match[1] ?? null } : null;
}

