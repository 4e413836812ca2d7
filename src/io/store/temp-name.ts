/**
 * Names of temporary files: `<pid>-<random>.tmp`. The pid lets a sweeper
 * tell a dead writer's leftovers from a live writer's work; the random part
 * (72 bits) keeps two writers — even with the same pid in two containers —
 * from ever choosing one name. Names this process holds are remembered, so
 * its own sweep never removes them whatever their age.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';

const held = new Set<string>();
const PATTERN = /^([1-9][0-9]{0,9})-[A-Za-z0-9_-]+\.tmp$/;

export function newTempName(): string {
  const name = `${process.pid}-${randomBytes(9).toString('base64url')}.tmp`;
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

/** The writer's pid of a `<pid>-<random>.tmp` name, else null. */
export function tempNamePid(name: string): number | null {
  const match = PATTERN.exec(name);
  return match ? Number(match[1]) : null;
}
